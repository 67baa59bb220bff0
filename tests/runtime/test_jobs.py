"""The normalised jobs runtime (`_jobs.py`, `_job_flow.py`, `_job_model.py`), sync and async.

HTTP is mocked with respx; time is a fake clock that only the fake sleep moves, so nothing here
really sleeps. Every facade test runs twice, against `Jobs` and `AsyncJobs`.
"""

from __future__ import annotations

import base64
import dataclasses
import inspect
import json
import logging
import os
import re
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import httpx
import pydantic
import pytest
import respx
import yaml
from rt_pkg._base_client import AsyncAPIClient, SyncAPIClient
from rt_pkg._constants import DEFAULT_POLL_JITTER
from rt_pkg._exceptions import (
    APIConnectionError,
    APIStatusError,
    JobCancelledError,
    JobError,
    JobFailedError,
    JobOperationNotSupported,
    JobStatusUnknownError,
    JobTimeoutError,
    NotFoundError,
    ResponseValidationError,
)
from rt_pkg._jobs import (
    AsyncJobs,
    Cancel,
    Condition,
    Endpoint,
    FieldRule,
    Job,
    JobPayloadError,
    JobProfile,
    Jobs,
    JobStatus,
    ResumeTokenError,
    StateRule,
    job_from_payload,
    parse_timestamp,
)

BASE = "https://useast.api.elasticpath.com"
FILES = "https://files.example.net"
TOKEN = "s3cr3t-bearer-token"
ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
REAL_SPECS = Path(os.environ.get("JOBGEN_REAL_SPECS", SHARED / "real-specs"))

# -- the three APIs, as the generator would describe them -----------------------------------------


class _Model(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="allow")


class ExporterJob(_Model):
    id: str
    type: Literal["job"]
    job_type: str | None = None
    status: str
    error: str | None = None


class PimJobAttributes(_Model):
    status: Literal["pending", "cancelled", "started", "success", "failed"]
    type: str | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None


class PimJob(_Model):
    id: str
    type: Literal["pim-job"]
    attributes: PimJobAttributes


class PromotionJob(_Model):
    id: str
    type: Literal["promotion_job"]
    job_type: str | None = None
    status: str


EXPORTER = JobProfile(
    api="exporter",
    resource_type="job",
    job_param="jobID",
    parent_params=(),
    envelope="data",
    create=Endpoint("POST", "/v2/jobs"),
    list=Endpoint("GET", "/v2/jobs"),
    get=Endpoint("GET", "/v2/jobs/{jobID}"),
    cancel=None,
    errors=None,
    file=Endpoint("GET", "/v2/jobs/{jobID}/file"),
    fields={
        "id": "id",
        "kind": "job_type",
        "status": "status",
        "error": "error",
        "created_at": "timestamps.created_at",
        "updated_at": "timestamps.updated_at",
        "result_links": "link.href",
    },
    file_link="data.href",
    error_messages=None,
    cancellable=(),
    statuses={
        "pending": JobStatus.PENDING,
        "started": JobStatus.RUNNING,
        "success": JobStatus.SUCCEEDED,
        "failed": JobStatus.FAILED,
    },
    model=ExporterJob,
)
PCM = JobProfile(
    api="pcm",
    resource_type="pim-job",
    job_param="jobID",
    parent_params=(),
    envelope="data",
    create=None,
    list=Endpoint("GET", "/pcm/jobs"),
    get=Endpoint("GET", "/pcm/jobs/{jobID}"),
    cancel=Endpoint("POST", "/pcm/jobs/{jobID}/cancel"),
    errors=Endpoint("GET", "/pcm/jobs/{jobID}/errors"),
    file=None,
    fields={
        "id": "id",
        "kind": "attributes.type",
        "status": "attributes.status",
        "created_at": "attributes.created_at",
        "updated_at": "attributes.updated_at",
        "started_at": "attributes.started_at",
        "finished_at": "attributes.completed_at",
        "result_links": "meta.file_locations[]",
    },
    file_link=None,
    error_messages="data[].attributes.message",
    cancellable=("pending",),
    statuses={
        "pending": JobStatus.PENDING,
        "started": JobStatus.RUNNING,
        "success": JobStatus.SUCCEEDED,
        "failed": JobStatus.FAILED,
        "cancelled": JobStatus.CANCELLED,
    },
    model=PimJob,
)
PROMOTIONS = JobProfile(
    api="promotions",
    resource_type="promotion_job",
    job_param="jobID",
    parent_params=("promotionID",),
    envelope="data",
    create=Endpoint("POST", "/v2/promotions/{promotionID}/jobs"),
    list=Endpoint("GET", "/v2/promotions/{promotionID}/jobs"),
    get=None,
    cancel=Endpoint("POST", "/v2/promotions/{promotionID}/jobs/{jobID}/cancel"),
    errors=None,
    file=Endpoint("GET", "/v2/promotions/{promotionID}/jobs/{jobID}/file"),
    fields={
        "id": "id",
        "kind": "job_type",
        "status": "status",
        "error": "error",
        "created_at": "meta.timestamps.created_at",
        "updated_at": "meta.timestamps.updated_at",
    },
    file_link="href",
    error_messages=None,
    cancellable=("pending", "processing"),
    statuses={
        "pending": JobStatus.PENDING,
        "processing": JobStatus.RUNNING,
        "completed": JobStatus.SUCCEEDED,
        "complete": JobStatus.SUCCEEDED,
        "failed": JobStatus.FAILED,
        "cancelling": JobStatus.CANCELLING,
        "cancelled": JobStatus.CANCELLED,
    },
    model=PromotionJob,
)
# A job API none of the code knows: another envelope, nesting, status words, a DELETE to cancel, a
# parent id, errors in a list of objects, several result files. It works by its profile alone.
REPORTS = JobProfile(
    api="reports",
    resource_type="report_run",
    job_param="runID",
    parent_params=("workspace",),
    envelope="result",
    create=Endpoint("POST", "/reports/v1/{workspace}/runs"),
    list=Endpoint("GET", "/reports/v1/{workspace}/runs"),
    get=Endpoint("GET", "/reports/v1/{workspace}/runs/{runID}"),
    cancel=Endpoint("DELETE", "/reports/v1/{workspace}/runs/{runID}"),
    errors=Endpoint("GET", "/reports/v1/{workspace}/runs/{runID}/problems"),
    file=None,
    fields={
        "id": "ref",
        "kind": "spec.report",
        "status": "state.phase",
        "error": "state.problem",
        "created_at": "state.times.queued",
        "started_at": "state.times.began",
        "finished_at": "state.times.ended",
        "result_links": "outputs[].location",
    },
    file_link=None,
    error_messages="problems[].text",
    cancellable=(),
    statuses={
        "QUEUED": JobStatus.PENDING,
        "CRUNCHING": JobStatus.RUNNING,
        "DONE": JobStatus.SUCCEEDED,
        "BROKEN": JobStatus.FAILED,
        "ABORTING": JobStatus.CANCELLING,
        "ABORTED": JobStatus.CANCELLED,
    },
    model=None,
)
# A job with no status field: its state comes from which fields are set, from its problems list
# (read only when the rules before say nothing), and from a 410 of a read.
BUILDS = JobProfile(
    name="builds",
    api="ci",
    job_param="buildID",
    envelope="build",
    get=Endpoint("GET", "/ci/builds/{buildID}"),
    errors=Endpoint("GET", "/ci/builds/{buildID}/problems"),
    fields={"id": "id", "finished_at": "ended_at", "error": "summary"},
    error_messages="problems[].text",
    state=(
        StateRule(JobStatus.SUCCEEDED, Condition("present", "artifact")),
        StateRule(JobStatus.FAILED, Condition("errors")),
        StateRule(JobStatus.CANCELLED, Condition("http_status", values=(410,))),
        StateRule(JobStatus.RUNNING, Condition("equals", "phase", ("BUILDING", "testing"))),
        StateRule(JobStatus.PENDING),
    ),
)
PROFILES = {p.name: p for p in (EXPORTER, PCM, PROMOTIONS, REPORTS, BUILDS)}


