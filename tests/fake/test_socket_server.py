"""What only real sockets show, against the fake served on 127.0.0.1 (`FakeJobServer.serve`):
a connection reset mid-body, an answer slower than the client's timeout, a body shorter than its
`Content-Length`. Each runs with the sync and the async client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from ep_jobs import APIConnectionError, APITimeoutError, JobStatus, ResponseValidationError
from ep_jobs.testing import FakeJobServer, LiveServer

from .conftest import BlockingJobs

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def live(server: FakeJobServer) -> Iterator[LiveServer]:
    with server.serve(max_lifetime=30) as running:
        yield running


@pytest.fixture
def connect(kind: str, live: LiveServer) -> Iterator[Callable[..., BlockingJobs]]:
    """Factory of `BlockingJobs` over a client of the parametrised kind on real sockets."""
    made: list[BlockingJobs] = []

    def make(**options: Any) -> BlockingJobs:
        if kind == "sync":
            harness = BlockingJobs(live.client(**options), None)
        else:
            harness = BlockingJobs(live.async_client(**options), asyncio.new_event_loop())
        made.append(harness)
        return harness

    yield make
    for harness in made:
        harness.close()


def test_a_reset_mid_body_is_a_connection_error(
    server: FakeJobServer, connect: Callable[..., BlockingJobs]
) -> None:
    jobs = connect(max_retries=0)
    fake_job = server.add_job("pcm")
    server.cut_next(12, reset=True, operation="get")

    with pytest.raises(APIConnectionError) as broken:
        jobs.get("pcm", fake_job.id)

    assert isinstance(broken.value.__cause__, httpx.ReadError)
    assert server.pending_faults == 0


def test_a_poll_reset_mid_body_is_retried(
    server: FakeJobServer, connect: Callable[..., BlockingJobs]
) -> None:
    jobs = connect(max_retries=2, virtual_time=True)
    job = jobs.create("exporter", {"data": {"type": "job", "job_type": "order_export"}})
    server.cut_next(12, reset=True, operation="get", times=2)

    assert jobs.wait(job).status is JobStatus.SUCCEEDED

    # One poll, three attempts: the server acted on each (the job moved on) but two broke off.
    assert len(server.requests_for(operation="get")) == 3


def test_an_answer_slower_than_the_timeout_is_api_timeout_error(
    server: FakeJobServer, connect: Callable[..., BlockingJobs]
) -> None:
    jobs = connect(timeout=0.2, max_retries=0)
    fake_job = server.add_job("pcm")
    server.stall_next(10.0, operation="get")

    started = time.monotonic()
    with pytest.raises(APITimeoutError) as slow:
        jobs.get("pcm", fake_job.id)

    assert time.monotonic() - started < 2.0  # the client's timeout, not the server's stall
    assert isinstance(slow.value.__cause__, httpx.ReadTimeout)


def test_a_body_shorter_than_its_content_length_is_a_connection_error(
    server: FakeJobServer, connect: Callable[..., BlockingJobs]
) -> None:
    jobs = connect(max_retries=0)
    fake_job = server.add_job("pcm")
    server.cut_next(20, reset=False, operation="get")  # truncated JSON, full Content-Length

    with pytest.raises(APIConnectionError) as short:
        jobs.get("pcm", fake_job.id)

    assert isinstance(short.value.__cause__, httpx.RemoteProtocolError)
    assert "received 20 bytes" in str(short.value.__cause__)


def test_truncated_json_with_a_matching_content_length_is_a_validation_error(
    server: FakeJobServer, connect: Callable[..., BlockingJobs]
) -> None:
    jobs = connect(max_retries=0)
    fake_job = server.add_job("pcm")
    server.garble_next(b'{"data": {"id": "1", "attr', operation="get")

    with pytest.raises(ResponseValidationError) as malformed:
        jobs.get("pcm", fake_job.id)

    assert malformed.value.body == '{"data": {"id": "1", "attr'


def test_a_hang_up_before_answering_a_poll_is_retried(
    server: FakeJobServer, connect: Callable[..., BlockingJobs]
) -> None:
    jobs = connect(max_retries=1, virtual_time=True)
    fake_job = server.add_job("pcm")
    server.disconnect_next(operation="get")

    assert jobs.get("pcm", fake_job.id).status is JobStatus.RUNNING

    assert len(server.requests_for(operation="get")) == 2
    assert server.job(fake_job.id).reads == 1  # the fake hung up before acting on the first


def test_a_download_reset_mid_body_leaves_no_file(
    server: FakeJobServer, connect: Callable[..., BlockingJobs], tmp_path: Path
) -> None:
    jobs = connect(max_retries=0)
    fake_job = server.add_job("pcm", status_script=["success"], files={"p.csv": b"z" * 5000})
    job = jobs.get("pcm", fake_job.id)
    server.cut_next(1000, reset=True, operation="download")

    with pytest.raises(APIConnectionError):
        jobs.download(job, tmp_path)

    assert list(tmp_path.iterdir()) == []
    (path,) = jobs.download(job, tmp_path)  # and the next try gets the whole file
    assert path.read_bytes() == b"z" * 5000


def test_files_come_from_another_origin_without_the_token(
    server: FakeJobServer, live: LiveServer, connect: Callable[..., BlockingJobs], tmp_path: Path
) -> None:
    jobs = connect()
    job = jobs.get("pcm", server.add_job("pcm", status_script=["success"]).id)

    jobs.download(job, tmp_path)

    assert httpx.URL(live.storage_url).port != httpx.URL(live.base_url).port
    (download,) = server.requests_for(operation="download")
    assert download.url.startswith(live.storage_url) and download.authorization is None
    assert server.requests_for(operation="get")[0].authorization is not None


def test_the_server_stops_by_itself() -> None:
    fake = FakeJobServer()
    live = fake.serve(max_lifetime=0.2)
    address = live.base_url
    deadline = time.monotonic() + 5
    while live.running and time.monotonic() < deadline:
        time.sleep(0.02)

    assert not live.running
    assert fake.base_url == "https://api.fake.test"  # the in-memory address is back
    with pytest.raises(httpx.ConnectError):
        httpx.get(address + "/pcm/jobs", timeout=1)
