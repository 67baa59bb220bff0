"""The normalised job facade: start, find, wait for, cancel and download any job the same way.

`Jobs` (sync) and `AsyncJobs` (async) have the same methods. Both run the operations written once in
`_job_flow.py`; they only perform its requests, sleeps and downloads with their own client. The job
model (`Job`, `JobStatus`, `JobProfile`, ...) lives in `_job_model.py` and is re-exported here.
"""

from __future__ import annotations

import asyncio
import builtins
import inspect
import os
import random as _random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Generic, TypedDict, TypeVar, Unpack, cast

import httpx

from ._base_client import AsyncAPIClient, RequestOptions, SyncAPIClient
from ._constants import (
    DEFAULT_POLL_INITIAL_DELAY,
    DEFAULT_POLL_MAX_DELAY,
    DEFAULT_POLL_MULTIPLIER,
    DEFAULT_UNKNOWN_STATUS_LIMIT,
)
from ._exceptions import connection_error
from ._job_flow import (
    Call,
    Effect,
    Emit,
    Fetch,
    Finished,
    JobFlow,
    Sleep,
    Steps,
    T,
    advance,
    check_download,
)
from ._job_model import (
    Cancel,
    Condition,
    Endpoint,
    FieldRule,
    Job,
    JobPayloadError,
    JobProfile,
    JobStatus,
    ResumeTokenError,
    StateRule,
    job_from_payload,
    parse_timestamp,
)
from ._response import APIResponse

#: The type of a client's family names (a `Literal` of them in the generated client).
N = TypeVar("N", bound=str)

__all__ = [
    "AsyncFamilyJobs",
    "AsyncJobs",
    "Cancel",
    "Condition",
    "Endpoint",
    "FamilyJobs",
    "FieldRule",
    "Job",
    "JobPayloadError",
    "JobProfile",
    "JobStatus",
    "Jobs",
    "ResumeTokenError",
    "StateRule",
    "WaitOptions",
    "WatchOptions",
    "job_from_payload",
    "parse_timestamp",
]


def _options(call: Call) -> RequestOptions | None:
    return None if call.max_retries is None else {"max_retries": call.max_retries}