def exporter_job(status: str, job_id: str = "exp-1", **extra: Any) -> dict[str, Any]:
    return {
        "id": job_id,
        "type": "job",
        "job_type": "order_export",
        "status": status,
        "timestamps": {
            "created_at": "2018-10-04T11:08:49.156490335Z",
            "updated_at": "2018-10-04T11:08:49.162867081Z",
        },
        "link": {"href": ""},
        **extra,
    }


def pcm_job(status: str, job_id: str = "pcm-1", files: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "pim-job",
        "id": job_id,
        "attributes": {
            "status": status,
            "type": "product-export",
            "created_at": "2024-01-05T15:27:23.161Z",
            "updated_at": "2024-01-05T15:27:23.65Z",
            "started_at": None,
            "completed_at": None,
        },
        "meta": {"x_request_id": "req-1", "file_locations": files},
    }


def promo_job(status: str, job_id: str = "pj-1", **extra: Any) -> dict[str, Any]:
    return {
        "type": "promotion_job",
        "id": job_id,
        "promotion_id": "promo-1",
        "job_type": "code_export",
        "status": status,
        "meta": {"timestamps": {"created_at": "2023-12-06T13:52:29.587Z"}},
        **extra,
    }


def report_run(phase: str, problem: str | None = None, **times: object) -> dict[str, Any]:
    return {
        "ref": "run-1",
        "spec": {"report": "sales-by-day"},
        "state": {
            "phase": phase,
            "problem": problem,
            "times": {"queued": "2024-03-01T10:00:00+02:00", **times},
        },
        "outputs": [],
    }


def ok(data: object, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"data": data}, headers=headers)


# -- the harness: a fake clock, and one test body for Jobs and AsyncJobs ---------------------------


class FakeTime:
    """A monotonic clock that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


class Either:
    """Drives `Jobs` or `AsyncJobs` with one test body: every method is awaited."""

    def __init__(self, jobs: Jobs | AsyncJobs, time: FakeTime) -> None:
        self.jobs = jobs
        self.time = time
        self.flavour = "async" if isinstance(jobs, AsyncJobs) else "sync"

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self.jobs, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            result = method(*args, **kwargs)
            return await result if inspect.isawaitable(result) else result

        return call

    async def watch(self, job: Job, **kwargs: Any) -> list[Job]:
        if isinstance(self.jobs, AsyncJobs):
            return [snapshot async for snapshot in self.jobs.watch(job, **kwargs)]
        return list(self.jobs.watch(job, **kwargs))


async def make_jobs(
    flavour: str,
    time: FakeTime,
    *,
    base_url: str = BASE,
    random: Callable[[], float] = lambda: 0.0,
) -> Either:
    if flavour == "sync":
        return Either(
            Jobs(
                SyncAPIClient(base_url=base_url, auth=TOKEN, max_retries=0),
                PROFILES,
                clock=time.clock,
                sleep=time.sleep,
                random=random,
            ),
            time,
        )
    return Either(
        AsyncJobs(
            AsyncAPIClient(base_url=base_url, auth=TOKEN, max_retries=0),
            PROFILES,
            clock=time.clock,
            sleep=time.async_sleep,
            random=random,
        ),
        time,
    )


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as mock:
        yield mock


@pytest.fixture(params=["sync", "async"])
async def jobs(request: pytest.FixtureRequest, router: respx.MockRouter) -> AsyncIterator[Either]:
    yield await make_jobs(request.param, FakeTime())


def auth_header(route: respx.Route) -> str | None:
    return route.calls.last.request.headers.get("authorization")


# -- every job example of the seeds and the real specs, normalised ---------------------------------

API_OF_TYPE = {"job": "exporter", "pim-job": "pcm", "promotion_job": "promotions"}


@dataclass(frozen=True)
class Expected:
    status: JobStatus
    created_at: str | None
    updated_at: str | None
    started_at: str | None = None
    finished_at: str | None = None
    error: str | None = None
    result_links: tuple[str, ...] = ()


_EXPORT_ERROR = "No results matched the supplied filter"
# (api, id, raw status, kind) -> what the Job must say. Times are written out in full, with zone.
EXPECTED: dict[tuple[str, str, str, str], Expected] = {
    ("exporter", "00000000-0000-0000-0000-000000000000", "failed", "order_export"): Expected(
        JobStatus.FAILED,
        "2018-10-04T11:08:49.156490+00:00",
        "2018-10-04T11:08:49.162867+00:00",
        error=_EXPORT_ERROR,
        # Its `link.href` ("string") counts only when the job succeeded (result_links' `when`).
    ),
    ("exporter", "974c9db4-38da-4dbf-90c2-33eed5f3e77c", "failed", "order_export"): Expected(
        JobStatus.FAILED,
        "2018-10-04T11:08:49.156490+00:00",
        "2018-10-04T11:08:49.162867+00:00",
        error=_EXPORT_ERROR,
    ),
    ("pcm", "string", "pending", "child-products"): Expected(
        JobStatus.PENDING,
        "2020-09-22T09:00:00+00:00",
        "2020-09-22T09:00:00+00:00",
        "2020-09-22T09:00:00+00:00",
        "2020-09-22T09:00:00+00:00",
        # `file_locations: ["string"]` of a pending job: no result yet (result_links' `when`).
    ),
    ("pcm", "1ea62172-57f6-45e5-a708-ab5bd634e3f9", "started", "product-import"): Expected(
        JobStatus.RUNNING, "2024-01-05T13:46:41.695000+00:00", "2024-01-05T13:46:42.070000+00:00"
    ),
    ("pcm", "3ab3deca-1f11-47b7-a409-24ea3234d72c", "started", "product-import"): Expected(
        JobStatus.RUNNING, "2024-01-05T13:42:41.695000+00:00", "2024-01-05T13:42:42.070000+00:00"
    ),
    ("pcm", "1ea62172-57f6-45e5-a708-ab5bd634e3f9", "success", "product-import"): Expected(
        JobStatus.SUCCEEDED,
        "2024-01-05T13:46:41.695000+00:00",
        "2024-01-05T13:46:42.070000+00:00",
        "2024-01-05T13:46:42.070000+00:00",
        "2024-01-05T13:46:42.142000+00:00",
    ),
    ("pcm", "7e1b9ba1-c844-4556-9b16-4ae3f0988b0f", "success", "product-export"): Expected(
        JobStatus.SUCCEEDED,
        "2024-01-05T15:27:23.161000+00:00",
        "2024-01-05T15:27:23.650000+00:00",
        "2024-01-05T15:27:23.650000+00:00",
        "2024-01-05T15:27:23.663000+00:00",
    ),
    ("pcm", "7e1b9ba1-c844-4556-9b16-4ae3f0988b0f", "pending", "product-import"): Expected(
        JobStatus.PENDING, "2024-01-05T15:27:23.161000+00:00", "2024-01-05T15:27:23.161000+00:00"
    ),
    ("pcm", "7e1b9ba1-c844-4556-9b16-4ae3f0988b0f", "pending", "product-export"): Expected(
        JobStatus.PENDING, "2024-01-05T15:27:23.161000+00:00", "2024-01-05T15:27:23.161000+00:00"
    ),
    ("pcm", "5ba1c98d-87b8-4d63-b2ed-3d3c6c876523", "success", "hierarchy-duplicate"): Expected(
        JobStatus.SUCCEEDED,
        "2024-01-08T11:56:27.553000+00:00",
        "2024-01-08T11:56:29.237000+00:00",
        "2024-01-08T11:56:29.222000+00:00",
        "2024-01-08T11:56:29.257000+00:00",
    ),
    ("pcm", "1d9b101e-a40a-4e53-9f54-08a9ede65019", "pending", "hierarchy-duplicate"): Expected(
        JobStatus.PENDING, "2024-01-11T22:49:10.338000+00:00", "2024-01-11T22:49:10.338000+00:00"
    ),
    ("pcm", "14a0a190-cd03-4d7f-a449-e2051ac539ea", "success", "child-products"): Expected(
        JobStatus.SUCCEEDED,
        "2024-01-08T11:58:04.416000+00:00",
        "2024-01-08T11:58:19.067000+00:00",
        "2024-01-08T11:58:19.067000+00:00",
        "2024-01-08T11:58:19.113000+00:00",
    ),
    ("pcm", "1e5da4bf-b2c0-4619-bb3d-f749875b15bb", "cancelled", "product-import"): Expected(
        JobStatus.CANCELLED, "2023-11-14T15:37:13.589000+00:00", "2023-11-14T15:37:13.589000+00:00"
    ),
    ("promotions", "84d86114-a92d-4c34-92f1-3e36ef6cabeb", "failed", "code_generate"): Expected(
        JobStatus.FAILED,
        "2023-12-06T13:52:29.587000+00:00",
        "2023-12-06T13:54:49.133000+00:00",
        error="codes limit exceeded",
    ),
}


def _job_objects(value: object) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every job object inside a JSON/YAML value, including JSON shown in Markdown descriptions."""
    if isinstance(value, dict):
        kind = value.get("type")
        attributes = value.get("attributes")
        status = attributes.get("status") if isinstance(attributes, dict) else value.get("status")
        if isinstance(kind, str) and kind in API_OF_TYPE and "id" in value and status:
            yield API_OF_TYPE[kind], value
            return
        for item in value.values():
            yield from _job_objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _job_objects(item)
    elif isinstance(value, str) and "```json" in value:
        for block in re.findall(r"```json\s*(.*?)```", value, re.DOTALL):
            try:
                yield from _job_objects(json.loads(block))
            except ValueError:
                continue


