"""The committed client (`generated/ep_jobs`) against Prism serving each configured spec.

Every operation of every spec in `[tool.jobgen] specs`, sync and async: every documented success
example parses into the documented model, every documented error status (each of its examples)
raises the typed error with a normalised body, and Prism accepts every request the client sends.
The cases are read from the specs, so a new operation, status or example is covered as it lands.
"""

from __future__ import annotations

import datetime
import json
import typing
from typing import Any

import ep_jobs  # the committed package: tests/contract/conftest.py puts generated/ on sys.path
import pytest
from pydantic import BaseModel

from generator import naming

from .client_calls import (
    MODES,
    call,
    check_error,
    check_success,
    models_of,
    open_client,
    return_type,
)
from .conftest import project_specs
from .openapi_cases import (
    Example,
    Operation,
    assert_request_accepted,
    case_id,
    every_example,
    find_method,
    operations,
    prefer,
    request_problems,
)

OPERATIONS = [op for api, spec in project_specs().items() for op in operations(spec, api)]


def _success_cases() -> list[Any]:
    return [
        pytest.param(
            op,
            example,
            mode,
            id=case_id(op.label, op.success.status, example and example.name, mode),
        )
        for op in OPERATIONS
        for example in every_example(op.success)
        for mode in MODES
    ]


def _error_cases() -> list[Any]:
    return [
        pytest.param(
            op,
            response.status,
            example,
            mode,
            id=case_id(op.label, response.status, example and example.name, mode),
        )
        for op in OPERATIONS
        for response in op.errors
        for example in every_example(response)
        for mode in MODES
    ]


def _request_example_cases() -> list[Any]:
    """Every request-body example beyond the first (the first is sent by every other case)."""
    return [
        pytest.param(op, example, mode, id=case_id(op.label, example.name, mode))
        for op in OPERATIONS
        if op.body is not None
        for example in op.body.examples[1:]
        for mode in MODES
    ]


def test_the_specs_have_operations_and_documented_errors() -> None:
    by_api = {api: [op for op in OPERATIONS if op.api == api] for api in project_specs()}
    assert all(by_api.values()), by_api
    assert all(op.errors for op in OPERATIONS), [op.label for op in OPERATIONS if not op.errors]


@pytest.mark.parametrize(("op", "example", "mode"), _success_cases())
async def test_success_response_parses_into_the_documented_model(
    project_prism: dict[str, str], op: Operation, example: Example | None, mode: str
) -> None:
    status = op.success.status
    async with open_client(ep_jobs, mode, project_prism[op.api]) as client:
        expected = return_type(client, op)
        if op.success.schema_ref:
            # The documented schema's model, named from the spec, is what the method promises.
            assert expected is getattr(
                models_of(ep_jobs, op), naming.class_name(op.success.schema_ref)
            )
        raw = await call(client, op, op.arguments(), prefer(status, example), raw=True)
        check_success(raw, op, status, example, expected, strict=True)
        plain = await call(client, op, op.arguments(), prefer(status, example), raw=False)
        assert plain == raw.parsed


@pytest.mark.parametrize(("op", "status", "example", "mode"), _error_cases())
async def test_error_status_raises_the_typed_error_with_normalised_details(
    project_prism: dict[str, str], op: Operation, status: int, example: Example | None, mode: str
) -> None:
    async with open_client(ep_jobs, mode, project_prism[op.api]) as client:
        with pytest.raises(ep_jobs.APIStatusError) as caught:
            await call(client, op, op.arguments(), prefer(status, example), raw=True)
    check_error(ep_jobs, caught.value, op, status, example, strict=True)


@pytest.mark.parametrize(("op", "example", "mode"), _request_example_cases())
async def test_every_request_example_is_accepted(
    project_prism: dict[str, str], op: Operation, example: Example, mode: str
) -> None:
    async with open_client(ep_jobs, mode, project_prism[op.api]) as client:
        raw = await call(
            client, op, op.arguments(example), prefer(op.success.status, None), raw=True
        )
    assert_request_accepted(raw.http_response)
    assert json.loads(raw.http_response.request.content) == example.value
    assert raw.status_code == op.success.status


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "op",
    [op for op in OPERATIONS if any(not p.required for p in op.params)],
    ids=lambda op: op.label,
)
async def test_optional_parameters_are_sent_and_accepted(
    project_prism: dict[str, str], op: Operation, mode: str
) -> None:
    optional = {p.py_name: p.sample for p in op.params if not p.required}
    async with open_client(ep_jobs, mode, project_prism[op.api]) as client:
        raw = await call(client, op, {**op.arguments(), **optional}, {}, raw=True)
    assert_request_accepted(raw.http_response)
    sent = raw.http_response.request.url.params
    for param in op.params:
        if not param.required and param.where == "query":
            assert sent.get(param.wire_name) == param.sample, raw.http_response.request.url


def _body_model(client: Any, op: Operation) -> type[BaseModel] | None:
    """The request model the generated method accepts for its body, if it takes one."""
    hint = typing.get_type_hints(find_method(getattr(client, op.api), op, raw=False))["body"]
    return next(
        (t for t in typing.get_args(hint) if isinstance(t, type) and issubclass(t, BaseModel)),
        None,
    )


def _typed_body_cases() -> list[Any]:
    with ep_jobs.Client(base_url="http://127.0.0.1:9", auth="unused") as offline:
        return [
            pytest.param(op, example, mode, id=case_id(op.label, example.name, mode))
            for op in OPERATIONS
            if op.body is not None and _body_model(offline, op) is not None
            for example in op.body.examples
            for mode in MODES
        ]


