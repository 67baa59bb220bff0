"""`resource.with_raw_response.<operation>`: the operation itself, returning its whole `APIResponse`.

Checked on the committed package at the wire (an `httpx.MockTransport` that answers each job id with
its own body and request id): the raw form sends the same request and parses the same body as the
plain method; sync and async; calls running at the same time (threads, asyncio tasks) each get their
own response; and under `mypy --strict` the raw form keeps the operation's parameter types.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .conftest import GENERATED

if str(GENERATED) not in sys.path:
    sys.path.insert(0, str(GENERATED))

import ep_jobs
from ep_jobs import APIResponse
from ep_jobs.pcm import models as pcm_models

BASE = "https://api.example.test"


def _answer(request: httpx.Request) -> httpx.Response:
    """`GET /pcm/jobs/<id>`: a job with that id, and the id as the request id."""
    job_id = request.url.path.rsplit("/", 1)[-1]
    body = {"data": {"id": job_id, "type": "pim-job", "attributes": {"status": "pending"}}}
    return httpx.Response(200, json=body, headers={"x-request-id": f"req-{job_id}"})


def _sync_client(handler: object = _answer) -> ep_jobs.Client:
    transport = httpx.MockTransport(handler)  # type: ignore[arg-type]
    return ep_jobs.Client(
        auth="token", base_url=BASE, http_client=httpx.Client(transport=transport)
    )


def _async_client(handler: object = _answer) -> ep_jobs.AsyncClient:
    transport = httpx.MockTransport(handler)  # type: ignore[arg-type]
    return ep_jobs.AsyncClient(
        auth="token", base_url=BASE, http_client=httpx.AsyncClient(transport=transport)
    )


def test_the_raw_form_sends_the_same_request_and_returns_the_whole_response() -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return _answer(request)

    with _sync_client(record) as client:
        plain = client.pcm.jobs.get_job("job-1")
        raw = client.pcm.jobs.with_raw_response.get_job("job-1")
    assert isinstance(raw, APIResponse)
    assert isinstance(raw.parsed, pcm_models.JobResponse)
    assert raw.parsed == plain and plain.data.id == "job-1"
    assert raw.status_code == 200 and raw.request_id == "req-job-1"
    assert raw.http_response.request is sent[1]
    assert [(r.method, str(r.url)) for r in sent] == [("GET", f"{BASE}/pcm/jobs/job-1")] * 2
    assert sent[0].headers["Authorization"] == sent[1].headers["Authorization"] == "Bearer token"


def test_the_raw_form_passes_every_argument_on() -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"data": {"id": "job-2"}})

    with _sync_client(record) as client:
        raw = client.pcm.jobs.with_raw_response.cancel_job(
            "job-2", body={"reason": "x"}, options={"extra_headers": {"X-Trace": "t1"}}
        )
    assert raw.parsed.data.id == "job-2"
    (request,) = sent
    assert (request.method, request.url.path) == ("POST", "/pcm/jobs/job-2/cancel")
    assert json.loads(request.content) == {"reason": "x"}
    assert request.headers["X-Trace"] == "t1"


def test_the_raw_form_raises_the_same_typed_errors() -> None:
    def missing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"errors": [{"status": "404", "title": "Not Found"}]})

    with _sync_client(missing) as client, pytest.raises(ep_jobs.NotFoundError):
        client.pcm.jobs.with_raw_response.get_job("gone")


def test_the_raw_form_keeps_the_operation_s_name_and_docstring() -> None:
    with _sync_client() as client:
        raw_method = client.pcm.jobs.with_raw_response.get_job
        assert raw_method.__name__ == "get_job"
        assert "`GET /pcm/jobs/{jobID}`" in (raw_method.__doc__ or "")
        assert client.pcm.jobs.with_raw_response is client.pcm.jobs.with_raw_response


async def test_the_async_raw_form_returns_the_whole_response() -> None:
    async with _async_client() as client:
        plain = await client.pcm.jobs.get_job("job-3")
        raw = await client.pcm.jobs.with_raw_response.get_job("job-3")
    assert isinstance(raw, APIResponse) and raw.parsed == plain
    assert raw.request_id == "req-job-3" and raw.http_response.request.url.path == "/pcm/jobs/job-3"


async def test_concurrent_async_calls_each_get_their_own_response() -> None:
    ids = [f"job-{n}" for n in range(40)]
    arrived: list[str] = []
    everyone_in = asyncio.Event()

    async def gathered(request: httpx.Request) -> httpx.Response:
        arrived.append(request.url.path)
        if len(arrived) == len(ids):
            everyone_in.set()
        await asyncio.wait_for(everyone_in.wait(), timeout=10)  # every call is in flight at once
        return _answer(request)

    async with _async_client(gathered) as client:
        calls = [
            client.pcm.jobs.with_raw_response.get_job(job_id)
            if n % 2
            else client.pcm.jobs.get_job(job_id)
            for n, job_id in enumerate(ids)
        ]
        results = await asyncio.gather(*calls)
    for n, (job_id, result) in enumerate(zip(ids, results, strict=True)):
        if n % 2:
            assert isinstance(result, APIResponse)
            assert result.request_id == f"req-{job_id}" and result.parsed.data.id == job_id
        else:
            assert isinstance(result, pcm_models.JobResponse) and result.data.id == job_id


def test_concurrent_threads_each_get_their_own_response() -> None:
    barrier = threading.Barrier(8)

    def slow(request: httpx.Request) -> httpx.Response:
        barrier.wait(timeout=10)  # every thread is inside a call at once
        return _answer(request)

    with _sync_client(slow) as client, ThreadPoolExecutor(8) as pool:
        raws = list(
            pool.map(client.pcm.jobs.with_raw_response.get_job, [f"t{n}" for n in range(8)])
        )
    assert [raw.request_id for raw in raws] == [f"req-t{n}" for n in range(8)]


def test_a_plain_call_after_a_raw_one_returns_the_parsed_body() -> None:
    with _sync_client() as client:
        client.pcm.jobs.with_raw_response.get_job("a")
        assert isinstance(client.pcm.jobs.get_job("b"), pcm_models.JobResponse)


# ------------------------------------------------------------------------------------- mypy --strict
_TYPED_USE = """
import asyncio

