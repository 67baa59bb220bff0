"""What the job facade does, written once for the sync and the async client.

Each operation is a generator of *effects* (`Call`, `Sleep`, `Fetch`, `Emit`) that a driver in
`_jobs.py` performs with its own client and sleep: the driver sends back each effect's result (or
throws its exception in), and the generator's return value is the operation's result. So polling,
backoff, deadlines, paging and downloads have one implementation, and the drivers only do I/O.
"""

from __future__ import annotations

import builtins
import dataclasses
import os
import re
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final, Generic, Protocol, TypeAlias, TypeVar, cast

import httpx
import pydantic

from ._base_client import retry_after_seconds, should_retry_status
from ._constants import DEFAULT_POLL_JITTER
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    JobCancelledError,
    JobError,
    JobFailedError,
    JobOperationNotSupported,
    JobStatusUnknownError,
    JobTimeoutError,
    NotFoundError,
)
from ._job_model import (
    NEEDS_ERRORS,
    Endpoint,
    Job,
    JobPayloadError,
    JobProfile,
    JobStatus,
    ResumeTokenError,
    cancelled_snapshot,
    decode_resume_token,
    job_from_payload,
    public_base_url,
    resolve_path,
    state_status,
)
from ._job_vocabulary import status_key
from ._logging import logger, redact_url
from ._models import to_json
from ._response import APIResponse

T = TypeVar("T")


# -- effects: what an operation asks its driver to do ----------------------------------------------


@dataclass(frozen=True, slots=True)
class Call:
    """Send an API request with `client.request(...)`; the reply is the `httpx.Response`."""

    method: str
    path: str
    path_params: dict[str, str]
    params: dict[str, object] | None = None
    json: object | None = None
    # None: the client's own retry policy. A poll under a deadline sends 0 and retries itself, so
    # that a long `Retry-After` never makes it sleep past the deadline.
    max_retries: int | None = None


@dataclass(frozen=True, slots=True)
class Sleep:
    """Sleep this many seconds; the reply is None."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Fetch:
    """Stream GET `url` into `sink` (`client.stream(..., authenticate=...)`); the reply is None."""

    url: str
    authenticate: bool
    sink: IO[bytes]


@dataclass(frozen=True, slots=True)
class Emit:
    """Hand `job` to the caller of `watch`; the reply is None."""

    job: Job


Effect: TypeAlias = Call | Sleep | Fetch | Emit
Steps: TypeAlias = Generator[Effect, object, T]


@dataclass(frozen=True, slots=True)
class Finished(Generic[T]):
    value: T


def advance(steps: Steps[T], reply: object, failure: Exception | None) -> Effect | Finished[T]:
    """Resume `steps` with the last effect's reply (or its exception): next effect, or the end."""
    try:
        return steps.send(reply) if failure is None else steps.throw(failure)
    except StopIteration as done:
        return Finished(cast(T, done.value))


def check_download(response: httpx.Response, url: str) -> None:
    """Save only a 2xx body (the client raises for >= 400; this also refuses 1xx and 3xx)."""
    if not response.is_success:
        raise JobError(f"downloading {redact_url(url)} returned HTTP {response.status_code}")


# -- the operations --------------------------------------------------------------------------------


class _Client(Protocol):
    """What the flow needs from `SyncAPIClient` / `AsyncAPIClient` besides I/O."""

    @property
    def base_url(self) -> httpx.URL: ...

    max_retries: int

    def parse(
        self, response: httpx.Response, adapters: Mapping[int | str, pydantic.TypeAdapter[Any]]
    ) -> APIResponse[Any]: ...


_ANY_JSON: Final[Mapping[int | str, pydantic.TypeAdapter[Any]]] = {"2XX": pydantic.TypeAdapter(Any)}
_BODY_METHODS: Final = frozenset({"POST", "PUT", "PATCH"})