class Jobs(Generic[N]):
    """Jobs of every configured family, one way: `jobs.wait(jobs.create("exporter", body))`.

    `N` is the type of the family names (the generated client's `Literal` of them), so a name
    that is not one is a type error. `clock`, `sleep` and `random` are injectable so tests (and
    schedulers) control time.
    """

    def __init__(
        self,
        client: SyncAPIClient,
        profiles: Mapping[N, JobProfile],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
        random: Callable[[], float] = _random.random,
    ) -> None:
        self._client = client
        self._sleep = sleep
        self._flow = JobFlow(client, profiles, clock=clock, random=random)

    @property
    def profiles(self) -> Mapping[N, JobProfile]:
        return cast("Mapping[N, JobProfile]", self._flow.profiles)

    def create(self, api: N, body: object, **parents: str) -> Job:
        """Start a job through the family's create endpoint; `body` is a dict or a generated model,
        sent as JSON. A family created with another body kind (a multipart upload) is started
        through its typed accessor instead, `client.jobs.<family>.create(...)`."""
        return self._run(self._flow.create(api, body, parents))

    def from_response(self, api: N, body: object, **parents: str) -> Job:
        """The Job in the response of any endpoint that starts a job (e.g. a PCM product import)."""
        return self._flow.from_response(api, body, parents)

    def get(self, api: N, job_id: str, **parents: str) -> Job:
        return self._run(self._flow.get(api, job_id, parents))

    def list(
        self,
        api: N,
        *,
        limit: int | None = None,
        params: Mapping[str, object] | None = None,
        **parents: str,
    ) -> builtins.list[Job]:
        """All jobs (every page), or the first `limit`; `params` adds query parameters."""
        return self._run(self._flow.list(api, parents, limit=limit, params=params))

    def refresh(self, job: Job) -> Job:
        return self._run(self._flow.refresh(job))

    def wait(
        self,
        job: Job,
        *,
        timeout: float | None = None,
        initial_delay: float = DEFAULT_POLL_INITIAL_DELAY,
        multiplier: float = DEFAULT_POLL_MULTIPLIER,
        max_delay: float = DEFAULT_POLL_MAX_DELAY,
        cancel_on_timeout: bool = False,
        raise_on_failure: bool = True,
        on_change: Callable[[Job], object] | None = None,
        unknown_status_limit: float | None = DEFAULT_UNKNOWN_STATUS_LIMIT,
    ) -> Job:
        """Poll until the job ends and return its final snapshot.

        Raises `JobFailedError` (with the API's error messages), `JobCancelledError`, or
        `JobTimeoutError` (with the last snapshot) once `timeout` seconds have passed; a timeout
        cancels the job only with `cancel_on_timeout=True`. With `raise_on_failure=False` a failed
        or cancelled job is returned instead. Polls back off exponentially (with jitter) up to
        `max_delay`, wait at least as long as a `Retry-After` header asks, and never sleep past the
        deadline.

        Progress: `on_change(job)` is called with each snapshot whose status differs from the one
        before (the final one included), and each change is logged at INFO. For a loop of your
        own over the changes, use `watch`.

        A status word the job's profile does not map counts as running; if it lasts longer than
        `unknown_status_limit` seconds (default 300; None: no limit) the wait raises
        `JobStatusUnknownError`, so that even `timeout=None` never waits forever on it.
        """
        return self._run(
            self._flow.wait(
                job,
                timeout=timeout,
                initial_delay=initial_delay,
                multiplier=multiplier,
                max_delay=max_delay,
                cancel_on_timeout=cancel_on_timeout,
                raise_on_failure=raise_on_failure,
                unknown_status_limit=unknown_status_limit,
                emit=on_change is not None,
            ),
            on_change,
        )

    def watch(
        self,
        job: Job,
        *,
        timeout: float | None = None,
        initial_delay: float = DEFAULT_POLL_INITIAL_DELAY,
        multiplier: float = DEFAULT_POLL_MULTIPLIER,
        max_delay: float = DEFAULT_POLL_MAX_DELAY,
        unknown_status_limit: float | None = DEFAULT_UNKNOWN_STATUS_LIMIT,
    ) -> Iterator[Job]:
        """The progress API: yield a snapshot each time the job's status changes, ending with the
        terminal one.

            for job in client.jobs.watch(job, timeout=600):
                print(job.status, job.raw_status)

        Polls like `wait` (and logs each change at INFO), raising `JobTimeoutError` after
        `timeout` and `JobStatusUnknownError` after `unknown_status_limit`; it does not raise for
        a failed or cancelled job (the last snapshot says so).
        """
        steps = self._flow.watch(
            job,
            timeout=timeout,
            initial_delay=initial_delay,
            multiplier=multiplier,
            max_delay=max_delay,
            unknown_status_limit=unknown_status_limit,
        )
        reply: object = None
        failure: Exception | None = None
        try:
            while not isinstance(effect := advance(steps, reply, failure), Finished):
                if isinstance(effect, Emit):
                    reply, failure = None, None
                    yield effect.job
                else:
                    reply, failure = self._perform(effect)
        finally:
            steps.close()

    def cancel(self, job: Job) -> Job:
        """Ask the API to cancel the job; the snapshot it answers with.

        Raises `JobOperationNotSupported` if the API cannot cancel jobs, or not in the job's state.
        """
        return self._run(self._flow.cancel(job))

    def errors(self, job: Job) -> builtins.list[str]:
        """The job's error messages (from the API's errors endpoint where it has one)."""
        return self._run(self._flow.errors(job))

    def download(self, job: Job, dest: str | os.PathLike[str]) -> builtins.list[Path]:
        """Save the result files of a succeeded job; the paths written.

        `dest` is a folder (file names come from the URLs) or, for a single file, the file's path.
        Every file is streamed to a temporary file beside its target and renamed into place only
        when all have arrived, so a failure leaves no partial file. Credentials are sent only to the
        API's own host.
        """
        return self._run(self._flow.download(job, dest))

    def resume(self, token: str) -> Job:
        """The job behind a `Job.resume_token`, fetched fresh (in this or another process)."""
        return self._run(self._flow.resume(token))

    def _run(self, steps: Steps[T], on_change: Callable[[Job], object] | None = None) -> T:
        reply: object = None
        failure: Exception | None = None
        try:
            while not isinstance(effect := advance(steps, reply, failure), Finished):
                if isinstance(effect, Emit):
                    if on_change is not None:
                        on_change(effect.job)
                    reply, failure = None, None
                    continue
                reply, failure = self._perform(effect)
            return effect.value
        finally:
            steps.close()

    def _perform(self, effect: Effect) -> tuple[object, Exception | None]:
        try:
            if isinstance(effect, Call):
                return self._client.request(
                    effect.method,
                    effect.path,
                    path_params=effect.path_params,
                    params=effect.params,
                    json=effect.json,
                    options=_options(effect),
                ), None
            if isinstance(effect, Sleep):
                self._sleep(effect.seconds)
            elif isinstance(effect, Fetch):
                with self._client.stream(
                    "GET", effect.url, authenticate=effect.authenticate
                ) as response:
                    check_download(response, effect.url)
                    try:
                        for chunk in response.iter_bytes():
                            effect.sink.write(chunk)
                    except httpx.TransportError as broken:
                        raise connection_error(response.request, broken) from broken
            else:
                raise TypeError(f"unexpected job effect {effect!r}")
        except Exception as error:  # handed back to the operation, which decides
            return None, error
        return None, None