@pytest.mark.parametrize(("op", "example", "mode"), _typed_body_cases())
async def test_typed_request_models_serialise_as_the_spec_says(
    project_prism: dict[str, str], op: Operation, example: Example, mode: str
) -> None:
    """A request model built from the spec's example goes out as that example, and Prism takes it."""
    async with open_client(ep_jobs, mode, project_prism[op.api]) as client:
        model = _body_model(client, op)
        assert model is not None
        body = model.model_validate(example.value)
        raw = await call(client, op, {**op.arguments(), "body": body}, {}, raw=True)
    assert_request_accepted(raw.http_response)
    assert json.loads(raw.http_response.request.content) == example.value


async def test_spot_checks_of_parsed_values(project_prism: dict[str, str]) -> None:
    """A few values read through the typed attributes a user would write."""
    utc = datetime.UTC
    with ep_jobs.Client(base_url=project_prism["exporter"], auth="test-token") as client:
        created = client.exporter.jobs.create_job(body={"data": {"job_type": "order_export"}})
        assert created.data is not None and created.data[0].job_type == "order_export"
        assert created.data[0].timestamps is not None
        assert created.data[0].timestamps.created_at == "2018-10-04T11:08:49.156490335Z"
        file = client.exporter.jobs.get_a_job_file("974c9db4-38da-4dbf-90c2-33eed5f3e77c")
        assert file.data is not None and file.data.href and file.data.href.endswith(".csv")
    with ep_jobs.Client(base_url=project_prism["pcm"], auth="test-token") as client:
        job = client.pcm.jobs.get_job(
            "1ea62172-57f6-45e5-a708-ab5bd634e3f9",
            options={"extra_headers": {"Prefer": "example=product-export"}},
        )
        attributes = job.data.attributes
        assert attributes is not None
        assert attributes.status is ep_jobs.pcm.models.JobAttributesStatus.SUCCESS
        assert attributes.type is ep_jobs.pcm.models.JobAttributesType.PRODUCT_EXPORT
        assert attributes.created_at == datetime.datetime(2024, 1, 5, 15, 27, 23, 161000, utc)
        assert job.data.meta is not None and job.data.meta.file_locations == []
    async with ep_jobs.AsyncClient(base_url=project_prism["promotions"], auth="t") as aclient:
        jobs = await aclient.promotions.promotion_jobs.get_promotion_jobs("promo-1")
        assert jobs.data is not None and jobs.data[0].status == "failed"
        assert jobs.data[0].parameters is not None
        assert jobs.data[0].parameters.number_of_codes == 1000
        assert jobs.meta is not None and jobs.meta.page is not None and jobs.meta.page.limit == 25


# -- the checks themselves must be able to fail ------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_prism_rejects_a_wrong_body_and_the_check_notices(
    project_prism: dict[str, str], mode: str
) -> None:
    """The exporter documents no 4xx for a bad body, so Prism answers with its own problem+json."""
    op = next(
        o for o in OPERATIONS if o.api == "exporter" and o.body is not None and o.body.required
    )
    async with open_client(ep_jobs, mode, project_prism["exporter"]) as client:
        with pytest.raises(ep_jobs.UnprocessableEntityError) as caught:
            await call(
                client,
                op,
                {**op.arguments(), "body": {"data": "not an object"}},
                {},
                raw=True,
                check_request=False,
            )
    with pytest.raises(AssertionError, match="Prism rejected the request"):
        assert_request_accepted(caught.value.response)


@pytest.mark.parametrize("mode", MODES)
async def test_a_rejected_request_is_noticed_even_when_the_spec_documents_the_422(
    project_prism: dict[str, str], mode: str
) -> None:
    """PCM documents a 422: Prism answers an invalid request with that example, and only its
    `sl-violations` header tells it apart from the 422 a test asks for with `Prefer`."""
    op = next(o for o in OPERATIONS if o.api == "pcm" and o.body is not None)
    async with open_client(ep_jobs, mode, project_prism["pcm"]) as client:
        with pytest.raises(ep_jobs.UnprocessableEntityError) as caught:
            await call(
                client,
                op,
                {**op.arguments(), "body": ["not", "an", "object"]},
                prefer(op.success.status, None),
                raw=True,
                check_request=False,
            )
    assert request_problems(caught.value.response)
    with pytest.raises(AssertionError, match="Prism rejected the request"):
        check_error(ep_jobs, caught.value, op, 422, None, strict=True)


@pytest.mark.parametrize("mode", MODES)
async def test_prism_enforces_the_bearer_token(project_prism: dict[str, str], mode: str) -> None:
    op = OPERATIONS[0]
    async with open_client(ep_jobs, mode, project_prism[op.api], auth=None) as client:
        with pytest.raises(ep_jobs.AuthenticationError) as caught:
            await call(client, op, op.arguments(), {}, raw=True, check_request=False)
    assert request_problems(caught.value.response)  # Prism's own 401, not a spec example


async def test_a_wrong_parsed_value_is_noticed(project_prism: dict[str, str]) -> None:
    op = next(o for o in OPERATIONS if o.success.examples)
    example = op.success.examples[0]
    async with open_client(ep_jobs, "sync", project_prism[op.api]) as client:
        raw = await call(client, op, op.arguments(), prefer(op.success.status, example), raw=True)
        altered = Example(example.name, {**example.value, "data": "something else"})
        with pytest.raises(AssertionError, match="parsed example"):
            check_success(raw, op, op.success.status, altered, None, strict=True)