class JobFlow:
    """The job operations as effect generators, shared by `Jobs` and `AsyncJobs`."""

    def __init__(
        self,
        client: _Client,
        profiles: Mapping[Any, JobProfile],
        *,
        clock: Callable[[], float],
        random: Callable[[], float],
    ) -> None:
        for name, profile in profiles.items():
            if name != profile.name:
                raise ValueError(f"job profile {profile.name!r} is registered as {name!r}")
        self._client = client
        self.profiles: Mapping[str, JobProfile] = dict(profiles)
        self._clock = clock
        self._random = random

    # reading jobs

    def from_response(self, api: str, body: object, parents: Mapping[str, object]) -> Job:
        """The Job in a response body (a dict or a generated response model) of any job endpoint.

        No I/O: for jobs whose `state` rules read the errors endpoint, those rules do not hold.
        """
        profile = self.profile(api)
        node = self._node(profile, to_json(body), None)
        return self._job(profile, node, self._parents(profile, parents))

    def create(self, api: str, body: object, parents: Mapping[str, object]) -> Steps[Job]:
        profile = self.profile(api)
        endpoint = self._endpoint(profile, profile.create, "create")
        if endpoint.media_type is not None and not _is_json(endpoint.media_type):
            raise JobOperationNotSupported(
                f"{profile.name} jobs are created with a {endpoint.media_type} body, which "
                f"`create` does not send (it sends JSON): use `client.jobs.{profile.name}."
                "create(...)`, whose arguments are that body's fields",
                api=profile.name,
                operation="create",
            )
        given = self._parents(profile, parents)
        response = yield from self._call(endpoint, profile, None, given, json=to_json(body))
        return (yield from self._one_job(profile, self._json(response), given, response))

    def started(
        self, api: str, response: httpx.Response, parents: Mapping[str, object]
    ) -> Steps[Job]:
        """The job in the response of an operation that started it (the typed accessors' creates)."""
        profile = self.profile(api)
        given = self._parents(profile, parents)
        return (yield from self._one_job(profile, self._json(response), given, response))

    def get(self, api: str, job_id: str, parents: Mapping[str, object]) -> Steps[Job]:
        profile = self.profile(api)
        given = self._parents(profile, parents)
        job, _ = yield from self._fetch(profile, str(job_id), given)
        return job

    def refresh(self, job: Job) -> Steps[Job]:
        fresh, _ = yield from self._fetch(self.profile(job.api), job.id, job.parents)
        return fresh

    def list(
        self,
        api: str,
        parents: Mapping[str, object],
        *,
        limit: int | None,
        params: Mapping[str, object] | None,
    ) -> Steps[builtins.list[Job]]:
        if limit is not None and limit < 0:
            raise ValueError(f"limit must be >= 0, got {limit}")
        profile = self.profile(api)
        given = self._parents(profile, parents)
        if limit == 0:
            return []
        jobs, _ = yield from self._scan(
            profile, given, params, lambda found: limit is not None and len(found) >= limit
        )
        return jobs if limit is None else jobs[:limit]

    def resume(self, token: str) -> Steps[Job]:
        decoded = decode_resume_token(token)
        if decoded.api not in self.profiles:
            raise ResumeTokenError(
                f"resume token is for the {decoded.api!r} job API, which this client does not have"
            )
        ours = public_base_url(self._client.base_url)
        if decoded.base_url is not None and decoded.base_url != ours:
            raise ResumeTokenError(
                f"resume token is for a job on {decoded.base_url}, but this client talks to {ours}"
            )
        return (yield from self.get(decoded.api, decoded.job_id, decoded.parents))

    def errors(self, job: Job) -> Steps[builtins.list[str]]:
        """The job's error messages: from the API's errors endpoint if any, else `job.error`."""
        profile = self.profile(job.api)
        fallback = [job.error] if job.error else []
        if profile.errors is None or profile.error_messages is None:
            return fallback
        response = yield from self._call(profile.errors, profile, job.id, job.parents)
        messages = resolve_path(self._json(response), profile.error_messages)
        return [str(m) for m in messages if isinstance(m, str | int | float) and str(m)] or fallback

    # changing jobs

    def cancel(self, job: Job) -> Steps[Job]:
        profile = self.profile(job.api)
        rule = profile.cancel_rule
        endpoint = self._endpoint(profile, rule.endpoint if rule else None, "cancel", job)
        if not profile.can_cancel(job):
            allowed = ", ".join(profile.cancel_statuses) or "not finished"
            raise JobOperationNotSupported(
                f"{job.api} job {job.id} is {job.raw_status}; "
                f"{job.api} jobs can only be cancelled while {allowed}",
                api=job.api,
                operation="cancel",
                job=job,
            )
        body: dict[str, object] | None = {} if endpoint.method.upper() in _BODY_METHODS else None
        response = yield from self._call(endpoint, profile, job.id, job.parents, json=body)
        if rule is not None and rule.removes_job:
            # The API removed the job (a later read is a 404): it is cancelled, as far as anyone
            # can tell, and the snapshot says so instead of a NotFoundError from reading it again.
            cancelled = cancelled_snapshot(profile, job)
            logger.info("%s job %s: cancelled (removed by the API)", job.api, job.id)
            return cancelled
        if not response.content:  # e.g. 202/204 without a body: ask for the new state
            return (yield from self.refresh(job))
        return (yield from self._one_job(profile, self._json(response), job.parents, response))

    # waiting

    def watch(
        self,
        job: Job,
        *,
        timeout: float | None,
        initial_delay: float,
        multiplier: float,
        max_delay: float,
        unknown_status_limit: float | None,
    ) -> Steps[Job]:
        """Poll until terminal, emitting each snapshot whose status differs from the one before."""
        return self._poll(
            job,
            timeout,
            _Backoff(initial_delay, multiplier, max_delay),
            emit=True,
            unknown_limit=unknown_status_limit,
        )

    def wait(
        self,
        job: Job,
        *,
        timeout: float | None,
        initial_delay: float,
        multiplier: float,
        max_delay: float,
        cancel_on_timeout: bool,
        raise_on_failure: bool,
        unknown_status_limit: float | None,
        emit: bool = False,
    ) -> Steps[Job]:
        """Poll until terminal; with `emit`, each change of status is an `Emit` (for `on_change`)."""
        profile = self.profile(job.api)
        if cancel_on_timeout:
            rule = profile.cancel_rule
            self._endpoint(profile, rule.endpoint if rule else None, "cancel", job)
        backoff = _Backoff(initial_delay, multiplier, max_delay)
        try:
            final = yield from self._poll(
                job, timeout, backoff, emit=emit, unknown_limit=unknown_status_limit
            )
        except JobTimeoutError as timed_out:
            if not cancel_on_timeout:
                raise
            outcome = yield from self._cancel_after_timeout(profile, timed_out)
            raise outcome from outcome.__cause__
        if final.status is JobStatus.SUCCEEDED or not raise_on_failure:
            return final
        if final.status is JobStatus.CANCELLED:
            raise JobCancelledError(f"{final.api} job {final.id} was cancelled", job=final)
        errors = yield from self._failure_details(final)
        summary = f": {errors[0]}" if errors else ""
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise JobFailedError(
            f"{final.api} job {final.id} failed{summary}{more}", job=final, errors=errors
        )

    def _poll(
        self,
        job: Job,
        timeout: float | None,
        backoff: _Backoff,
        *,
        emit: bool,
        unknown_limit: float | None,
    ) -> Steps[Job]:
        if timeout is not None and not timeout >= 0:
            raise ValueError(f"timeout must be >= 0 seconds or None, got {timeout}")
        if unknown_limit is not None and not unknown_limit >= 0:
            raise ValueError(
                f"unknown_status_limit must be >= 0 seconds or None, got {unknown_limit}"
            )
        deadline = None if timeout is None else self._clock() + timeout
        profile = self.profile(job.api)
        current = job
        # Since when the job's status has been a word no one mapped (None: it is a known one).
        unknown_since = self._clock() if _unmapped(profile, job) else None
        # Under a deadline the poll does its own retrying (see `Call.max_retries`), with the
        # client's retry budget for consecutive failures.
        own_retries = 0 if deadline is not None else None
        failures = 0
        while not current.status.is_terminal:
            previous, previous_word = status_key(current.raw_status), current.raw_status
            retry_after: float | None
            try:
                current, response = yield from self._fetch(
                    profile, job.id, job.parents, own_retries, last=current
                )
            except (APIStatusError, APIConnectionError) as error:
                if own_retries is None or not _poll_may_retry(error):
                    raise
                failures += 1
                if failures > self._client.max_retries:
                    raise
                retry_after = (
                    _retry_after(error.response) if isinstance(error, APIStatusError) else None
                )
            else:
                failures = 0
                if status_key(current.raw_status) != previous:
                    logger.info(
                        "%s job %s: %s -> %s (%s)",
                        current.api,
                        current.id,
                        previous_word,
                        current.raw_status,
                        current.status.value,
                    )
                    if emit:
                        yield Emit(current)
                if current.status.is_terminal:
                    break
                if not _unmapped(profile, current):
                    unknown_since = None
                elif unknown_since is None:
                    unknown_since = self._clock()
                retry_after = _retry_after(response)
            delay = backoff.next_delay(self._random())
            if retry_after is not None:
                delay = max(delay, retry_after)
            if unknown_since is not None and unknown_limit is not None:
                left = unknown_since + unknown_limit - self._clock()
                if left <= 0:
                    raise JobStatusUnknownError(
                        f"{current.api} job {current.id} has had the status {current.raw_status!r}, "
                        f"which its profile does not map, for {unknown_limit:g}s; giving up "
                        "(map the word in the job profile, or pass unknown_status_limit=None "
                        "to wait on regardless)",
                        job=current,
                        word=current.raw_status,
                        limit=unknown_limit,
                    )
                delay = min(delay, left)
            if deadline is not None:
                remaining = deadline - self._clock()
                if remaining <= 0:
                    raise JobTimeoutError(
                        f"{current.api} job {current.id} did not finish within {timeout:g}s "
                        f"(last status: {current.raw_status})",
                        job=current,
                        timeout=timeout,
                    )
                delay = min(delay, remaining)
            yield Sleep(delay)
        return current

    def _cancel_after_timeout(
        self, profile: JobProfile, timed_out: JobTimeoutError
    ) -> Steps[JobTimeoutError]:
        last = cast(Job, timed_out.job)
        if not profile.can_cancel(last):
            return JobTimeoutError(
                f"{timed_out.message}; not cancelled: a {last.raw_status} job cannot be cancelled",
                job=last,
                timeout=timed_out.timeout,
            )
        try:
            cancelled = yield from self.cancel(last)
        except APIError as error:
            failure = JobTimeoutError(
                f"{timed_out.message}; cancelling it failed: {error}",
                job=last,
                timeout=timed_out.timeout,
            )
            failure.__cause__ = error
            return failure
        return JobTimeoutError(
            f"{timed_out.message}; cancel requested (now {cancelled.raw_status})",
            job=cancelled,
            timeout=timed_out.timeout,
        )

    def _failure_details(self, job: Job) -> Steps[builtins.list[str]]:
        # The job failed either way; a failing errors endpoint must not hide that, so fall back.
        try:
            return (yield from self.errors(job))
        except APIError:
            return [job.error] if job.error else []

    # downloading

    def download(self, job: Job, dest: str | os.PathLike[str]) -> Steps[builtins.list[Path]]:
        """Stream every result file of a succeeded job to disk, atomically; the paths written."""
        if job.status is not JobStatus.SUCCEEDED:
            raise JobError(
                f"{job.api} job {job.id} is {job.raw_status}, not succeeded: it has no files to "
                "download yet (wait for it first)",
                job=job,
            )
        profile = self.profile(job.api)
        links = list(job.result_links)
        if not links and profile.file is not None and profile.file_link is not None:
            response = yield from self._call(profile.file, profile, job.id, job.parents)
            found = resolve_path(self._json(response), profile.file_link)
            links = [link for link in found if isinstance(link, str) and link.strip()]
        if not links:
            raise JobError(f"{job.api} job {job.id} has no result files", job=job)
        urls = [self._absolute(link, job) for link in links]
        targets = _targets(urls, dest, job)
        staged: builtins.list[tuple[Path, Path]] = []
        try:
            for url, target in zip(urls, targets, strict=True):
                target.parent.mkdir(parents=True, exist_ok=True)
                with tempfile.NamedTemporaryFile(
                    dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
                ) as sink:
                    staged.append((Path(sink.name), target))
                    yield Fetch(url, self._may_authenticate(url), sink)
            # All files arrived: only now do they appear under their names.
            for temporary, target in staged:
                os.replace(temporary, target)
        finally:
            for temporary, _ in staged:
                temporary.unlink(missing_ok=True)
        return targets

    def _absolute(self, link: str, job: Job) -> str:
        url = self._client.base_url.join(link.strip())
        if url.scheme not in ("http", "https") or not url.host:
            raise JobError(f"{job.api} job {job.id} has an unusable result link {link!r}", job=job)
        return str(url)

    def _may_authenticate(self, url: str) -> bool:
        """Credentials go only to the API's own origin (scheme, host and port), never elsewhere."""
        return _origin(httpx.URL(url)) == _origin(self._client.base_url)

    # plumbing

    def profile(self, api: str) -> JobProfile:
        try:
            return self.profiles[api]
        except KeyError:
            known = ", ".join(sorted(self.profiles)) or "none"
            raise ValueError(f"unknown job family {api!r} (known: {known})") from None

    def _endpoint(
        self, profile: JobProfile, endpoint: Endpoint | None, operation: str, job: Job | None = None
    ) -> Endpoint:
        if endpoint is None:
            raise JobOperationNotSupported(
                f"the {profile.name} jobs have no endpoint to {operation} a job",
                api=profile.name,
                operation=operation,
                job=job,
            )
        return endpoint

    def _parents(self, profile: JobProfile, given: Mapping[str, object]) -> dict[str, str]:
        missing = [name for name in profile.parent_params if given.get(name) in (None, "")]
        unknown = sorted(set(given) - set(profile.parent_params))
        if missing or unknown:
            expected = ", ".join(f"{name}=..." for name in profile.parent_params) or "none"
            problem = f"missing {', '.join(missing)}" if missing else f"unexpected {unknown}"
            raise TypeError(f"{profile.name} jobs take parent ids ({expected}): {problem}")
        return {name: str(given[name]) for name in profile.parent_params}

    def _call(
        self,
        endpoint: Endpoint,
        profile: JobProfile,
        job_id: str | None,
        parents: Mapping[str, str],
        *,
        params: Mapping[str, object] | None = None,
        json: object | None = None,
        max_retries: int | None = None,
    ) -> Steps[httpx.Response]:
        values = dict(parents)
        if job_id is not None:
            values[profile.job_param] = job_id
        path_params = {k: v for k, v in values.items() if "{" + k + "}" in endpoint.path}
        reply = yield Call(
            endpoint.method,
            endpoint.path,
            path_params,
            None if params is None else dict(params),
            json,
            max_retries,
        )
        return cast(httpx.Response, reply)

    def _json(self, response: httpx.Response) -> object:
        return self._client.parse(response, _ANY_JSON).parsed

    def _job(
        self,
        profile: JobProfile,
        obj: object,
        parents: Mapping[str, str],
        response: httpx.Response | None = None,
        errors_found: bool | None = None,
    ) -> Job:
        try:
            return job_from_payload(
                profile,
                obj,
                parents,
                base_url=public_base_url(self._client.base_url),
                http_status=None if response is None else response.status_code,
                errors_found=errors_found,
            )
        except JobPayloadError as error:
            if response is None:
                raise
            # Same error, plus the response's status, request id and raw text.
            raise JobPayloadError(
                error.message, api=error.api, payload=error.payload, response=response
            ) from None

    def _decided(
        self,
        profile: JobProfile,
        obj: object,
        parents: Mapping[str, str],
        response: httpx.Response | None,
    ) -> Steps[Job]:
        """The job of `obj`, reading the errors (or logs) endpoint when its `state` rules need to
        know whether there are any: only when the rules before that one have not decided."""
        status = None if response is None else response.status_code
        if profile.state and state_status(profile, obj, http_status=status) is NEEDS_ERRORS:
            provisional = self._job(profile, obj, parents, response, errors_found=False)
            messages = yield from self._messages(profile, provisional)
            return self._job(profile, obj, parents, response, errors_found=bool(messages))
        return self._job(profile, obj, parents, response)

    def _messages(self, profile: JobProfile, job: Job) -> Steps[builtins.list[str]]:
        """The messages of the job's errors endpoint, else of its logs endpoint."""
        for endpoint, path in (
            (profile.errors, profile.error_messages),
            (profile.logs, profile.log_messages),
        ):
            if endpoint is not None and path is not None:
                response = yield from self._call(endpoint, profile, job.id, job.parents)
                found = resolve_path(self._json(response), path)
                return [str(m) for m in found if isinstance(m, str | int | float) and str(m)]
        return []

    def _one_job(
        self,
        profile: JobProfile,
        body: object,
        parents: Mapping[str, str],
        response: httpx.Response | None = None,
    ) -> Steps[Job]:
        node = self._node(profile, body, response)
        return (yield from self._decided(profile, node, parents, response))

    def _node(
        self, profile: JobProfile, body: object, response: httpx.Response | None
    ) -> Mapping[str, Any]:
        """The one job object of a single-job response."""
        found = resolve_path(body, profile.envelope)
        node = found[0] if len(found) == 1 else None
        if isinstance(node, builtins.list) and len(node) == 1:
            node = node[0]  # the exporter answers a create with a one-element array
        if not isinstance(node, Mapping):
            where = f"at {profile.envelope!r}" if profile.envelope else "as the body"
            raise JobPayloadError(
                f"expected one {profile.name} job object {where} of the response",
                api=profile.name,
                payload=body,
                response=response,
            )
        return node

    def _fetch(
        self,
        profile: JobProfile,
        job_id: str,
        parents: Mapping[str, str],
        max_retries: int | None = None,
        *,
        last: Job | None = None,
    ) -> Steps[tuple[Job, httpx.Response]]:
        """The job's current snapshot, and the response it came in (for `Retry-After`).

        A read answered with an error status that an `http_status` state rule names gives the
        job that rule's status (the last snapshot, or one with only the id) instead of the error.
        """
        if profile.get is not None:
            try:
                response = yield from self._call(
                    profile.get, profile, job_id, parents, max_retries=max_retries
                )
            except APIStatusError as error:
                status = next(
                    (s for codes, s in profile.http_status_rules if error.status_code in codes),
                    None,
                )
                if status is None:
                    raise
                base = last or Job(
                    api=profile.name,
                    id=job_id,
                    kind=None,
                    status=status,
                    raw_status=status.value,
                    parents=dict(parents),
                    base_url=public_base_url(self._client.base_url),
                )
                snapshot = dataclasses.replace(base, status=status, raw_status=status.value)
                return snapshot, error.response
            job = yield from self._one_job(profile, self._json(response), parents, response)
            return job, response
        # No get-one endpoint (promotions): find the job in the list, page by page.
        jobs, response = yield from self._scan(
            profile,
            parents,
            None,
            lambda found: any(job.id == job_id for job in found),
            max_retries=max_retries,
        )
        for job in jobs:
            if job.id == job_id:
                return job, response
        where = ", ".join(f"{k}={v}" for k, v in parents.items())
        message = f"{profile.name} job {job_id} is not in the job list" + (
            f" of {where}" if where else ""
        )
        # The API has no get-one endpoint to answer 404 itself; answer it as that endpoint would,
        # so `except NotFoundError` works the same for every job API.
        missing = httpx.Response(
            404,
            json={"errors": [{"status": 404, "title": "Not Found", "detail": message}]},
            request=response.request,
        )
        raise NotFoundError(message, response=missing)

    def _scan(
        self,
        profile: JobProfile,
        parents: Mapping[str, str],
        params: Mapping[str, object] | None,
        enough: Callable[[builtins.list[Job]], bool],
        *,
        max_retries: int | None = None,
    ) -> Steps[tuple[builtins.list[Job], httpx.Response]]:
        """Jobs from the list endpoint, following `links.next` until the last page or `enough`."""
        endpoint = self._endpoint(profile, profile.list, "list")
        query: dict[str, object] = dict(params or {})
        asked: builtins.list[dict[str, object]] = []
        jobs: builtins.list[Job] = []
        while True:
            asked.append(query)
            response = yield from self._call(
                endpoint, profile, None, parents, params=query, max_retries=max_retries
            )
            body = self._json(response)
            page = yield from self._page(profile, body, parents, response)
            # Offset pages shift when jobs are added meanwhile: a job seen before is not repeated.
            seen = {job.id for job in jobs}
            jobs.extend(job for job in page if job.id not in seen)
            if enough(jobs):
                return jobs, response
            following = _next_query(body, query, len(page))
            if following is None or following in asked:  # guards a `next` that points back
                return jobs, response
            query = following

    def _page(
        self,
        profile: JobProfile,
        body: object,
        parents: Mapping[str, str],
        response: httpx.Response,
    ) -> Steps[builtins.list[Job]]:
        found = resolve_path(body, profile.envelope)
        if len(found) != 1 or not isinstance(found[0], builtins.list):
            where = f"at {profile.envelope!r}" if profile.envelope else "as the body"
            raise JobPayloadError(
                f"expected an array of {profile.name} jobs {where} of the list response",
                api=profile.name,
                payload=body,
                response=response,
            )
        jobs: builtins.list[Job] = []
        for item in found[0]:
            jobs.append((yield from self._decided(profile, item, parents, response)))
        return jobs


