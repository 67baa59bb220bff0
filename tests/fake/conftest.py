"""Fixtures for the fake job server tests: the GENERATED package `ep_jobs`, its `ep_jobs.testing`
fake, and one blocking interface over `Jobs` and `AsyncJobs` so each flow runs on both."""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ..conftest import GENERATED

if str(GENERATED) not in sys.path:
    sys.path.insert(0, str(GENERATED))

from ep_jobs import Job
from ep_jobs.testing import FakeJobServer

TOKEN = "fake-suite-token"
PROMOTION = "ad386702-e780-42c6-b190-0527ad768917"
VIRTUAL_TIMEOUT = 3600.0
API_NAMES = ("exporter", "pcm", "promotions")
CREATE_BODIES: dict[str, dict[str, Any]] = {
    "exporter": {"data": {"type": "job", "job_type": "order_export", "filter": "eq(status,paid)"}},
    "promotions": {"type": "promotion_job", "job_type": "code_export", "name": "Export codes"},
}


def parents_of(api: str) -> dict[str, str]:
    return {"promotionID": PROMOTION} if api == "promotions" else {}


class BlockingJobs:
    """`client.jobs` of a sync or an async client, called the same blocking way.

    Coroutines run on the harness's own loop; `watch` gives a list of snapshots for both.
    """

    def __init__(self, client: Any, loop: asyncio.AbstractEventLoop | None) -> None:
        self.client = client
        self.loop = loop
        self.closed = False

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.client.jobs, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            return self.run(attribute(*args, **kwargs))

        return call

    def run(self, result: Any) -> Any:
        if inspect.isawaitable(result):
            assert self.loop is not None
            return self.loop.run_until_complete(result)
        return result

    def wait(self, job: Job, **options: Any) -> Job:
        # Virtual seconds: a job that never ends fails the test instead of hanging it.
        options.setdefault("timeout", VIRTUAL_TIMEOUT)
        return self.run(self.client.jobs.wait(job, **options))

    def watch(self, job: Job, **options: Any) -> list[Job]:
        options.setdefault("timeout", VIRTUAL_TIMEOUT)
        snapshots = self.client.jobs.watch(job, **options)
        if self.loop is None:
            return list(snapshots)

        async def collect() -> list[Job]:
            return [snapshot async for snapshot in snapshots]

        return self.loop.run_until_complete(collect())

    def start(
        self,
        server: FakeJobServer,
        api: str,
        script: list[str] | None = None,
        **plan: Any,
    ) -> Job:
        """A new job of `api` in the fake, as the client first sees it: through the create
        endpoint where the API has one, else added to the fake (as if another endpoint, such as
        a PCM product import, had started it) and read with `from_response`."""
        if server.profile(api).create is None:
            fake_job = server.add_job(api, status_script=script, **plan, **parents_of(api))
            return self.client.jobs.from_response(api, server.response_body(fake_job))
        if script is not None or plan:
            server.script_next(api, script or ["pending", "running", "succeeded"], **plan)
        return self.create(api, CREATE_BODIES[api], **parents_of(api))

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.loop is None:
            self.client.close()
        else:
            self.loop.run_until_complete(self.client.aclose())
            self.loop.close()


@pytest.fixture
def server() -> FakeJobServer:
    return FakeJobServer(token=TOKEN)


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_jobs(kind: str, server: FakeJobServer) -> Iterator[Callable[..., BlockingJobs]]:
    """Factory of `BlockingJobs` over a fresh in-memory client of the parametrised kind."""
    made: list[BlockingJobs] = []

    def make(fake: FakeJobServer | None = None, **options: Any) -> BlockingJobs:
        fake = fake or server
        if kind == "sync":
            harness = BlockingJobs(fake.client(**options), None)
        else:
            loop = asyncio.new_event_loop()
            harness = BlockingJobs(fake.async_client(**options), loop)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        harness.close()


@pytest.fixture
def jobs(make_jobs: Callable[..., BlockingJobs]) -> BlockingJobs:
    return make_jobs()
