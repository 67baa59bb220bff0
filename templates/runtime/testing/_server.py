"""`FakeJobServer`, the fake users construct: it holds the settings and the lock, records each
request, and hands it to the router, the fault queue and the job operations."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import httpx

from .._auth import Auth
from .._job_model import JobProfile
from . import _clients
from ._api import SimulatedApi
from ._bodies import file_url, job_object, wrap
from ._faults import Fault, FaultQueue, fault_response, garbled, in_memory
from ._live import LiveServer
from ._operations import JobOperations
from ._routes import Operation, RecordedRequest, Router
from ._shapes import SHAPES, ApiShape
from ._state import EPOCH, FakeJob, JobPlan, JobStore, VirtualClock

if TYPE_CHECKING:  # generated modules, imported lazily at run time (see `_clients`)
    from .._client import AsyncClient, Client


class FakeJobServer:
    """An in-memory, stateful fake of every profiled job API (see the package docstring).

    Args:
        profiles: the job profiles to simulate; default: the package's `PROFILES`.
        base_url: the API origin; `storage_url`: the origin that serves result files.
        token: when set, API requests must carry `Authorization: Bearer <token>` (else 401).
        client_credentials: `(client_id, client_secret)` accepted by `POST /oauth/access_token`.
        shapes: per-API quirks; an entry replaces that API's `SHAPES` entry (change one field
            with `dataclasses.replace(SHAPES[api], ...)`).
        default_script: the status script of jobs given none.
        auto_advance: whether reading a job moves it one step on (else only `advance` does).
        page_size: jobs per list page, for APIs that page.
        storage_rejects_authorization: the storage origin answers 400 to a request that carries
            an `Authorization` header (pre-signed links do), so a leaked token fails loudly.
        clock: the virtual clock the ready-made clients sleep on; timestamps follow it too.

    Thread-safe: the socket server (`serve`) handles requests on several threads.
    """

    def __init__(
        self,
        profiles: Mapping[Any, JobProfile] | None = None,
        *,
        base_url: str = "https://api.fake.test",
        storage_url: str = "https://storage.fake.test",
        token: str | None = None,
        client_credentials: tuple[str, str] | None = None,
        shapes: Mapping[str, ApiShape] | None = None,
        default_script: Sequence[str] | None = None,
        auto_advance: bool = True,
        page_size: int = 25,
        storage_rejects_authorization: bool = True,
        clock: VirtualClock | None = None,
    ) -> None:
        if profiles is None:
            from .._profiles import PROFILES

            profiles = PROFILES
        merged_shapes = {**SHAPES, **(shapes or {})}
        self._apis = {
            name: SimulatedApi(profile, merged_shapes.get(name, ApiShape()))
            for name, profile in profiles.items()
        }
        self._router = Router(self._apis)
        self.base_url = base_url.rstrip("/")
        self.storage_url = storage_url.rstrip("/")
        self.token = token
        self.client_credentials = client_credentials
        self.auto_advance = auto_advance
        if page_size < 1:
            raise ValueError(f"page_size must be >= 1, got {page_size}")
        self.page_size = page_size
        self.storage_rejects_authorization = storage_rejects_authorization
        self.clock = clock or VirtualClock()
        self.requests: list[RecordedRequest] = []
        self._store = JobStore(now=self._now, default_script=default_script)
        for api in self._apis.values():  # a bad default script fails here, not mid-test
            if self._store.default_script is not None:
                api.script(self._store.default_script)
        self._faults = FaultQueue()
        self._operations = JobOperations(self._apis, self._store, self, self._request_id)
        self._lock = threading.RLock()
        self._ticks = 0
        self._live: LiveServer | None = None
        self._saved_urls = (self.base_url, self.storage_url)

    # setting up jobs

    @property
    def apis(self) -> list[str]:
        return list(self._apis)

    def profile(self, api: str) -> JobProfile:
        return self._api(api).profile

    def add_job(
        self,
        api: str,
        *,
        status_script: Sequence[str] | None = None,
        kind: str | None = None,
        files: Mapping[str, bytes] | None = None,
        errors: Sequence[str] = (),
        fields: Mapping[str, Any] | None = None,
        job_id: str | None = None,
        **parents: str,
    ) -> FakeJob:
        """A job as if the API had created it (for APIs whose jobs start elsewhere, such as a PCM
        product import). `parents` are the profile's parent ids (`promotionID=...`).

        `files` are its result files (default: one small CSV, for an API that exposes files; give
        `{}` for none; an API whose link field holds one URL shows only the first); `errors` the
        messages it reports if it fails (default: one). `fields` seed the job object, whose `type`
        is always the profile's `resource_type`.
        """
        spec = self._api(api)
        missing = [name for name in spec.profile.parent_params if not parents.get(name)]
        unknown = sorted(set(parents) - set(spec.profile.parent_params))
        if missing or unknown:
            raise TypeError(
                f"{api} jobs take parent ids {list(spec.profile.parent_params)}: "
                + (f"missing {missing}" if missing else f"unexpected {unknown}")
            )
        with self._lock:
            return self._store.create(
                spec,
                parents=dict(parents),
                plan=JobPlan(status_script, files, errors, kind),
                body_fields=dict(fields or {}),
                job_id=job_id,
            )

    def script_next(
        self,
        api: str,
        status_script: Sequence[str],
        *,
        kind: str | None = None,
        files: Mapping[str, bytes] | None = None,
        errors: Sequence[str] = (),
        times: int = 1,
    ) -> None:
        """The status script (and files, errors) of the next `times` jobs created through `api`'s
        create endpoint; later ones follow the default script."""
        spec = self._api(api)
        spec.script(status_script)  # check it now
        with self._lock:
            self._store.plan(
                api, (JobPlan(status_script, files, errors, kind) for _ in range(times))
            )

    def advance(self, job: FakeJob | str | None = None, steps: int = 1) -> None:
        """Move one job (or every job) `steps` steps along its script."""
        with self._lock:
            self._store.advance(job, steps)

    def job(self, job: FakeJob | str) -> FakeJob:
        """The simulated job with this id."""
        with self._lock:
            return self._store.get(job)

    @property
    def jobs(self) -> list[FakeJob]:
        with self._lock:
            return list(self._store.jobs.values())

    def response_body(self, job: FakeJob | str) -> Any:
        """The body the API's get would answer for this job now, without moving it on (to feed
        `client.jobs.from_response`, e.g. for a job started by another endpoint)."""
        with self._lock:
            found = self.job(job)
            spec = self._apis[found.api]
            return wrap(spec.profile.envelope, job_object(spec, found, self.storage_url))

    def file_urls(self, job: FakeJob | str) -> list[str]:
        """The (pre-signed style) storage URLs of the job's result files."""
        with self._lock:
            found = self.job(job)
            return [file_url(found, name, self.storage_url) for name in found.files]

    # faults

    def fail_next(
        self,
        status: int = 503,
        *,
        retry_after: float | None = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        times: int = 1,
        api: str | None = None,
        operation: Operation | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Answer the next matching request(s) with `status` (the API's error envelope unless
        `body` is given) without acting on it; `retry_after` adds a `Retry-After` header."""
        self._queue(
            Fault(
                kind="status",
                remaining=times,
                status=status,
                retry_after=retry_after,
                body=body,
                headers=dict(headers or {}),
                api=api,
                operation=operation,
                method=method,
                path=path,
            )
        )

    def disconnect_next(
        self,
        *,
        times: int = 1,
        api: str | None = None,
        operation: Operation | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Fail the next matching request(s) before the server acts: in memory an
        `httpx.ConnectError`; on a socket the connection is closed without an answer."""
        self._queue(
            Fault(
                kind="disconnect",
                remaining=times,
                api=api,
                operation=operation,
                method=method,
                path=path,
            )
        )

    def garble_next(
        self,
        body: bytes | None = None,
        *,
        status: int | None = None,
        times: int = 1,
        api: str | None = None,
        operation: Operation | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Act on the next matching request(s) but answer `body` (default: the real body cut in
        half, e.g. truncated JSON) with a correct `Content-Length`, and `status` if given."""
        self._queue(
            Fault(
                kind="garble",
                remaining=times,
                status=status,
                body=body,
                api=api,
                operation=operation,
                method=method,
                path=path,
            )
        )

    def cut_next(
        self,
        after: int = 16,
        *,
        reset: bool = True,
        times: int = 1,
        api: str | None = None,
        operation: Operation | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Act on the next matching request(s) but break the body off after `after` bytes, with
        the full `Content-Length` declared: a connection reset (`reset=True`), else an orderly
        close. In memory the body stream raises `httpx.ReadError` / `httpx.RemoteProtocolError`."""
        self._queue(
            Fault(
                kind="cut",
                remaining=times,
                after=after,
                reset=reset,
                api=api,
                operation=operation,
                method=method,
                path=path,
            )
        )

    def stall_next(
        self,
        seconds: float = 5.0,
        *,
        times: int = 1,
        api: str | None = None,
        operation: Operation | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Act on the next matching request(s) but answer only after `seconds` (on a socket; cut
        short when the server stops). In memory it raises `httpx.ReadTimeout` at once."""
        self._queue(
            Fault(
                kind="stall",
                remaining=times,
                delay=seconds,
                api=api,
                operation=operation,
                method=method,
                path=path,
            )
        )

    @property
    def pending_faults(self) -> int:
        """How many injected faults have not happened yet."""
        with self._lock:
            return self._faults.pending

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _queue(self, fault: Fault) -> None:
        if fault.remaining < 1:
            raise ValueError(f"times must be >= 1, got {fault.remaining}")
        if fault.api is not None:
            self._api(fault.api)
        with self._lock:
            self._faults.add(fault)

    # recorded requests

    def requests_for(
        self,
        *,
        api: str | None = None,
        operation: Operation | None = None,
        host: Literal["api", "storage", "other"] | None = None,
    ) -> list[RecordedRequest]:
        with self._lock:
            return [
                r
                for r in self.requests
                if (api is None or r.api == api)
                and (operation is None or r.operation == operation)
                and (host is None or r.host == host)
            ]

    # ready-made clients

    def transport(self) -> httpx.MockTransport:
        """An httpx transport for `httpx.Client` and `httpx.AsyncClient` alike."""
        return httpx.MockTransport(self.handle)

    def client(
        self, *, auth: Auth | str | None = None, virtual_time: bool = True, **options: Any
    ) -> Client:
        """A `Client` talking to this fake in memory (closing it closes its transport).

        `auth` defaults to the fake's token; `options` go to `Client` (`timeout`, `max_retries`,
        `default_headers`). With `virtual_time` its retries and job polls sleep on `self.clock`
        (a copy made by `with_options` sleeps for real again).
        """
        return _clients.sync_client(
            self.base_url,
            transport=self.transport(),
            auth=auth,
            virtual_time=virtual_time,
            options=options,
            token=self.token,
            clock=self.clock,
        )

    def async_client(
        self, *, auth: Auth | str | None = None, virtual_time: bool = True, **options: Any
    ) -> AsyncClient:
        """An `AsyncClient` talking to this fake in memory; see `client`."""
        return _clients.async_client(
            self.base_url,
            transport=self.transport(),
            auth=auth,
            virtual_time=virtual_time,
            options=options,
            token=self.token,
            clock=self.clock,
        )

    def serve(self, *, host: str = "127.0.0.1", max_lifetime: float = 60.0) -> LiveServer:
        """Serve this fake on real sockets (two ephemeral ports: API and storage) until the
        returned `LiveServer` is stopped (`with server.serve() as live:`), or `max_lifetime`
        seconds have passed. While it runs, `base_url` and `storage_url` are its addresses."""
        with self._lock:
            if self._live is not None:
                raise RuntimeError("this fake is already being served")
            live = LiveServer(self, host=host, max_lifetime=max_lifetime)
            self._live = live
            self._saved_urls = (self.base_url, self.storage_url)
            self.base_url, self.storage_url = live.base_url, live.storage_url
        live._start()
        return live

    def _unserve(self, live: LiveServer) -> None:
        with self._lock:
            if self._live is live:
                self._live = None
                self.base_url, self.storage_url = self._saved_urls

    # answering

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request in memory (the `httpx.MockTransport` handler)."""
        response, fault = self._process(request)
        return in_memory(request, response, fault)

    def _process(self, request: httpx.Request) -> tuple[httpx.Response | None, Fault | None]:
        """Record, route, inject a fault, act: the answer (None: none at all) and the fault that
        the caller must still realise on the wire (disconnect, cut, stall)."""
        with self._lock:
            self._ticks += 1
            target = self._router.route(request, self.base_url, self.storage_url)
            self.requests.append(
                RecordedRequest(
                    method=request.method,
                    url=str(request.url),
                    host=target.host,
                    api=target.api,
                    operation=target.operation,
                    headers=httpx.Headers(request.headers),
                    content=request.content,
                )
            )
            fault = self._faults.take(target, request)
            if fault is not None and fault.kind == "disconnect":
                return None, fault
            if fault is not None and fault.kind == "status":
                return fault_response(fault, target, self._apis, self._request_id()), None
            response = self._operations.answer(target, request)
            if fault is not None and fault.kind == "garble":
                return garbled(response, fault), None
            return response, fault

    # state

    def _api(self, api: str) -> SimulatedApi:
        try:
            return self._apis[api]
        except KeyError:
            known = ", ".join(sorted(self._apis)) or "none"
            raise ValueError(f"the fake has no job API {api!r} (known: {known})") from None

    def _now(self) -> datetime:
        return EPOCH + timedelta(seconds=self.clock.now(), milliseconds=self._ticks)

    def _request_id(self) -> str:
        return f"fake-{self._ticks:06d}"
