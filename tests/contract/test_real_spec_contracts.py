"""A client generated from the published specs (../shared/real-specs), against Prism serving them.

Covered: every job operation (exporter: all of it; pim: /pcm/jobs*; promotions:
/v2/promotions/{promotionID}/jobs*) with every documented status and example, and every other GET
operation that needs no query, header or body (a sample of the rest of each API), sync and async.
Prism must accept every request; responses must parse. The published examples do not always match
their own schemas: that is the specs' fault, so it is not held against the client here.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ..conftest import REAL_SPEC_NAMES, REAL_SPECS
from .client_calls import MODES, call, check_error, check_success, open_client, return_type
from .conftest import PrismStartError, RealBuild
from .openapi_cases import (
    HTTP_METHODS,
    Example,
    Operation,
    case_id,
    every_example,
    load_spec,
    operation_at,
    prefer,
    resolve,
)

# What counts as a job operation, per published spec.
JOB_PATHS = {
    "exporter": "/",
    "pim": "/pcm/jobs",
    "promotions": "/v2/promotions/{promotionID}/jobs",
}
CLIENT_HEADERS = {"authorization", "accept", "content-type"}


def _plain_get(doc: dict[str, Any], item: dict[str, Any], op: dict[str, Any]) -> bool:
    params = [
        resolve(doc, p) for p in (item.get("parameters") or []) + (op.get("parameters") or [])
    ]
    return not any(
        p.get("required") and p["in"] != "path" and p["name"].lower() not in CLIENT_HEADERS
        for p in params
    )


def _selected() -> list[tuple[str, Path, str, str, bool]]:
    """(api, spec, METHOD, path, is a job operation) for every operation under test."""
    specs = {name: REAL_SPECS / f"{name}.yaml" for name in REAL_SPEC_NAMES}
    if not all(path.is_file() for path in specs.values()):
        return []
    chosen = []
    for api, spec in specs.items():
        doc = load_spec(spec)
        for path, raw_item in doc["paths"].items():
            item = resolve(doc, raw_item)
            for method in HTTP_METHODS:
                op = item.get(method)
                if not isinstance(op, dict):
                    continue
                is_job = path.startswith(JOB_PATHS[api])
                if is_job or (method == "get" and _plain_get(doc, item, op)):
                    chosen.append((api, spec, method.upper(), path, is_job))
    return chosen


SELECTED = _selected()
# With the specs absent there is nothing to collect; one case remains to report the skip.
_ABSENT = [pytest.param(None, None, None, "sync", id="real-specs-absent")]


def _cases(kind: str) -> list[Any]:
    cases = []
    for api, spec, method, path, is_job in SELECTED:
        if kind == "error" and not is_job:
            continue
        probe = operation_at(spec, method, path, "probe", api)
        if kind == "success":
            responses = [
                (probe.success.status, example) for example in every_example(probe.success)
            ]
            if not is_job:
                responses = responses[:1]
        else:
            responses = [(r.status, example) for r in probe.errors for example in every_example(r)]
        for status, example in responses:
            for mode in MODES:
                name = case_id(api, method, path, status, example and example.name, mode)
                cases.append(pytest.param((api, method, path), status, example, mode, id=name))
    return cases or _ABSENT


@pytest.fixture(scope="module")
def ep(real_build: RealBuild) -> Iterator[ModuleType]:
    """The generated package, imported for this module and forgotten after it (the name `ep` is
    also used by tests/test_real_specs.py)."""
    package = real_build.package

    def forget() -> None:
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]

    forget()  # whatever another test left under that name
    sys.path.insert(0, str(real_build.folder))
    importlib.invalidate_caches()
    try:
        yield importlib.import_module(package)
    finally:
        forget()
        sys.path.remove(str(real_build.folder))


def _operation(real_build: RealBuild, key: tuple[str, str, str]) -> Operation:
    """The spec's operation, with the names the generator gave it and its parameters."""
    api, method, path = key
    ir_api = next(a for a in real_build.project.apis if a.name == api)
    ir_op = next(o for o in ir_api.operations if o.method == method and o.path == path)
    op = operation_at(real_build.specs[api], method, path, ir_op.py_name, api)
    names = {(p.wire_name, p.where): p.py_name for p in ir_op.params}
    params = tuple(
        replace(p, py_name=names[(p.wire_name, p.where)])
        for p in op.params
        if (p.wire_name, p.where) in names
    )
    missing = [p.wire_name for p in op.params if (p.wire_name, p.where) not in names and p.required]
    assert not missing, f"{method} {path}: the generated method takes no {missing}"
    return replace(op, params=params)


def _server(real_prism: dict[str, str | PrismStartError], api: str) -> str:
    found = real_prism[api]
    if isinstance(found, PrismStartError):
        pytest.xfail(f"Prism 5 cannot load the published {api} spec: {found.prism_error}")
    return found


@pytest.mark.parametrize(("key", "status", "example", "mode"), _cases("success"))
async def test_success_response_parses(
    real_build: RealBuild,
    real_prism: dict[str, Any],
    ep: ModuleType,
    key: tuple[str, str, str] | None,
    status: int,
    example: Example | None,
    mode: str,
) -> None:
    assert key is not None, "unreachable: real_build skips when the specs are absent"
    op = _operation(real_build, key)
    async with open_client(ep, mode, _server(real_prism, op.api)) as client:
        expected = return_type(client, op)
        raw = await call(client, op, op.arguments(), prefer(status, example), raw=True)
    check_success(raw, op, status, example, expected, strict=True, examples_match_schemas=False)


@pytest.mark.parametrize(("key", "status", "example", "mode"), _cases("error"))
async def test_error_status_raises_the_typed_error(
    real_build: RealBuild,
    real_prism: dict[str, Any],
    ep: ModuleType,
    key: tuple[str, str, str] | None,
    status: int,
    example: Example | None,
    mode: str,
) -> None:
    assert key is not None, "unreachable: real_build skips when the specs are absent"
    op = _operation(real_build, key)
    async with open_client(ep, mode, _server(real_prism, op.api)) as client:
        with pytest.raises(ep.APIStatusError) as caught:
            await call(client, op, op.arguments(), prefer(status, example), raw=True)
    check_error(ep, caught.value, op, status, example, strict=False)


def test_every_job_operation_is_covered() -> None:
    if not SELECTED:
        pytest.skip(f"real specs not found in {REAL_SPECS}")
    jobs = {(api, method, path) for api, _, method, path, is_job in SELECTED if is_job}
    assert {api for api, _, _ in jobs} == set(JOB_PATHS), jobs
    assert ("pim", "POST", "/pcm/jobs/{jobID}/cancel") in jobs
    assert ("promotions", "GET", "/v2/promotions/{promotionID}/jobs/{jobID}/file") in jobs
