"""A job API invented here, unlike the three real ones, is handled by writing a profile only.

Its envelope is `result` (not `data`), the job sits under `job.state`, times are epoch-like strings
under `clock`, and its status words are its own (`QUEUED`, `CRUNCHING`, `DONE`, `BROKEN`, `ABORTED`).
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from generator.config import Config
from generator.format import ruff_binary
from generator.output import write_output
from generator.pipeline import run

from .conftest import write_spec

BASE = "https://reports.example.test"

SPEC = """
openapi: 3.0.3
info: {title: Reports, version: '0.9'}
servers: [{url: 'https://reports.example.test', description: Local}]
paths:
  /reports/runs:
    post:
      operationId: startRun
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {report: {type: string}}}
      responses:
        '200':
          description: started
          content: {application/json: {schema: {$ref: '#/components/schemas/RunEnvelope'}}}
  /reports/runs/{runId}:
    get:
      operationId: readRun
      parameters: [{name: runId, in: path, required: true, schema: {type: string}}]
      responses:
        '200':
          description: the run
          content: {application/json: {schema: {$ref: '#/components/schemas/RunEnvelope'}}}
  /reports/runs/{runId}/abort:
    put:
      operationId: abortRun
      parameters: [{name: runId, in: path, required: true, schema: {type: string}}]
      responses:
        '200':
          description: aborted
          content: {application/json: {schema: {$ref: '#/components/schemas/RunEnvelope'}}}
components:
  schemas:
    RunEnvelope:
      type: object
      properties:
        result: {$ref: '#/components/schemas/Run'}
    Run:
      type: object
      properties:
        ident: {type: string}
        job:
          type: object
          properties:
            state: {type: string, enum: [QUEUED, CRUNCHING, DONE, BROKEN, ABORTED]}
            kind: {type: string}
            why: {type: string, nullable: true}
        clock:
          type: object
          properties:
            opened: {type: string}
            touched: {type: string}
        outputs:
          type: array
          items: {type: object, properties: {url: {type: string}}}
"""

PROFILE = """
version: 1
profiles:
  - api: reports
    resource_type: run
    job_param: runId
    operations:
      create: POST /reports/runs
      get: GET /reports/runs/{runId}
      cancel: PUT /reports/runs/{runId}/abort
    envelope: result
    fields:
      id: ident
      kind: job.kind
      status: job.state
      created_at: clock.opened
      updated_at: clock.touched
      error: job.why
      result_links: outputs[].url
    cancellable: [queued]
    statuses:
      pending: [queued]
      running: [crunching]
      succeeded: [done]
      failed: [broken]
      cancelled: [aborted]
"""


def _run(state: str, why: str | None = None) -> dict[str, Any]:
    return {
        "result": {
            "ident": "r-1",
            "job": {"state": state, "kind": "sales", "why": why},
            "clock": {
                "opened": "2024-03-01T10:00:00",
                "touched": "2024-03-01T10:05:00.123456789+02:00",
            },
            "outputs": [{"url": f"{BASE}/files/r-1.csv"}] if state == "DONE" else [],
        }
    }


@pytest.fixture(scope="module")
def reports_pkg_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("invented")
    spec = write_spec(folder, SPEC, "reports.yaml")
    profile = write_spec(folder, PROFILE, "jobs.yaml")
    out = folder / "out"
    result = run(Config(specs=(spec,), output=out, package="reportspkg", profiles=(profile,)))
    write_output(result.files, out)
    return out


@respx.mock
def test_wait_and_download_through_the_profile_alone(
    reports_pkg_dir: Path, import_fresh, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    pkg = import_fresh(reports_pkg_dir, "reportspkg")
    respx.post(f"{BASE}/reports/runs").mock(return_value=httpx.Response(200, json=_run("QUEUED")))
    respx.get(f"{BASE}/reports/runs/r-1").mock(
        side_effect=[
            httpx.Response(200, json=_run("CRUNCHING")),
            httpx.Response(200, json=_run("DONE")),
        ]
    )
    respx.get(f"{BASE}/files/r-1.csv").mock(return_value=httpx.Response(200, content=b"a,b\n1,2\n"))
    slept: list[float] = []
    with pkg.Client(auth="t") as client:
        jobs = pkg.Jobs(client, client.jobs.profiles, sleep=slept.append, clock=lambda: 0.0)
        job = jobs.create("reports", {"report": "sales"})
        assert (job.id, job.kind, job.status, job.raw_status) == (
            "r-1",
            "sales",
            pkg.JobStatus.PENDING,
            "QUEUED",
        )
        assert job.created_at is not None and job.created_at.tzinfo is not None
        done = jobs.wait(job, timeout=60)
        assert done.status is pkg.JobStatus.SUCCEEDED and done.result_links == [
            f"{BASE}/files/r-1.csv"
        ]
        assert done.updated_at is not None and done.updated_at.utcoffset().total_seconds() == 7200
        paths = jobs.download(done, tmp_path)
    assert [p.read_bytes() for p in paths] == [b"a,b\n1,2\n"]
    assert slept, "wait polled without backing off"


@respx.mock
def test_failure_and_cancel_follow_the_profile(reports_pkg_dir: Path, import_fresh) -> None:  # type: ignore[no-untyped-def]
    pkg = import_fresh(reports_pkg_dir, "reportspkg")
    respx.get(f"{BASE}/reports/runs/r-1").mock(
        return_value=httpx.Response(200, json=_run("BROKEN", "disk full"))
    )
    abort = respx.put(f"{BASE}/reports/runs/r-1/abort").mock(
        return_value=httpx.Response(200, json=_run("ABORTED"))
    )
    with pkg.Client(auth="t") as client:
        jobs = pkg.Jobs(client, client.jobs.profiles, sleep=lambda s: None, clock=lambda: 0.0)
        with pytest.raises(pkg.JobFailedError, match="disk full"):
            jobs.wait(jobs.get("reports", "r-1"))
        queued = jobs.from_response("reports", _run("QUEUED"))
        cancelled = jobs.cancel(queued)
    assert abort.called and cancelled.status is pkg.JobStatus.CANCELLED


def test_an_untyped_job_object_gives_a_clean_package(tmp_path: Path, import_fresh) -> None:  # type: ignore[no-untyped-def]
    """With the envelope's job untyped, the profile has no model: `_profiles.py` must not import
    the API's models module it does not use (ruff would refuse the package)."""
    untyped = SPEC.replace("result: {$ref: '#/components/schemas/Run'}", "result: {}")
    assert untyped != SPEC
    spec = write_spec(tmp_path, untyped, "reports.yaml")
    profile = write_spec(tmp_path, PROFILE, "jobs.yaml")
    out = tmp_path / "out"
    result = run(Config(specs=(spec,), output=out, package="untypedpkg", profiles=(profile,)))
    write_output(result.files, out)
    check = subprocess.run(
        [ruff_binary(), "check", "--no-cache", "untypedpkg/_profiles.py"],
        cwd=out,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout
    pkg = import_fresh(out, "untypedpkg")
    assert pkg.Client(auth="t").jobs.profiles["reports"].model is None