class AsyncJobs(Generic[N]):
    """`Jobs` for the async client: the same methods, awaited (`watch` is an async iterator)."""

    def __init__(
        self,
        client: AsyncAPIClient,
        profiles: Mapping[N, JobProfile],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        random: Callable[[], float] = _random.random,
    ) -> None:
        self._client = client
        self._sleep = sleep
        self._flow = JobFlow(client, profiles, clock=clock, random=random)

    @property
    def profiles(self) -> Mapping[N, JobProfile]:
        return cast("Mapping[N, JobProfile]", self._flow.profiles)

    async def create(self, api: N, body: object, **parents: str) -> Job:
        return await self._run(self._flow.create(api, body, parents))

    def from_response(self, api: N, body: object, **parents: str) -> Job:
        return self._flow.from_response(api, body, parents)

    async def get(self, api: N, job_id: str, **parents: str) -> Job:
        return await self._run(self._flow.get(api, job_id, parents))

    async def list(
        self,
        api: N,
        *,
        limit: int | None = None,
        params: Mapping[str, object] | None = None,
        **parents: str,
    ) -> builtins.list[Job]:
        return await self._run(self._flow.list(api, parents, limit=limit, params=params))

    async def refresh(self, job: Job) -> Job:
        return await self._run(self._flow.refresh(job))

    async def wait(
        self,
        job: Job,
        *,
        timeout: float | None = None,
        initial_delay: float = DEFAULT_POLL_INITIAL_DELAY,
        multiplier: float = DEFAULT_POLL_MULTIPLIER,
        max_delay: float = DEFAULT_POLL_MAX_DELAY,
        cancel_on_timeout: bool = False,
        raise_on_failure: bool = True,
        on_change: Callable[[Job], object] | None = None,
        unknown_status_limit: float | None = DEFAULT_UNKNOWN_STATUS_LIMIT,
    ) -> Job:
        """See `Jobs.wait`; `on_change` may also be a coroutine function (it is awaited)."""
        return await self._run(
            self._flow.wait(
                job,
                timeout=timeout,
                initial_delay=initial_delay,
                multiplier=multiplier,
                max_delay=max_delay,
                cancel_on_timeout=cancel_on_timeout,
                raise_on_failure=raise_on_failure,
                unknown_status_limit=unknown_status_limit,
                emit=on_change is not None,
            ),
            on_change,
        )

    async def watch(
        self,
        job: Job,
        *,
        timeout: float | None = None,
        initial_delay: float = DEFAULT_POLL_INITIAL_DELAY,
        multiplier: float = DEFAULT_POLL_MULTIPLIER,
        max_delay: float = DEFAULT_POLL_MAX_DELAY,
        unknown_status_limit: float | None = DEFAULT_UNKNOWN_STATUS_LIMIT,
    ) -> AsyncIterator[Job]:
        """See `Jobs.watch`: the progress API (`async for job in client.jobs.watch(job): ...`)."""
        steps = self._flow.watch(
            job,
            timeout=timeout,
            initial_delay=initial_delay,
            multiplier=multiplier,
            max_delay=max_delay,
            unknown_status_limit=unknown_status_limit,
        )
        reply: object = None
        failure: Exception | None = None
        try:
            while not isinstance(effect := advance(steps, reply, failure), Finished):
                if isinstance(effect, Emit):
                    reply, failure = None, None
                    yield effect.job
                else:
                    reply, failure = await self._perform(effect)
        finally:
            steps.close()

    async def cancel(self, job: Job) -> Job:
        return await self._run(self._flow.cancel(job))

    async def errors(self, job: Job) -> builtins.list[str]:
        return await self._run(self._flow.errors(job))

    async def download(self, job: Job, dest: str | os.PathLike[str]) -> builtins.list[Path]:
        """See `Jobs.download`."""
        return await self._run(self._flow.download(job, dest))

    async def resume(self, token: str) -> Job:
        return await self._run(self._flow.resume(token))

    async def _run(self, steps: Steps[T], on_change: Callable[[Job], object] | None = None) -> T:
        reply: object = None
        failure: Exception | None = None
        try:
            while not isinstance(effect := advance(steps, reply, failure), Finished):
                if isinstance(effect, Emit):
                    if on_change is not None:
                        outcome = on_change(effect.job)
                        if inspect.isawaitable(outcome):
                            await outcome
                    reply, failure = None, None
                    continue
                reply, failure = await self._perform(effect)
            return effect.value
        finally:
            steps.close()

    async def _perform(self, effect: Effect) -> tuple[object, Exception | None]:
        try:
            if isinstance(effect, Call):
                return await self._client.request(
                    effect.method,
                    effect.path,
                    path_params=effect.path_params,
                    params=effect.params,
                    json=effect.json,
                    options=_options(effect),
                ), None
            if isinstance(effect, Sleep):
                await self._sleep(effect.seconds)
            elif isinstance(effect, Fetch):
                async with self._client.astream(
                    "GET", effect.url, authenticate=effect.authenticate
                ) as response:
                    check_download(response, effect.url)
                    try:
                        async for chunk in response.aiter_bytes():
                            effect.sink.write(chunk)
                    except httpx.TransportError as broken:
                        raise connection_error(response.request, broken) from broken
            else:
                raise TypeError(f"unexpected job effect {effect!r}")
        except Exception as error:  # handed back to the operation, which decides
            return None, error
        return None, None


