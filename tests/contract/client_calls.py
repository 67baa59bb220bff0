"""Calling a generated client the same way in sync and async tests, and checking what came back."""

from __future__ import annotations

import contextlib
import importlib
import inspect
import typing
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import httpx
import pydantic

from .openapi_cases import (
    Example,
    Operation,
    assert_request_accepted,
    describe_exchange,
    differences,
    error_class_name,
    expected_errors,
    find_method,
    response_violations,
)

MODES = ("sync", "async")


@contextlib.asynccontextmanager
async def open_client(
    package: ModuleType, mode: str, url: str, **options: Any
) -> AsyncIterator[Any]:
    """`package.Client` or `package.AsyncClient` on `url`, without retries (an error status is the
    answer under test, not something to wait out)."""
    options = {"auth": "test-token", "max_retries": 0, **options}
    if mode == "sync":
        with package.Client(base_url=url, **options) as client:
            yield client
    else:
        async with package.AsyncClient(base_url=url, **options) as client:
            yield client


async def call(
    client: Any,
    op: Operation,
    kwargs: dict[str, Any],
    headers: dict[str, str],
    *,
    raw: bool,
    check_request: bool = True,
) -> Any:
    """Call the generated method for `op`, sync or async. An error status that is Prism rejecting
    the request fails here, with Prism's reasons and the exchange, unless `check_request` is off."""
    method = find_method(getattr(client, op.api), op, raw=raw)
    try:
        result = method(**kwargs, options={"extra_headers": headers})
        if inspect.isawaitable(result):
            result = await result
    except Exception as error:
        response = getattr(error, "response", None)
        if check_request and isinstance(response, httpx.Response):
            assert_request_accepted(response)
        raise
    return result


def models_of(package: ModuleType, op: Operation) -> ModuleType:
    return importlib.import_module(f"{package.__name__}.{op.api}.models")


def return_type(client: Any, op: Operation) -> Any:
    method = find_method(getattr(client, op.api), op, raw=False)
    return typing.get_type_hints(method)["return"]


def check_success(
    raw: Any,
    op: Operation,
    status: int,
    example: Example | None,
    expected_type: Any,
    *,
    strict: bool,
    examples_match_schemas: bool | None = None,
) -> None:
    """A documented success: accepted by Prism, the documented status, parsed into the documented
    model, and the parsed tree equal to the example Prism served. `strict`: no JSON field may be
    missing from the models; `examples_match_schemas` (default: `strict`): Prism found the served
    example valid against its schema."""
    response: httpx.Response = raw.http_response
    assert_request_accepted(response)
    assert raw.status_code == status, describe_exchange(response)
    if strict if examples_match_schemas is None else examples_match_schemas:
        assert not response_violations(response), (
            "the spec's own example does not match its schema:\n" + describe_exchange(response)
        )
    if isinstance(expected_type, type):
        assert isinstance(raw.parsed, expected_type), (
            f"{op.label}: parsed a {type(raw.parsed).__name__}, expected {expected_type.__name__}"
        )
    if example is not None:
        problems = list(differences(raw.parsed, example.value, strict=strict))
        assert not problems, f"{op.label} parsed example {example.name!r} wrongly:\n" + "\n".join(
            problems
        )
    elif isinstance(raw.parsed, pydantic.BaseModel):
        # No example: Prism built the body from the schema; it must still parse without losses.
        problems = list(differences(raw.parsed, response.json(), strict=strict))
        assert not problems, f"{op.label}:\n" + "\n".join(problems)


def check_error(
    package: ModuleType,
    error: BaseException,
    op: Operation,
    status: int,
    example: Example | None,
    *,
    strict: bool,
) -> None:
    """A documented error status: the typed error for it, with the body normalised."""
    expected_class = getattr(package, error_class_name(status))
    assert type(error) is expected_class, (
        f"{op.label} {status}: raised {type(error).__name__}: {error}"
    )
    response: httpx.Response = error.response  # type: ignore[attr-defined]
    assert_request_accepted(response)
    assert error.status_code == status  # type: ignore[attr-defined]
    if strict and example is not None:
        # Prism checks the example against the schema: a deliberate quirk must show as a violation
        # (so the quirk really is what the client got), and nothing else may.
        found = response_violations(response)
        if example.is_documented_quirk:
            assert found, f"the documented quirk {example.name!r} matches its schema after all"
        else:
            assert not found, (
                "the spec's own example does not match its schema:\n" + describe_exchange(response)
            )
    details = error.errors  # type: ignore[attr-defined]
    assert details, f"{op.label} {status}: no error details parsed from {response.text!r}"
    assert isinstance(details[0].status, int) and not isinstance(details[0].status, bool)
    assert details[0].status == status, details
    assert details[0].title, details
    if example is not None:
        want = expected_errors(example.value, status)
        got = [(d.status, d.title, d.detail) for d in details]
        assert got == [(w.status, w.title, w.detail) for w in want], (
            f"{op.label} {status} example {example.name!r}: normalised {got} from {response.text}"
        )