class _Backoff:
    """Capped exponential backoff with jitter: `min(initial * multiplier**n, max_delay)`, each
    sleep scaled by a random factor in `(1 - DEFAULT_POLL_JITTER, 1]` so waiters poll out of step.
    """

    def __init__(self, initial: float, multiplier: float, maximum: float) -> None:
        if not (initial >= 0 and multiplier >= 1 and maximum >= 0):
            raise ValueError(
                "poll backoff needs initial_delay >= 0, multiplier >= 1 and max_delay >= 0; "
                f"got {initial}, {multiplier}, {maximum}"
            )
        self._next = min(initial, maximum)
        self._multiplier = multiplier
        self._maximum = maximum

    def next_delay(self, random: float) -> float:
        delay = self._next
        self._next = min(delay * self._multiplier, self._maximum)
        return delay * (1 - DEFAULT_POLL_JITTER * random)


def _unmapped(profile: JobProfile, job: Job) -> bool:
    """Whether the job's status word is one its profile's status map lacks."""
    return bool(profile.statuses) and profile.status_of(job.raw_status) is None


def _is_json(media_type: str) -> bool:
    essence = media_type.partition(";")[0].strip().lower()
    return essence == "application/json" or essence.endswith("+json")


def _poll_may_retry(error: APIError) -> bool:
    """A failed poll worth another try: what the client itself would retry for a GET."""
    if isinstance(error, APIStatusError):
        return should_retry_status("GET", error.status_code)
    return isinstance(error, APIConnectionError)


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds the poll response asked us to wait before the next poll, or None."""
    asked = retry_after_seconds(response.headers, now=time.time())
    return None if asked is None else max(0.0, asked)


def _next_query(
    body: object, query: Mapping[str, object], page_size: int
) -> dict[str, object] | None:
    """The query for the page after this one, from `links.next`; None on the last page."""
    links = body.get("links") if isinstance(body, Mapping) else None
    if not isinstance(links, Mapping):
        return None
    following = links.get("next")
    if not isinstance(following, str) or not following or page_size == 0:
        return None
    if following in (links.get("current"), links.get("self")):
        return None  # documented examples point `next` at the page itself
    meta = body.get("meta") if isinstance(body, Mapping) else None
    paging = meta.get("page") if isinstance(meta, Mapping) else None
    if isinstance(paging, Mapping):
        current, total = paging.get("current"), paging.get("total")
        if isinstance(current, int) and isinstance(total, int) and current >= total:
            return None
    return {**query, **dict(httpx.URL(following).params.multi_items())}


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default_port = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host.lower(), url.port or default_port


_UNSAFE_NAME: Final = re.compile(r"[^A-Za-z0-9._-]+")


def _targets(
    urls: builtins.list[str], dest: str | os.PathLike[str], job: Job
) -> builtins.list[Path]:
    """Where each file goes: `dest` itself for one file, else unique safe names inside `dest`."""
    spelled = os.fspath(dest)
    path = Path(spelled)
    into_folder = path.is_dir() or spelled.endswith(("/", os.sep)) or len(urls) > 1
    if not into_folder:
        return [path]
    if path.exists() and not path.is_dir():
        raise JobError(
            f"{job.api} job {job.id} has {len(urls)} result files; dest {spelled!r} must be a "
            "folder, not a file",
            job=job,
        )
    taken: set[str] = set()
    targets: builtins.list[Path] = []
    for index, url in enumerate(urls, start=1):
        name = _safe_name(url) or f"{job.api}-{job.id}-{index}"
        stem, dot, suffix = name.rpartition(".")
        if not stem:
            stem, dot, suffix = name, "", ""
        unique, counter = name, 1
        while unique.casefold() in taken:
            counter += 1
            unique = f"{stem}-{counter}{dot}{suffix}"
        taken.add(unique.casefold())
        targets.append(path / unique)
    return targets


def _safe_name(url: str) -> str:
    """The last path segment of `url` as a harmless file name ('' if nothing usable is left)."""
    raw_path = httpx.URL(url).raw_path.decode("ascii").partition("?")[0]
    segment = urllib.parse.unquote(raw_path.rstrip("/").rpartition("/")[2])
    name = _UNSAFE_NAME.sub("_", segment).strip("._-")
    return name[:120]