class WaitOptions(TypedDict, total=False):
    """The keyword arguments of `wait` (see `Jobs.wait`)."""

    timeout: float | None
    initial_delay: float
    multiplier: float
    max_delay: float
    cancel_on_timeout: bool
    raise_on_failure: bool
    on_change: Callable[[Job], object] | None
    unknown_status_limit: float | None


class WatchOptions(TypedDict, total=False):
    """The keyword arguments of `watch` (see `Jobs.watch`)."""

    timeout: float | None
    initial_delay: float
    multiplier: float
    max_delay: float
    unknown_status_limit: float | None


class FamilyJobs(Generic[N]):
    """The jobs of one family, the family bound: the base of the generated accessors
    (`client.jobs.<family>`), which add the family's typed `create` (one per creator), `get` and
    `list`. The rest works as on `client.jobs`."""

    def __init__(self, jobs: Jobs[N], name: N) -> None:
        self._jobs = jobs
        self.name: N = name

    @property
    def profile(self) -> JobProfile:
        return self._jobs.profiles[self.name]

    @property
    def _client(self) -> SyncAPIClient:
        return self._jobs._client

    def _started(self, response: APIResponse[Any], parents: Mapping[str, str]) -> Job:
        """The job in the raw response of the operation that started it."""
        return self._jobs._run(self._jobs._flow.started(self.name, response.http_response, parents))

    def from_response(self, body: object, **parents: str) -> Job:
        """The job in a response body of one of this family's endpoints (no I/O)."""
        return self._jobs.from_response(self.name, body, **parents)

    def refresh(self, job: Job) -> Job:
        return self._jobs.refresh(self._own(job))

    def wait(self, job: Job, **options: Unpack[WaitOptions]) -> Job:
        """See `Jobs.wait` (progress: `on_change`, or `watch`)."""
        return self._jobs.wait(self._own(job), **options)

    def watch(self, job: Job, **options: Unpack[WatchOptions]) -> Iterator[Job]:
        """See `Jobs.watch`: each snapshot whose status changed."""
        return self._jobs.watch(self._own(job), **options)

    def cancel(self, job: Job) -> Job:
        """See `Jobs.cancel`."""
        return self._jobs.cancel(self._own(job))

    def errors(self, job: Job) -> builtins.list[str]:
        return self._jobs.errors(self._own(job))

    def download(self, job: Job, dest: str | os.PathLike[str]) -> builtins.list[Path]:
        """See `Jobs.download`."""
        return self._jobs.download(self._own(job), dest)

    def resume(self, token: str) -> Job:
        """The job behind a resume token of this family."""
        return self._own(self._jobs.resume(token))

    def _own(self, job: Job) -> Job:
        if job.api != self.name:
            raise ValueError(f"job {job.id} is a {job.api} job, not a {self.name} job")
        return job