from ep_jobs import AsyncClient, Client

client = Client(auth="token")
reveal_type(client.pcm.jobs.with_raw_response.get_job("id"))
client.pcm.jobs.with_raw_response.get_job(42)
client.pcm.jobs.with_raw_response.get_job("id", optons=None)
client.pcm.jobs.with_raw_response.cancel_job("id", body=[1])


async def main() -> None:
    async_client = AsyncClient(auth="token")
    reveal_type(await async_client.pcm.jobs.with_raw_response.get_job("id"))
    await async_client.pcm.jobs.with_raw_response.get_job(job_id=3)


asyncio.run(main())
"""


@pytest.fixture(scope="module")
def mypy_report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    folder = tmp_path_factory.mktemp("typed")
    (folder / "use.py").write_text(_TYPED_USE, encoding="utf-8")
    done = subprocess.run(
        [
            *(sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--no-error-summary"),
            *("--cache-dir", str(folder / ".mypy_cache"), str(folder / "use.py")),
        ],
        cwd=GENERATED,
        capture_output=True,
        text=True,
        env={"MYPYPATH": str(GENERATED), "PATH": "/usr/bin:/bin"},
    )
    yield [line.split(": ", 1)[1] for line in done.stdout.splitlines() if ": " in line]


def test_mypy_sees_the_raw_form_s_return_type(mypy_report: list[str]) -> None:
    revealed = [line for line in mypy_report if line.startswith("note: Revealed type")]
    assert (
        revealed
        == [
            'note: Revealed type is "ep_jobs._response.APIResponse[ep_jobs.pcm.models.JobResponse]"'
        ]
        * 2
    )


def test_mypy_checks_the_raw_form_s_arguments(mypy_report: list[str]) -> None:
    errors = [line for line in mypy_report if line.startswith("error:")]
    assert len(errors) == 4, "\n".join(mypy_report)
    assert 'Argument 1 has incompatible type "int"; expected "str"' in errors[0]
    assert 'Unexpected keyword argument "optons"' in errors[1]
    assert (
        'Argument "body" has incompatible type "list[int]"; expected "dict[str, Any] | None"'
        in (errors[2])
    )
    assert 'Argument "job_id" has incompatible type "int"; expected "str"' in errors[3]