def _json_in_text(text: str) -> Iterator[object]:
    """The JSON objects printed in a reference page (the promotions page escapes braces)."""
    text = text.replace("\\{", "{").replace("\\}", "}")
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1:
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            start = text.find("{", start + 1)
            continue
        yield value
        start = text.find("{", end)


def _unique(found: Iterator[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    seen: dict[str, tuple[str, dict[str, Any]]] = {}
    for api, obj in found:
        seen.setdefault(json.dumps(obj, sort_keys=True), (api, obj))
    return list(seen.values())


def seed_examples() -> list[tuple[str, str, dict[str, Any]]]:
    # Seed 002 is the exporter spec flattened onto one line (no JSON to read); its examples are
    # the ones in real-specs/exporter.yaml.
    return [
        (path.name, api, obj)
        for path in sorted(SEEDS.glob("*.txt"))
        for api, obj in _unique(_job_objects(list(_json_in_text(path.read_text("utf-8")))))
    ]


def real_spec_examples() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for name in ("exporter.yaml", "pim.yaml", "promotions.yaml"):
        document = yaml.load((REAL_SPECS / name).read_text("utf-8"), Loader=yaml.CSafeLoader)
        found += [(name, api, obj) for api, obj in _unique(_job_objects(document))]
    return found


def _example_params() -> list[Any]:
    params: list[Any] = []
    for folder, read in ((SEEDS, seed_examples), (REAL_SPECS, real_spec_examples)):
        if not folder.is_dir():
            params.append(pytest.param(None, marks=pytest.mark.skip(f"{folder} is absent")))
            continue
        for n, (source, api, obj) in enumerate(read()):
            params.append(pytest.param((api, obj), id=f"{source}-{n}-{api}"))
    return params


def _key(api: str, obj: dict[str, Any]) -> tuple[str, str, str, str]:
    job = job_from_payload(PROFILES[api], obj)
    return api, job.id, job.raw_status, job.kind or ""


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    assert value.tzinfo is not None, "times must be timezone-aware"
    return value.isoformat()


@pytest.mark.parametrize("example", _example_params())
def test_every_documented_job_example_normalises(example: tuple[str, dict[str, Any]]) -> None:
    api, obj = example
    job = job_from_payload(PROFILES[api], obj)
    key = _key(api, obj)
    assert key in EXPECTED, f"add the documented job example {key} to EXPECTED"
    want = EXPECTED[key]
    assert job.api == api
    assert job.status is want.status
    assert (
        _iso(job.created_at),
        _iso(job.updated_at),
        _iso(job.started_at),
        _iso(job.finished_at),
    ) == (want.created_at, want.updated_at, want.started_at, want.finished_at)
    assert job.error == want.error
    assert tuple(job.result_links) == want.result_links
    assert job.raw == obj
    assert isinstance(job.model, PROFILES[api].model)


def test_the_seeds_hold_the_job_examples_the_table_expects() -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} is absent")
    found = [(api, _key(api, obj)) for _, api, obj in seed_examples()]
    per_api = {
        api: sum(1 for a, _ in found if a == api) for api in ("exporter", "pcm", "promotions")
    }
    # If the extraction broke, the parametrised test above would pass vacuously.
    assert per_api == {"exporter": 2, "pcm": 8, "promotions": 1}


def test_every_expected_example_is_still_documented() -> None:
    if not (SEEDS.is_dir() and REAL_SPECS.is_dir()):
        pytest.skip("seeds or real specs are absent")
    documented = {_key(api, obj) for _, api, obj in seed_examples() + real_spec_examples()}
    assert set(EXPECTED) == documented


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2018-10-04T11:08:49.156490335Z", "2018-10-04T11:08:49.156490+00:00"),
        ("2018-10-04T11:08:49.999999999Z", "2018-10-04T11:08:49.999999+00:00"),  # truncated
        ("2020-09-22T09:00:00", "2020-09-22T09:00:00+00:00"),  # no zone: UTC
        ("2024-01-05T13:46:42.07Z", "2024-01-05T13:46:42.070000+00:00"),
        ("2024-01-05T13:46:42.07z", "2024-01-05T13:46:42.070000+00:00"),
        ("2024-03-01T10:00:00+02:00", "2024-03-01T10:00:00+02:00"),
        ("2024-03-01T10:00:00.5-0530", "2024-03-01T10:00:00.500000-05:30"),
        ("2024-03-01 10:00:00+01", "2024-03-01T10:00:00+01:00"),
        ("2024-03-01", "2024-03-01T00:00:00+00:00"),
        (1709287200, "2024-03-01T10:00:00+00:00"),
    ],
)
def test_timestamps_become_aware_datetimes(text: str | int, expected: str) -> None:
    assert parse_timestamp(text).isoformat() == expected


@pytest.mark.parametrize("bad", ["yesterday", "2024-13-01T00:00:00Z", "", None, True, [1]])
def test_unreadable_timestamps_raise(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(bad)


def test_an_unreadable_timestamp_leaves_the_field_empty() -> None:
    job = job_from_payload(EXPORTER, {**exporter_job("pending"), "timestamps": {"created_at": "?"}})
    assert job.created_at is None and job.status is JobStatus.PENDING


def test_status_words_match_case_insensitively() -> None:
    for word in ("SUCCESS", "Success", " success "):
        assert job_from_payload(EXPORTER, exporter_job(word)).status is JobStatus.SUCCEEDED
    assert job_from_payload(EXPORTER, exporter_job("STARTED")).raw_status == "STARTED"
    assert job_from_payload(REPORTS, report_run("done")).status is JobStatus.SUCCEEDED


def test_an_unknown_status_is_running_and_warned_once_per_api_and_word(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    first = job_from_payload(PCM, pcm_job("validating-model-test"))
    again = job_from_payload(PCM, pcm_job("VALIDATING-model-test"))
    other_api = job_from_payload(PROMOTIONS, promo_job("validating-model-test"))
    assert first.status is again.status is other_api.status is JobStatus.RUNNING
    assert first.raw_status == "validating-model-test"
    warned = [r for r in caplog.records if "validating-model-test" in r.getMessage()]
    assert [r.levelno for r in warned] == [logging.WARNING, logging.WARNING]
    assert "pcm" in warned[0].getMessage() and "promotions" in warned[1].getMessage()
    # PimJob only knows the documented statuses: the job degrades to no typed model, not an error.
    assert first.model is None and first.raw["attributes"]["status"] == "validating-model-test"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([pcm_job("pending")], "got list"),
        ("not a job", "got str"),
        ({"type": "pim-job", "attributes": {"status": "pending"}}, "no id"),
        ({"type": "pim-job-error", "id": "e1", "attributes": {}}, "no status"),
        ({"type": "pim-job", "id": "e1", "attributes": {"status": 3}}, "no status"),
    ],
)
def test_a_malformed_job_payload_raises_a_validation_error_keeping_it(
    payload: object, message: str
) -> None:
    with pytest.raises(JobPayloadError, match=message) as caught:
        job_from_payload(PCM, payload)
    assert isinstance(caught.value, ResponseValidationError)
    assert caught.value.payload == payload
    assert json.loads(caught.value.body) == payload