class AsyncFamilyJobs(Generic[N]):
    """`FamilyJobs` for the async client."""

    def __init__(self, jobs: AsyncJobs[N], name: N) -> None:
        self._jobs = jobs
        self.name: N = name

    @property
    def profile(self) -> JobProfile:
        return self._jobs.profiles[self.name]

    @property
    def _client(self) -> AsyncAPIClient:
        return self._jobs._client

    async def _started(self, response: APIResponse[Any], parents: Mapping[str, str]) -> Job:
        return await self._jobs._run(
            self._jobs._flow.started(self.name, response.http_response, parents)
        )

    def from_response(self, body: object, **parents: str) -> Job:
        return self._jobs.from_response(self.name, body, **parents)

    async def refresh(self, job: Job) -> Job:
        return await self._jobs.refresh(self._own(job))

    async def wait(self, job: Job, **options: Unpack[WaitOptions]) -> Job:
        """See `Jobs.wait`."""
        return await self._jobs.wait(self._own(job), **options)

    def watch(self, job: Job, **options: Unpack[WatchOptions]) -> AsyncIterator[Job]:
        """See `Jobs.watch`."""
        return self._jobs.watch(self._own(job), **options)

    async def cancel(self, job: Job) -> Job:
        return await self._jobs.cancel(self._own(job))

    async def errors(self, job: Job) -> builtins.list[str]:
        return await self._jobs.errors(self._own(job))

    async def download(self, job: Job, dest: str | os.PathLike[str]) -> builtins.list[Path]:
        return await self._jobs.download(self._own(job), dest)

    async def resume(self, token: str) -> Job:
        return self._own(await self._jobs.resume(token))

    def _own(self, job: Job) -> Job:
        if job.api != self.name:
            raise ValueError(f"job {job.id} is a {job.api} job, not a {self.name} job")
        return job
