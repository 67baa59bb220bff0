"""Snapshots of the intermediate representation built from each of the project's specs."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from generator.config import load_config
from generator.diagnostics import Location
from generator.pipeline import build_project

from .conftest import ROOT


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            "@": type(value).__name__,
            **{f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)},
        }
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Location):
        return {"@": "Location", "file": value.file, "pointer": value.pointer, "line": value.line}
    return value


@pytest.fixture(scope="module")
def project(request: pytest.FixtureRequest) -> Any:
    old = Path.cwd()
    import os

    os.chdir(ROOT)
    try:
        # A relative config path keeps machine paths out of the snapshots.
        config = load_config(Path("pyproject.toml"))
        project, reports = build_project(config)
    finally:
        os.chdir(old)
    return project, reports


@pytest.mark.parametrize("api", ["exporter", "pcm", "promotions"])
def test_ir_snapshot(api: str, project: Any, snapshot) -> None:  # type: ignore[no-untyped-def]
    ir_project, _ = project
    found = next(a for a in ir_project.apis if a.name == api)
    assert json.dumps(_plain(found), indent=1, sort_keys=True) == snapshot


def test_project_specs_have_no_warnings(project: Any) -> None:
    _, reports = project
    assert [str(w) for r in reports for w in r.collector.warnings + r.collector.skipped] == []


def test_the_exporter_create_call_returns_an_array_of_jobs(project: Any) -> None:
    ir_project, _ = project
    exporter = next(a for a in ir_project.apis if a.name == "exporter")
    create = next(op for op in exporter.operations if op.operation_id == "createJob")
    (response,) = create.success_responses
    assert response.status == "202"
    model = next(m for m in exporter.models if m.name == response.type.name)  # type: ignore[union-attr]
    data = next(f for f in model.fields if f.wire_name == "data")
    assert type(data.type).__name__ == "ListType"


def test_profiles_become_job_families(project: Any) -> None:
    ir_project, _ = project
    families = {family.name: family for a in ir_project.apis for family in a.jobs}
    create = families["exporter"].operation("create")
    assert create is not None and (create.api, create.method, create.path) == (
        "exporter",
        "POST",
        "/v2/jobs",
    )
    assert families["promotions"].operation("get") is None
    assert families["promotions"].parent_params == ("promotionID",)
    assert {s.word: s.status for s in families["promotions"].statuses}["complete"] == "succeeded"
    assert families["pcm"].model == "Job"
    assert families["pcm"].cancel is not None and not families["pcm"].cancel.removes_job