def test_a_profile_is_checked_when_it_is_built() -> None:
    with pytest.raises(ValueError, match="unknown field names") as caught:
        dataclasses.replace(PCM, fields={"id": "id", "status": "s", "colour": "c"})
    assert "pcm" in str(caught.value)
    with pytest.raises(ValueError, match="'running' is not in `statuses`"):
        dataclasses.replace(PCM, cancellable=("running",))
    with pytest.raises(ValueError, match="no path for 'status'"):
        dataclasses.replace(PCM, fields={"id": "id"})


def test_job_status_terminal_states() -> None:
    terminal = {s for s in JobStatus if s.is_terminal}
    assert terminal == {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED}
    assert [s.value for s in JobStatus] == [
        "pending",
        "running",
        "succeeded",
        "failed",
        "cancelling",
        "cancelled",
    ]


# -- create, get, list ----------------------------------------------------------------------------


async def test_exporter_create_answers_an_array_and_yields_one_job(
    jobs: Either, router: respx.MockRouter
) -> None:
    route = router.post(f"{BASE}/v2/jobs").mock(return_value=ok([exporter_job("pending")], 202))
    body = {"data": {"type": "job", "job_type": "order_export", "filter": "eq(payment,refunded)"}}

    job = await jobs.create("exporter", body)

    assert (job.id, job.status, job.kind) == ("exp-1", JobStatus.PENDING, "order_export")
    assert json.loads(route.calls.last.request.content) == body
    assert auth_header(route) == f"Bearer {TOKEN}"


async def test_a_create_answer_with_two_jobs_is_rejected(
    jobs: Either, router: respx.MockRouter
) -> None:
    two = [exporter_job("pending", "a"), exporter_job("pending", "b")]
    router.post(f"{BASE}/v2/jobs").mock(return_value=ok(two, 202))
    with pytest.raises(JobPayloadError, match="expected one exporter job") as caught:
        await jobs.create("exporter", {"data": {}})
    assert caught.value.status_code == 202 and json.loads(caught.value.body) == {"data": two}


async def test_create_without_a_create_endpoint_is_not_supported(jobs: Either) -> None:
    with pytest.raises(JobOperationNotSupported, match="pcm jobs have no endpoint to create"):
        await jobs.create("pcm", {})


async def test_promotions_create_and_parent_ids(jobs: Either, router: respx.MockRouter) -> None:
    route = router.post(f"{BASE}/v2/promotions/promo-1/jobs").mock(
        return_value=ok(promo_job("pending"), 201)
    )
    job = await jobs.create("promotions", {"type": "promotion_job"}, promotionID="promo-1")
    assert job.parents == {"promotionID": "promo-1"} and route.called
    with pytest.raises(TypeError, match="missing promotionID"):
        await jobs.create("promotions", {})
    with pytest.raises(TypeError, match="unexpected"):
        await jobs.get("pcm", "pcm-1", promotionID="x")
    with pytest.raises(ValueError, match="unknown job family 'nope'"):
        await jobs.get("nope", "1")


async def test_a_job_in_any_response_body(jobs: Either) -> None:
    import_started = {"data": pcm_job("pending", "imp-1")}
    job = await jobs.from_response("pcm", import_started)
    assert (job.id, job.status, job.api) == ("imp-1", JobStatus.PENDING, "pcm")


async def test_get_a_malformed_job_keeps_the_response(
    jobs: Either, router: respx.MockRouter
) -> None:
    router.get(f"{BASE}/pcm/jobs/pcm-1").mock(
        return_value=httpx.Response(
            200, json={"data": {"type": "pim-job"}}, headers={"x-request-id": "rq-9"}
        )
    )
    with pytest.raises(JobPayloadError, match="no id") as caught:
        await jobs.get("pcm", "pcm-1")
    assert caught.value.request_id == "rq-9" and "pim-job" in caught.value.body


def _promo_page(ids: list[str], offset: int, total_pages: int, limit: int = 2) -> dict[str, Any]:
    page = offset // limit + 1
    base = f"{BASE}/v2/promotions/promo-1/jobs"
    links: dict[str, Any] = {"current": f"{base}?page[offset]={offset}&page[limit]={limit}"}
    if page < total_pages:
        links["next"] = f"{base}?page[offset]={offset + limit}&page[limit]={limit}"
    return {
        "data": [promo_job("processing", job_id) for job_id in ids],
        "links": links,
        "meta": {"page": {"limit": limit, "offset": offset, "current": page, "total": total_pages}},
    }


async def test_promotions_get_finds_the_job_through_the_paged_list(
    jobs: Either, router: respx.MockRouter
) -> None:
    url = f"{BASE}/v2/promotions/promo-1/jobs"
    second = router.get(url, params={"page[offset]": "2"}).mock(
        return_value=httpx.Response(200, json=_promo_page(["pj-3", "pj-4"], 2, 2))
    )
    first = router.get(url).mock(
        return_value=httpx.Response(200, json=_promo_page(["pj-1", "pj-2"], 0, 2))
    )

    job = await jobs.get("promotions", "pj-4", promotionID="promo-1")

    assert (job.id, job.status, job.parents) == (
        "pj-4",
        JobStatus.RUNNING,
        {"promotionID": "promo-1"},
    )
    assert first.call_count == 1 and second.call_count == 1
    assert second.calls.last.request.url.params["page[limit]"] == "2"

    with pytest.raises(NotFoundError, match="pj-9 is not in the job list of promotionID=promo-1"):
        await jobs.get("promotions", "pj-9", promotionID="promo-1")
    assert first.call_count == 2 and second.call_count == 2


async def test_list_reads_every_page_or_stops_at_the_limit(
    jobs: Either, router: respx.MockRouter
) -> None:
    url = f"{BASE}/v2/promotions/promo-1/jobs"
    second = router.get(url, params={"page[offset]": "2"}).mock(
        return_value=httpx.Response(200, json=_promo_page(["pj-3"], 2, 2))
    )
    first = router.get(url).mock(
        return_value=httpx.Response(200, json=_promo_page(["pj-1", "pj-2"], 0, 2))
    )

    everything = await jobs.list("promotions", promotionID="promo-1")
    assert [j.id for j in everything] == ["pj-1", "pj-2", "pj-3"]
    assert second.call_count == 1

    some = await jobs.list("promotions", limit=2, promotionID="promo-1")
    assert [j.id for j in some] == ["pj-1", "pj-2"]
    assert (first.call_count, second.call_count) == (2, 1)

    filtered = await jobs.list(
        "promotions", params={"filter": "eq(status,complete)"}, promotionID="promo-1"
    )
    assert len(filtered) == 3
    assert second.calls.last.request.url.params["filter"] == "eq(status,complete)"


async def test_a_next_link_pointing_at_the_same_page_ends_the_listing(
    jobs: Either, router: respx.MockRouter
) -> None:
    # The documented promotions example: one page whose `next` is the page itself.
    url = f"{BASE}/v2/promotions/promo-1/jobs"
    self_link = f"{url}?page[offset]=0&page[limit]=25"
    body = {"data": [promo_job("failed")], "links": {"current": self_link, "next": self_link}}
    route = router.get(url).mock(return_value=httpx.Response(200, json=body))
    assert [j.id for j in await jobs.list("promotions", promotionID="promo-1")] == ["pj-1"]
    assert route.call_count == 1


async def test_pcm_list_is_one_page(jobs: Either, router: respx.MockRouter) -> None:
    body = {
        "data": [pcm_job("success", "a"), pcm_job("started", "b")],
        "meta": {"results": {"total": 2}},
    }
    route = router.get(f"{BASE}/pcm/jobs").mock(return_value=httpx.Response(200, json=body))
    listed = await jobs.list("pcm")
    assert [(j.id, j.status) for j in listed] == [
        ("a", JobStatus.SUCCEEDED),
        ("b", JobStatus.RUNNING),
    ]
    assert route.call_count == 1


# -- wait and watch -------------------------------------------------------------------------------


async def test_wait_polls_with_backoff_until_success(
    jobs: Either, router: respx.MockRouter
) -> None:
    route = router.get(f"{BASE}/v2/jobs/exp-1").mock(
        side_effect=[ok(exporter_job(s)) for s in ("pending", "STARTED", "SUCCESS")]
    )

    final = await jobs.wait(job_from_payload(EXPORTER, exporter_job("pending")))

    assert (final.status, final.raw_status) == (JobStatus.SUCCEEDED, "SUCCESS")
    assert route.call_count == 3
    assert jobs.time.sleeps == [1.0, 1.5]  # the first poll is immediate


async def test_wait_returns_at_once_for_a_finished_job(
    jobs: Either, router: respx.MockRouter
) -> None:
    done = job_from_payload(EXPORTER, exporter_job("success"))
    assert await jobs.wait(done) is done
    assert jobs.time.sleeps == [] and not router.calls


async def test_the_backoff_grows_by_the_multiplier_up_to_the_cap(
    jobs: Either, router: respx.MockRouter
) -> None:
    router.get(f"{BASE}/v2/jobs/exp-1").mock(
        side_effect=[ok(exporter_job("started"))] * 6 + [ok(exporter_job("success"))]
    )
    start = job_from_payload(EXPORTER, exporter_job("pending"))
    await jobs.wait(start, initial_delay=1, multiplier=2, max_delay=5)
    assert jobs.time.sleeps == [1, 2, 4, 5, 5, 5]


async def test_jitter_shortens_each_sleep_by_at_most_the_jitter_share(
    router: respx.MockRouter,
) -> None:
    for flavour in ("sync", "async"):
        time = FakeTime()
        jobs = await make_jobs(flavour, time, random=lambda: 0.999)
        router.get(f"{BASE}/v2/jobs/exp-1").mock(
            side_effect=[ok(exporter_job("started"))] * 4 + [ok(exporter_job("success"))]
        )
        await jobs.wait(job_from_payload(EXPORTER, exporter_job("pending")), max_delay=2)
        factor = 1 - DEFAULT_POLL_JITTER * 0.999
        assert time.sleeps == pytest.approx([1 * factor, 1.5 * factor, 2 * factor, 2 * factor])


async def test_wait_honours_retry_after(jobs: Either, router: respx.MockRouter) -> None:
    router.get(f"{BASE}/pcm/jobs/pcm-1").mock(
        side_effect=[
            ok(pcm_job("pending"), **{"Retry-After": "7"}),
            ok(pcm_job("started"), **{"Retry-After": "0"}),
            ok(pcm_job("started")),
            ok(pcm_job("success")),
        ]
    )
    await jobs.wait(job_from_payload(PCM, pcm_job("pending")))
    # Retry-After wins when it asks for longer than the backoff, never when it asks for less.
    assert jobs.time.sleeps == [7.0, 1.5, 2.25]


async def test_wait_raises_job_failed_with_the_pcm_errors(
    jobs: Either, router: respx.MockRouter
) -> None:
    router.get(f"{BASE}/pcm/jobs/pcm-1").mock(
        side_effect=[ok(pcm_job("started")), ok(pcm_job("failed"))]
    )
    errors = {
        "data": [
            {"type": "pim-job-error", "id": "e1", "attributes": {"message": "sku: must be unique"}},
            {"type": "pim-job-error", "id": "e2", "attributes": {"message": "name: required"}},
        ]
    }
    errors_route = router.get(f"{BASE}/pcm/jobs/pcm-1/errors").mock(
        return_value=httpx.Response(200, json=errors)
    )

    with pytest.raises(JobFailedError) as caught:
        await jobs.wait(job_from_payload(PCM, pcm_job("pending")))

    failure = caught.value
    assert failure.errors == ["sku: must be unique", "name: required"]
    assert isinstance(failure.job, Job) and failure.job.status is JobStatus.FAILED
    assert str(failure) == "pcm job pcm-1 failed: sku: must be unique (and 1 more)"
    assert errors_route.call_count == 1
    assert await jobs.errors(failure.job) == ["sku: must be unique", "name: required"]


async def test_a_failing_errors_endpoint_does_not_hide_the_failure(
    jobs: Either, router: respx.MockRouter
) -> None:
    router.get(f"{BASE}/pcm/jobs/pcm-1").mock(return_value=ok(pcm_job("failed")))
    router.get(f"{BASE}/pcm/jobs/pcm-1/errors").mock(return_value=httpx.Response(404, json={}))
    with pytest.raises(JobFailedError) as caught:
        await jobs.wait(job_from_payload(PCM, pcm_job("pending")))
    assert caught.value.errors == []


async def test_exporter_failure_carries_the_job_error_without_an_extra_request(
    jobs: Either, router: respx.MockRouter
) -> None:
    failed = exporter_job("failed", error="No results matched the supplied filter")
    router.get(f"{BASE}/v2/jobs/exp-1").mock(return_value=ok(failed))
    with pytest.raises(JobFailedError, match="failed: No results matched") as caught:
        await jobs.wait(job_from_payload(EXPORTER, exporter_job("pending")))
    assert caught.value.errors == ["No results matched the supplied filter"]
    assert len(router.calls) == 1


async def test_raise_on_failure_false_returns_the_failed_job(
    jobs: Either, router: respx.MockRouter
) -> None:
    router.get(f"{BASE}/pcm/jobs/pcm-1").mock(return_value=ok(pcm_job("failed")))
    final = await jobs.wait(job_from_payload(PCM, pcm_job("pending")), raise_on_failure=False)
    assert final.status is JobStatus.FAILED
    assert len(router.calls) == 1  # no errors fetched: nobody asked


async def test_wait_raises_job_cancelled(jobs: Either, router: respx.MockRouter) -> None:
    router.get(f"{BASE}/v2/promotions/promo-1/jobs").mock(
        side_effect=[
            httpx.Response(200, json={"data": [promo_job("cancelling")]}),
            httpx.Response(200, json={"data": [promo_job("cancelled")]}),
        ]
    )
    start = job_from_payload(PROMOTIONS, promo_job("processing"), {"promotionID": "promo-1"})
    with pytest.raises(JobCancelledError, match="promotions job pj-1 was cancelled") as caught:
        await jobs.wait(start)
    assert caught.value.job.status is JobStatus.CANCELLED
    assert jobs.time.sleeps == [1.0]  # cancelling is not the end


async def test_a_timeout_raises_with_the_last_snapshot_and_does_not_cancel(
    jobs: Either, router: respx.MockRouter
) -> None:
    poll = router.get(f"{BASE}/pcm/jobs/pcm-1").mock(return_value=ok(pcm_job("pending")))
    cancel = router.post(f"{BASE}/pcm/jobs/pcm-1/cancel").mock(
        return_value=ok(pcm_job("cancelled"))
    )
    start = jobs.time.now

    with pytest.raises(JobTimeoutError, match="did not finish within 10s") as caught:
        await jobs.wait(
            job_from_payload(PCM, pcm_job("pending")), timeout=10, initial_delay=4, multiplier=1
        )

    assert caught.value.job.raw_status == "pending" and caught.value.timeout == 10
    assert jobs.time.sleeps == [4, 4, 2]  # the last sleep is cut to the deadline, not past it
    assert jobs.time.now - start == 10
    assert poll.call_count == 4  # one last look at the deadline
    assert not cancel.called


async def test_a_timeout_cancels_when_asked(jobs: Either, router: respx.MockRouter) -> None:
    router.get(f"{BASE}/pcm/jobs/pcm-1").mock(return_value=ok(pcm_job("pending")))
    cancel = router.post(f"{BASE}/pcm/jobs/pcm-1/cancel").mock(
        return_value=ok(pcm_job("cancelled"))
    )

    with pytest.raises(JobTimeoutError, match="cancel requested") as caught:
        await jobs.wait(
            job_from_payload(PCM, pcm_job("pending")), timeout=3, cancel_on_timeout=True
        )

    assert cancel.call_count == 1
    assert caught.value.job.status is JobStatus.CANCELLED
    assert sum(jobs.time.sleeps) == 3


async def test_cancel_on_timeout_without_a_cancel_endpoint_fails_before_polling(
    jobs: Either, router: respx.MockRouter
) -> None:
    with pytest.raises(JobOperationNotSupported, match="exporter jobs have no endpoint to cancel"):
        await jobs.wait(
            job_from_payload(EXPORTER, exporter_job("pending")), timeout=5, cancel_on_timeout=True
        )
    assert not router.calls


async def test_a_zero_timeout_looks_once(jobs: Either, router: respx.MockRouter) -> None:
    router.get(f"{BASE}/v2/jobs/exp-1").mock(return_value=ok(exporter_job("started")))
    with pytest.raises(JobTimeoutError):
        await jobs.wait(job_from_payload(EXPORTER, exporter_job("pending")), timeout=0)
    assert len(router.calls) == 1 and jobs.time.sleeps == []


async def test_unknown_statuses_keep_the_wait_going_and_are_logged_once(
    jobs: Either, router: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    word = f"Indexing-{jobs.flavour}"  # the once-per-process memory is shared by both runs
    router.get(f"{BASE}/v2/jobs/exp-1").mock(
        side_effect=[ok(exporter_job(word)), ok(exporter_job(word)), ok(exporter_job("success"))]
    )
    seen = await jobs.watch(job_from_payload(EXPORTER, exporter_job("pending")))
    assert [(j.raw_status, j.status) for j in seen] == [
        (word, JobStatus.RUNNING),
        ("success", JobStatus.SUCCEEDED),
    ]
    assert sum(word in r.getMessage() for r in caplog.records) == 1


async def test_watch_yields_each_change_once(jobs: Either, router: respx.MockRouter) -> None:
    statuses = ["pending", "pending", "started", "started", "started", "success"]
    router.get(f"{BASE}/pcm/jobs/pcm-1").mock(side_effect=[ok(pcm_job(s)) for s in statuses])

    seen = await jobs.watch(job_from_payload(PCM, pcm_job("pending")))

    assert [j.raw_status for j in seen] == ["started", "success"]
    assert seen[-1].status is JobStatus.SUCCEEDED
    assert len(router.calls) == 6


async def test_watch_ends_quietly_on_failure_and_raises_on_timeout(
    jobs: Either, router: respx.MockRouter
) -> None:
    router.get(f"{BASE}/pcm/jobs/pcm-1").mock(return_value=ok(pcm_job("failed")))
    assert [j.status for j in await jobs.watch(job_from_payload(PCM, pcm_job("pending")))] == [
        JobStatus.FAILED
    ]
    router.get(f"{BASE}/pcm/jobs/pcm-2").mock(return_value=ok(pcm_job("started", "pcm-2")))
    with pytest.raises(JobTimeoutError):
        await jobs.watch(job_from_payload(PCM, pcm_job("pending", "pcm-2")), timeout=2)


# -- cancel ---------------------------------------------------------------------------------------


async def test_cancel_a_pending_pcm_job(jobs: Either, router: respx.MockRouter) -> None:
    route = router.post(f"{BASE}/pcm/jobs/pcm-1/cancel").mock(return_value=ok(pcm_job("cancelled")))
    cancelled = await jobs.cancel(job_from_payload(PCM, pcm_job("pending")))
    assert cancelled.status is JobStatus.CANCELLED
    assert route.calls.last.request.content == b"{}"


async def test_cancel_a_promotions_job_under_its_promotion(
    jobs: Either, router: respx.MockRouter
) -> None:
    route = router.post(f"{BASE}/v2/promotions/promo-1/jobs/pj-1/cancel").mock(
        return_value=ok(promo_job("cancelling"))
    )
    job = job_from_payload(PROMOTIONS, promo_job("processing"), {"promotionID": "promo-1"})
    cancelling = await jobs.cancel(job)
    assert cancelling.status is JobStatus.CANCELLING and route.called
    assert cancelling.parents == {"promotionID": "promo-1"}


async def test_cancel_where_the_api_cannot(jobs: Either, router: respx.MockRouter) -> None:
    with pytest.raises(
        JobOperationNotSupported, match="exporter jobs have no endpoint to cancel"
    ) as caught:
        await jobs.cancel(job_from_payload(EXPORTER, exporter_job("pending")))
    assert (caught.value.api, caught.value.operation) == ("exporter", "cancel")
    with pytest.raises(JobOperationNotSupported, match="only be cancelled while pending"):
        await jobs.cancel(job_from_payload(PCM, pcm_job("started")))
    assert not router.calls


# -- download -------------------------------------------------------------------------------------


async def test_download_an_export_through_the_file_endpoint_without_leaking_the_token(
    jobs: Either, router: respx.MockRouter, tmp_path: Path
) -> None:
    link = f"{FILES}/exports/orders%20march.csv?X-Amz-Signature=abc"
    file_route = router.get(f"{BASE}/v2/jobs/exp-1/file").mock(return_value=ok({"href": link}))
    csv = router.get(f"{FILES}/exports/orders%20march.csv").mock(
        return_value=httpx.Response(200, content=b"id,total\n1,9.99\n")
    )

    paths = await jobs.download(job_from_payload(EXPORTER, exporter_job("success")), tmp_path)

    assert paths == [tmp_path / "orders_march.csv"]
    assert paths[0].read_bytes() == b"id,total\n1,9.99\n"
    assert auth_header(file_route) == f"Bearer {TOKEN}"
    assert auth_header(csv) is None
    assert TOKEN not in str(csv.calls.last.request.headers)


async def test_a_link_on_the_api_host_is_fetched_with_credentials(
    jobs: Either, router: respx.MockRouter, tmp_path: Path
) -> None:
    route = router.get(f"{BASE}/v2/promotions/promo-1/jobs/pj-1/file").mock(
        return_value=httpx.Response(200, json={"href": "/v2/promotions/promo-1/codes.csv"})
    )
    codes = router.get(f"{BASE}/v2/promotions/promo-1/codes.csv").mock(
        return_value=httpx.Response(200, content=b"code\nSUMMER-1\n")
    )
    job = job_from_payload(PROMOTIONS, promo_job("completed"), {"promotionID": "promo-1"})
    target = tmp_path / "codes-for-summer.csv"

    assert await jobs.download(job, target) == [target]  # one file: dest is the file itself
    assert target.read_bytes() == b"code\nSUMMER-1\n"
    assert route.called and auth_header(codes) == f"Bearer {TOKEN}"


async def test_credentials_in_default_headers_stay_home_too(
    router: respx.MockRouter, tmp_path: Path
) -> None:
    route = router.get(f"{FILES}/a.csv").mock(return_value=httpx.Response(200, content=b"x"))
    client = SyncAPIClient(base_url=BASE, default_headers={"Authorization": f"Bearer {TOKEN}"})
    jobs = Jobs(client, PROFILES)
    jobs.download(job_from_payload(PCM, pcm_job("success", files=[f"{FILES}/a.csv"])), tmp_path)
    assert auth_header(route) is None


async def test_a_lookalike_host_gets_no_credentials(
    jobs: Either, router: respx.MockRouter, tmp_path: Path
) -> None:
    lookalikes = [
        "http://useast.api.elasticpath.com/x.csv",  # same host, but not over TLS
        "https://useast.api.elasticpath.com.evil.example/y.csv",
        "https://useast.api.elasticpath.com:8443/z.csv",
    ]
    routes = [
        router.get(url).mock(return_value=httpx.Response(200, content=b"x")) for url in lookalikes
    ]
    job = job_from_payload(PCM, pcm_job("success", files=lookalikes))
    await jobs.download(job, tmp_path)
    assert [auth_header(route) for route in routes] == [None, None, None]


async def test_download_all_pcm_files_into_a_folder_with_safe_unique_names(
    jobs: Either, router: respx.MockRouter, tmp_path: Path
) -> None:
    links = [
        f"{FILES}/a/products.csv",
        f"{FILES}/b/products.csv",
        f"{FILES}/c/..%2F..%2Fetc%2Fpasswd",
        f"{FILES}/",
    ]
    for n, link in enumerate(links):
        router.get(link).mock(return_value=httpx.Response(200, content=f"file {n}".encode()))
    dest = tmp_path / "new" / "folder"

    paths = await jobs.download(job_from_payload(PCM, pcm_job("success", files=links)), dest)

    assert [p.name for p in paths] == [
        "products.csv",
        "products-2.csv",
        "etc_passwd",
        "pcm-pcm-1-4",
    ]
    assert all(p.parent == dest for p in paths)
    assert [p.read_text() for p in paths] == ["file 0", "file 1", "file 2", "file 3"]
    assert sorted(os.listdir(dest)) == sorted(p.name for p in paths)  # no temporary files left


class BrokenStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that breaks off after its first chunk."""

    def __iter__(self) -> Iterator[bytes]:
        yield b"half a fi"
        raise httpx.ReadError("connection reset by peer")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"half a fi"
        raise httpx.ReadError("connection reset by peer")


async def test_a_broken_download_leaves_no_partial_file(
    jobs: Either, router: respx.MockRouter, tmp_path: Path
) -> None:
    router.get(f"{FILES}/one.csv").mock(return_value=httpx.Response(200, content=b"complete"))
    router.get(f"{FILES}/two.csv").mock(return_value=httpx.Response(200, stream=BrokenStream()))
    (tmp_path / "two.csv").write_bytes(b"yesterday's file")
    job = job_from_payload(PCM, pcm_job("success", files=[f"{FILES}/one.csv", f"{FILES}/two.csv"]))

    with pytest.raises(APIConnectionError, match="ReadError: connection reset by peer"):
        await jobs.download(job, tmp_path)

    # Nothing half-written, nothing new (not even the file that arrived), the old file untouched.
    assert os.listdir(tmp_path) == ["two.csv"]
    assert (tmp_path / "two.csv").read_bytes() == b"yesterday's file"


async def test_an_error_status_saves_nothing(
    jobs: Either, router: respx.MockRouter, tmp_path: Path
) -> None:
    router.get(f"{FILES}/gone.csv").mock(
        return_value=httpx.Response(403, text="<Error>Expired</Error>")
    )
    job = job_from_payload(PCM, pcm_job("success", files=[f"{FILES}/gone.csv"]))
    with pytest.raises(APIStatusError) as caught:
        await jobs.download(job, tmp_path / "gone.csv")
    assert "403" in str(caught.value)
    assert os.listdir(tmp_path) == []


async def test_only_a_succeeded_job_with_files_can_be_downloaded(
    jobs: Either, router: respx.MockRouter, tmp_path: Path
) -> None:
    with pytest.raises(JobError, match="is started, not succeeded"):
        await jobs.download(job_from_payload(PCM, pcm_job("started")), tmp_path)
    with pytest.raises(JobError, match="has no result files"):
        await jobs.download(job_from_payload(PCM, pcm_job("success", files=[])), tmp_path)
    with pytest.raises(JobError, match="must be a folder"):
        two = pcm_job("success", files=[f"{FILES}/a.csv", f"{FILES}/b.csv"])
        (tmp_path / "taken").write_text("")
        await jobs.download(job_from_payload(PCM, two), tmp_path / "taken")
    assert not router.calls


# -- resume tokens --------------------------------------------------------------------------------


async def test_a_resume_token_rebuilds_the_job_in_a_new_process(
    jobs: Either, router: respx.MockRouter
) -> None:
    route = router.get(f"{BASE}/pcm/jobs/pcm-1").mock(
        side_effect=[ok(pcm_job("started")), ok(pcm_job("success"))]
    )
    token = (await jobs.get("pcm", "pcm-1")).resume_token

    elsewhere = await make_jobs(jobs.flavour, FakeTime())  # a new client, as another process has
    resumed = await elsewhere.resume(token)

    assert (resumed.api, resumed.id, resumed.status) == ("pcm", "pcm-1", JobStatus.SUCCEEDED)
    assert route.call_count == 2
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", token) and len(token) < 200
    decoded = base64.urlsafe_b64decode(token.split(".", 1)[1] + "==").decode()
    assert TOKEN not in decoded and "authorization" not in decoded.lower()
    assert json.loads(decoded) == {"api": "pcm", "base_url": BASE, "id": "pcm-1"}


async def test_a_resume_token_keeps_the_parent_ids(jobs: Either, router: respx.MockRouter) -> None:
    router.get(f"{BASE}/v2/promotions/promo-1/jobs").mock(
        return_value=httpx.Response(200, json={"data": [promo_job("completed")]})
    )
    job = job_from_payload(
        PROMOTIONS, promo_job("processing"), {"promotionID": "promo-1"}, base_url=BASE
    )
    resumed = await (await make_jobs(jobs.flavour, FakeTime())).resume(job.resume_token)
    assert (resumed.id, resumed.parents, resumed.status) == (
        "pj-1",
        {"promotionID": "promo-1"},
        JobStatus.SUCCEEDED,
    )


async def test_a_resume_token_never_carries_credentials_in_the_base_url() -> None:
    job = job_from_payload(
        PCM, pcm_job("pending"), base_url="https://user:pw@api.example.com/?key=k"
    )
    decoded = base64.urlsafe_b64decode(job.resume_token.split(".", 1)[1] + "==").decode()
    assert json.loads(decoded)["base_url"] == "https://api.example.com"


def _token(payload: object) -> str:
    return "v1." + base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("", "not a job resume token"),
        ("pcm-1", "not a job resume token"),
        ("v2.eyJ9", "version v2 is not supported"),
        ("v1.%%%", "damaged"),
        ("v1." + base64.urlsafe_b64encode(b"[1]").decode(), "not a JSON object"),
        (_token({"api": "pcm"}), "no api or job id"),
        (_token({"api": "pcm", "id": "1", "parents": ["x"]}), "parents"),
        (_token({"api": "billing", "id": "1"}), "'billing' job API"),
        (
            _token({"api": "pcm", "id": "1", "base_url": "https://euwest.api.elasticpath.com"}),
            "this client talks to",
        ),
    ],
)
async def test_a_bad_resume_token_is_a_value_error(
    jobs: Either, router: respx.MockRouter, token: str, reason: str
) -> None:
    with pytest.raises(ResumeTokenError, match=reason) as caught:
        await jobs.resume(token)
    assert isinstance(caught.value, ValueError)
    assert not router.calls


# -- a job API that exists only as a profile ------------------------------------------------------


async def test_an_invented_job_api_works_by_its_profile_alone(
    jobs: Either, router: respx.MockRouter, tmp_path: Path
) -> None:
    runs = f"{BASE}/reports/v1/acme/runs"
    done = {
        **report_run("DONE", began="2024-03-01T10:00:05+02:00", ended=1709287230),
        "outputs": [{"location": f"{FILES}/r/day-1.json"}, {"location": f"{FILES}/r/day-2.json"}],
    }
    router.post(runs).mock(return_value=httpx.Response(201, json={"result": report_run("QUEUED")}))
    router.get(f"{runs}/run-1").mock(
        side_effect=[
            httpx.Response(200, json={"result": report_run("crunching")}),
            httpx.Response(200, json={"result": done}),
        ]
    )
    for day in (1, 2):
        router.get(f"{FILES}/r/day-{day}.json").mock(
            return_value=httpx.Response(200, content=b"{}")
        )

    job = await jobs.create("reports", {"report": "sales-by-day"}, workspace="acme")
    assert (job.status, job.kind, job.parents) == (
        JobStatus.PENDING,
        "sales-by-day",
        {"workspace": "acme"},
    )
    changes = await jobs.watch(job)
    final = changes[-1]

    assert [c.status for c in changes] == [JobStatus.RUNNING, JobStatus.SUCCEEDED]
    assert final.created_at == datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    assert final.started_at == datetime(2024, 3, 1, 8, 0, 5, tzinfo=UTC)
    assert final.finished_at == datetime(2024, 3, 1, 10, 0, 30, tzinfo=UTC)
    paths = await jobs.download(final, tmp_path)
    assert [p.name for p in paths] == ["day-1.json", "day-2.json"]


async def test_an_invented_job_api_fails_cancels_and_resumes_by_its_profile(
    jobs: Either, router: respx.MockRouter
) -> None:
    run = f"{BASE}/reports/v1/acme/runs/run-1"
    router.get(run).mock(
        side_effect=[
            httpx.Response(200, json={"result": report_run("BROKEN", problem="out of memory")}),
            httpx.Response(200, json={"result": report_run("ABORTED")}),
            httpx.Response(200, json={"result": report_run("ABORTED")}),
        ]
    )
    problems = {"problems": [{"text": "day 3: out of memory"}]}
    router.get(f"{run}/problems").mock(return_value=httpx.Response(200, json=problems))
    delete = router.delete(run).mock(return_value=httpx.Response(204))
    queued = job_from_payload(REPORTS, report_run("QUEUED"), {"workspace": "acme"}, base_url=BASE)

    with pytest.raises(JobFailedError) as caught:
        await jobs.wait(queued)
    assert caught.value.errors == ["day 3: out of memory"]

    aborted = await jobs.cancel(queued)  # 204 without a body: the job is read again
    assert aborted.status is JobStatus.CANCELLED and delete.called
    assert (await jobs.resume(queued.resume_token)).raw_status == "ABORTED"


# -- profile version 2: state rules, `when`, removing cancels, the unknown-status bound ---------------


def build(**fields: object) -> dict[str, Any]:
    return {"build": {"id": "b-1", **fields}}


async def test_state_rules_read_the_problems_only_when_the_rules_before_say_nothing(
    jobs: Either, router: respx.MockRouter
) -> None:
    reads = router.get(f"{BASE}/ci/builds/b-1").mock(
        side_effect=[
            httpx.Response(200, json=build(phase="building")),
            httpx.Response(200, json=build(artifact="s3://out.zip", ended_at="2024-01-01T00:00Z")),
        ]
    )
    problems = router.get(f"{BASE}/ci/builds/b-1/problems").mock(
        return_value=httpx.Response(200, json={"problems": []})
    )
    running = await jobs.get("builds", "b-1")
    assert (running.status, running.raw_status) == (JobStatus.RUNNING, "running")
    assert problems.call_count == 1  # the errors rule stands before `equals`
    done = await jobs.get("builds", "b-1")
    assert done.status is JobStatus.SUCCEEDED and done.finished_at is not None
    assert reads.call_count == 2 and problems.call_count == 1  # decided before the errors rule


async def test_a_status_less_job_fails_when_its_problems_list_is_not_empty(
    jobs: Either, router: respx.MockRouter
) -> None:
    router.get(f"{BASE}/ci/builds/b-1").mock(
        return_value=httpx.Response(200, json=build(phase="testing", summary="3 tests failed"))
    )
    router.get(f"{BASE}/ci/builds/b-1/problems").mock(
        return_value=httpx.Response(200, json={"problems": [{"text": "test_a failed"}]})
    )
    job = jobs.jobs.from_response("builds", build(phase="testing"))
    assert job.status is JobStatus.RUNNING  # no I/O: the errors rule does not hold
    with pytest.raises(JobFailedError, match="test_a failed") as failed:
        await jobs.wait(job, timeout=60)
    assert failed.value.job.error == "3 tests failed"


async def test_an_http_status_rule_turns_a_410_into_the_rules_status(
    jobs: Either, router: respx.MockRouter
) -> None:
    answers = iter([httpx.Response(200, json=build(phase="building"))])
    router.get(f"{BASE}/ci/builds/b-1").mock(
        side_effect=lambda request: next(
            answers, httpx.Response(410, json={"errors": [{"status": 410, "title": "Gone"}]})
        )
    )
    router.get(f"{BASE}/ci/builds/b-1/problems").mock(
        return_value=httpx.Response(200, json={"problems": []})
    )
    job = await jobs.get("builds", "b-1")
    final = await jobs.wait(job, timeout=60, raise_on_failure=False)
    assert (final.status, final.id, final.api) == (JobStatus.CANCELLED, "b-1", "builds")
    with pytest.raises(JobCancelledError):
        await jobs.wait(job, timeout=60)


def test_fields_count_only_in_their_statuses() -> None:
    succeeded = job_from_payload(REPORTS, report_run("DONE", problem="processed 12 rows"))
    assert succeeded.error is None and succeeded.raw["state"]["problem"] == "processed 12 rows"
    assert job_from_payload(REPORTS, report_run("BROKEN", problem="disk full")).error == "disk full"
    always = dataclasses.replace(
        REPORTS, fields={**REPORTS.fields, "error": FieldRule("state.problem")}
    )
    assert job_from_payload(always, report_run("DONE", problem="noted")).error == "noted"
    only_done = dataclasses.replace(
        REPORTS,
        fields={
            **REPORTS.fields,
            "kind": FieldRule("spec.report", frozenset({JobStatus.SUCCEEDED})),
        },
    )
    assert job_from_payload(only_done, report_run("CRUNCHING")).kind is None
    assert job_from_payload(only_done, report_run("DONE")).kind == "sales-by-day"


async def test_a_cancel_that_removes_the_job_reports_it_cancelled(
    jobs: Either, router: respx.MockRouter
) -> None:
    run = f"{BASE}/reports/v1/acme/runs/run-1"
    delete = router.delete(run).mock(return_value=httpx.Response(204))
    read = router.get(run).mock(return_value=httpx.Response(404, json={"errors": []}))
    queued = job_from_payload(REPORTS, report_run("QUEUED"), {"workspace": "acme"}, base_url=BASE)
    cancelled = await jobs.cancel(queued)
    assert delete.called and not read.called
    assert (cancelled.status, cancelled.raw_status) == (JobStatus.CANCELLED, "ABORTED")
    assert cancelled.id == "run-1" and cancelled.parents == {"workspace": "acme"}
    with pytest.raises(NotFoundError):
        await jobs.refresh(cancelled)


def test_a_v1_endpoint_cancel_is_read_as_a_cancel_rule() -> None:
    assert REPORTS.cancel_rule == Cancel(
        Endpoint("DELETE", "/reports/v1/{workspace}/runs/{runID}"), True
    )
    assert PCM.cancel_rule == Cancel(
        Endpoint("POST", "/pcm/jobs/{jobID}/cancel"), False, ("pending",)
    )
    assert dataclasses.replace(PCM, cancellable=("started",)).cancel_statuses == ("started",)
    with pytest.raises(ValueError, match="no path for 'status' \\(or `state` rules\\)"):
        dataclasses.replace(BUILDS, state=())
    with pytest.raises(ValueError, match="give either a path for 'status'"):
        dataclasses.replace(BUILDS, fields={"id": "id", "status": "phase"})


async def test_an_unmapped_status_ends_the_wait_after_the_limit(
    jobs: Either, router: respx.MockRouter
) -> None:
    router.get(f"{BASE}/v2/jobs/exp-1").mock(
        return_value=httpx.Response(200, json={"data": exporter_job("rebalancing")})
    )
    job = await jobs.get("exporter", "exp-1")
    started = jobs.time.now
    with pytest.raises(JobStatusUnknownError) as unknown:
        await jobs.wait(job, unknown_status_limit=120)
    assert unknown.value.word == "rebalancing" and unknown.value.limit == 120
    assert jobs.time.now - started == pytest.approx(120)  # never slept past the bound
    with pytest.raises(JobStatusUnknownError):
        await jobs.watch(job, unknown_status_limit=0)


async def test_wait_calls_on_change_for_each_change_and_logs_it_at_info(
    jobs: Either, router: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    router.get(f"{BASE}/v2/jobs/exp-1").mock(
        side_effect=[
            ok(exporter_job("started")),
            ok(exporter_job("started")),
            ok(exporter_job("success")),
        ]
    )
    seen: list[str] = []
    job = job_from_payload(EXPORTER, exporter_job("pending"), base_url=BASE)
    with caplog.at_level(logging.INFO):
        final = await jobs.wait(job, timeout=60, on_change=lambda j: seen.append(j.raw_status))
    assert final.status is JobStatus.SUCCEEDED and seen == ["started", "success"]
    changes = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.INFO and "->" in r.getMessage()
    ]
    assert changes == [
        "exporter job exp-1: pending -> started (running)",
        "exporter job exp-1: started -> success (succeeded)",
    ]
