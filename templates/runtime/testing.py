"""A fake of every profiled job API, in memory or on a local socket, for testing code that uses
this client. It needs nothing beyond httpx and pydantic.

    from <package>.testing import FakeJobServer

    server = FakeJobServer()  # every API in the package's job profiles
    with server.client() as client:  # a Client wired to the fake, on the fake's virtual clock
        job = client.jobs.create("exporter", {"data": {"type": "job", "job_type": "order_export"}})
        job = client.jobs.wait(job)  # pending -> started -> success: one step per poll
        client.jobs.download(job, "exports/")

Or wire it yourself: `Client(auth="t", base_url=server.base_url,
http_client=httpx.Client(transport=server.transport()))` (`httpx.AsyncClient` takes the same
transport). `server.serve()` runs the same fake on real sockets (`LiveServer`) for what an
in-process transport cannot show: a connection reset mid-body, a response slower than the client's
timeout, a body shorter than its `Content-Length`.

Driven by the job profiles
--------------------------
The fake simulates every API in `PROFILES` (`_profiles.py`), or in the `profiles` you pass, from
the profile alone: its routes are the profile's endpoints; a job object is built by setting values at
the profile's dotted field paths (`fields`) inside its `envelope`; status words come from the
profile's status map and cancel rules from `cancel` and `cancellable`; the file link is put at
`file_link` and error messages at `error_messages`. So a new job API with a profile is simulated
with no code change. What a profile cannot say is read from the API's typed models where the
package has them, else from `SHAPES` (an `ApiShape` per API; unknown APIs get the defaults):

- the create response holds the job in a one-element array (the exporter): detected when the typed
  create response model has a list at the envelope;
- error `status` as an integer (exporter, promotions) or a string (PCM): from the typed error model;
- list paging with `page[offset]`/`page[limit]` and `links` (promotions), and a `meta` with
  `results.total` (PCM, promotions): from the typed list response model;
- from `SHAPES`: the exporter's 202 on create, its bare 404 error object and nine-digit timestamps;
  promotions' `errors` given as one object and its `promotion_id` field; PCM's job error type.

Lifecycle
---------
Each job follows a status script, `("pending", "running", "succeeded")` unless you give one. A job
stands at the first step when created; every later read of it (a get, or a list page holding it)
first moves it one step on, then answers; it stays at the last step. Steps are canonical statuses
(`"running"`, mapped to the API's own word) or the API's own words (`"started"`); wrap any other
word in `Raw(...)` to send a status the profile does not know. `server.advance()` moves jobs by hand
(with `auto_advance=False` only it does). A cancel goes to the API's `cancelling` word when it has
one (the next read then shows `cancelled`), else straight to `cancelled`; a job in a state its
profile cannot cancel gets a 422, and an API without a cancel endpoint has no such route (404). A
failed job reports its `errors` in its `error` field and/or on its errors endpoint, as its profile
says. A succeeded job's result files are served from memory on a separate storage origin
(`storage_url`), which rejects requests that carry an `Authorization` header, as pre-signed storage
links do.

Faults and checks
-----------------
`fail_next(429, retry_after=2)` answers with an error status, `disconnect_next()` fails before the
request arrives (`httpx.ConnectError` in memory; on a socket the connection is closed unanswered),
`garble_next()` sends a malformed body, `cut_next()` breaks the body off part way (a reset, or a
short body with the full `Content-Length`), `stall_next(seconds)` answers too late (in memory it
raises `httpx.ReadTimeout` at once). Each takes `times` and can be limited to an `api`,
`operation` (`create`, `list`, `get`, `cancel`, `errors`, `file`, `download`, `token`), `method` or
URL `path` (a glob). With `token=` set the API answers 401 unless that bearer token is sent; with
`client_credentials=` it also serves `POST /oauth/access_token`. Every request is recorded in
`server.requests`.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import fnmatch
import hashlib
import http
import importlib
import json
import mimetypes
import re
import socket
import struct
import sys
import threading
import types
import typing
import urllib.parse
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Final, Literal, cast

import httpx
import pydantic

from ._auth import Auth
from ._job_model import Endpoint, JobProfile, JobStatus, resolve_path
from ._jobs import AsyncJobs, Jobs

if TYPE_CHECKING:  # generated modules, imported lazily at run time (see `FakeJobServer.client`)
    from ._client import AsyncClient, Client

__all__ = [
    "SHAPES",
    "ApiShape",
    "FakeJob",
    "FakeJobServer",
    "LiveServer",
    "Raw",
    "RecordedRequest",
    "VirtualClock",
]

Operation = Literal["create", "list", "get", "cancel", "errors", "file", "download", "token"]
_JOB_OPERATIONS: Final[tuple[Operation, ...]] = (
    "create",
    "list",
    "get",
    "cancel",
    "errors",
    "file",
)
_DEFAULT_SCRIPT: Final = ("pending", "running", "succeeded")
_EPOCH: Final = datetime(2024, 1, 1, tzinfo=UTC)


# -- what a profile cannot say ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiShape:
    """The quirks of one API that its profile cannot express. `None` means: read it from the API's
    typed models if the package has them, else the default in brackets.

    - `create_status`: the status of a successful create.
    - `create_array`: the create response holds the job in a one-element array (no).
    - `paginated`: the list pages with `page[offset]`/`page[limit]` and answers `links` (no).
    - `list_meta`: the list answers `meta.results.total` (no).
    - `error_status`: whether error objects give `status` as `"int"` or `"str"` (int).
    - `errors_as_object`: `errors` holds one error object instead of an array.
    - `bare_not_found`: a 404 answers the error object itself, not wrapped in `errors`.
    - `parent_fields`: parent path parameter -> field of the job object that repeats it.
    - `timestamp_digits`: fractional second digits of timestamps.
    - `error_type`: `type` of the objects of the errors endpoint (`<resource_type>-error`).
    - `default_kind`: the job kind when the create body or `add_job` names none.
    """

    create_status: int = 201
    create_array: bool | None = None
    paginated: bool | None = None
    list_meta: bool | None = None
    error_status: Literal["int", "str"] | None = None
    errors_as_object: bool = False
    bare_not_found: bool = False
    parent_fields: Mapping[str, str] = field(default_factory=dict)
    timestamp_digits: int = 3
    error_type: str | None = None
    default_kind: str | None = None


#: The known APIs' quirks (see the module docstring); an API not named here gets `ApiShape()`.
SHAPES: Final[Mapping[str, ApiShape]] = {
    "exporter": ApiShape(
        create_status=202, bare_not_found=True, timestamp_digits=9, default_kind="order_export"
    ),
    "pcm": ApiShape(error_type="pim-job-error", default_kind="product-import"),
    "promotions": ApiShape(
        errors_as_object=True,
        parent_fields={"promotionID": "promotion_id"},
        default_kind="code_generate",
    ),
}


class Raw(str):
    """A status word sent exactly as given, even one the API's profile does not know."""

    __slots__ = ()


# -- time ------------------------------------------------------------------------------------------


class VirtualClock:
    """Time that only moves when something sleeps on it: tests poll without really waiting.

    `now` and `sleep` fit `Jobs(clock=..., sleep=...)`, `asleep` fits `AsyncJobs(sleep=...)`;
    `sleeps` lists every sleep asked for.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self.sleeps: list[float] = []

    def now(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._now += max(0.0, seconds)

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)
        await asyncio.sleep(0)  # let other tasks run, as a real sleep would


# -- the simulated state ---------------------------------------------------------------------------


@dataclass(eq=False, kw_only=True)
class FakeJob:
    """One simulated job. Tests may change `script`, `files` and `errors` at any time."""

    api: str
    id: str
    parents: dict[str, str]
    kind: str | None
    script: list[str]
    position: int = 0
    files: dict[str, bytes] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    #: Fields the job object starts from (the create body's, or `add_job(fields=...)`).
    fields: dict[str, Any] = field(default_factory=dict)
    created_at: datetime = _EPOCH
    updated_at: datetime = _EPOCH
    started_at: datetime | None = None
    finished_at: datetime | None = None
    #: How many times the job's state was read (gets and list pages).
    reads: int = 0
    profile: JobProfile = field(repr=False)

    @property
    def raw_status(self) -> str:
        return self.script[self.position]

    @property
    def status(self) -> JobStatus:
        return self.profile.status_of(self.raw_status) or JobStatus.RUNNING


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """A request the fake received: `host` is `"api"`, `"storage"` or `"other"`; `api` and
    `operation` say which endpoint it matched (None if none)."""

    method: str
    url: str
    host: Literal["api", "storage", "other"]
    api: str | None
    operation: Operation | None
    headers: httpx.Headers
    content: bytes

    @property
    def path(self) -> str:
        return httpx.URL(self.url).path

    @property
    def authorization(self) -> str | None:
        return cast("str | None", self.headers.get("authorization"))

    def json(self) -> Any:
        return json.loads(self.content) if self.content else None


FaultKind = Literal["status", "disconnect", "garble", "cut", "stall"]


@dataclass(slots=True, kw_only=True)
class _Fault:
    kind: FaultKind
    remaining: int
    status: int | None = None
    retry_after: float | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    after: int = 0
    reset: bool = True
    delay: float = 0.0
    api: str | None = None
    operation: str | None = None
    method: str | None = None
    path: str | None = None

    def matches(self, target: _Target, request: httpx.Request) -> bool:
        return (
            (self.api is None or self.api == target.api)
            and (self.operation is None or self.operation == target.operation)
            and (self.method is None or self.method.upper() == request.method)
            and (self.path is None or fnmatch.fnmatchcase(request.url.path, self.path))
        )


@dataclass(frozen=True, slots=True)
class _Target:
    """Where a request goes: which host, API and operation, and the path parameters."""

    host: Literal["api", "storage", "other"]
    path: str
    api: str | None = None
    operation: Operation | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    allowed: tuple[str, ...] = ()  # methods the path takes, when the request's is not one


@dataclass(frozen=True, slots=True)
class _Route:
    api: str
    operation: Operation
    method: str
    pattern: re.Pattern[str]
    names: tuple[str, ...]


@dataclass(slots=True)
class _NextJob:
    script: Sequence[str] | None
    files: Mapping[str, bytes] | None
    errors: Sequence[str]
    kind: str | None


# -- building JSON at dotted paths -----------------------------------------------------------------


def _put(node: dict[str, Any], path: str, value: object) -> None:
    """Set `value` at dotted `path` in `node`, creating objects on the way.

    A segment ending in `[]` makes an array: `value` must then be a sequence, one element per item
    (`data[].attributes.message` with `["a", "b"]` gives two objects, each with its message).
    """
    head, _, rest = path.partition(".")
    fan_out = head.endswith("[]")
    key = head[:-2] if fan_out else head
    if not key:
        raise ValueError(f"cannot build a value at path {path!r}")
    if not fan_out:
        if not rest:
            node[key] = value
            return
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        _put(child, rest, value)
        return
    items = list(cast(Sequence[object], value))
    if not rest:
        node[key] = items
        return
    built: list[dict[str, Any]] = []
    for item in items:
        element: dict[str, Any] = {}
        _put(element, rest, item)
        built.append(element)
    node[key] = built


def _wrap(path: str, value: object) -> Any:
    """`value` placed at `path` of a new body (`""`: the value is the body)."""
    if not path:
        return value
    body: dict[str, Any] = {}
    _put(body, path, value)
    return body


# -- reading what the typed models say -------------------------------------------------------------

_OPERATION_LINE: Final = re.compile(r"`([A-Z]+) (/\S*)`")


def _response_models(profile: JobProfile) -> dict[tuple[str, str], type[pydantic.BaseModel]]:
    """(method, path) -> the typed response model of each operation of the profile's API.

    Read from the generated resources module beside the job model (each operation method's
    docstring ends with its `` `METHOD /path` ``); empty when there is none.
    """
    if profile.model is None:
        return {}
    package = profile.model.__module__.rpartition(".")[0]
    try:
        module = importlib.import_module(f"{package}.resources")
    except ImportError:
        return {}
    found: dict[tuple[str, str], type[pydantic.BaseModel]] = {}
    for owner in vars(module).values():
        if not isinstance(owner, type) or owner.__module__ != module.__name__:
            continue
        for function in vars(owner).values():
            doc = getattr(function, "__doc__", None)
            if not callable(function) or not isinstance(doc, str) or not doc.strip():
                continue
            match = _OPERATION_LINE.fullmatch(doc.strip().splitlines()[-1].strip())
            if match is None:
                continue
            try:
                returned = typing.get_type_hints(function).get("return")
            except Exception:  # an annotation that does not resolve: no information
                continue
            if isinstance(returned, type) and issubclass(returned, pydantic.BaseModel):
                found.setdefault((match[1], match[2]), returned)
    return found


def _model_field(model: type[pydantic.BaseModel] | None, key: str) -> Any:
    """The annotation of the field sent as `key` (its alias or name), or `_ABSENT`."""
    if model is None:
        return _ABSENT
    for name, info in model.model_fields.items():
        if (info.alias or name) == key:
            return info.annotation
    return _ABSENT


_ABSENT: Final = object()


def _is_list(annotation: object) -> bool:
    origin = typing.get_origin(annotation)
    if origin is list:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_is_list(arg) for arg in typing.get_args(annotation))
    return False


def _error_status_type(profile: JobProfile) -> Literal["int", "str"] | None:
    """Whether the API's typed error model gives `status` as an integer or a string."""
    module = sys.modules.get(profile.model.__module__) if profile.model is not None else None
    if module is None:
        return None
    candidates = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, pydantic.BaseModel)
        and {"status", "title"} <= set(value.model_fields)
    ]
    candidates.sort(key=lambda model: model.__name__ != "Error")
    for model in candidates:
        annotation = model.model_fields["status"].annotation
        if annotation is int:
            return "int"
        if annotation is str:
            return "str"
    return None


# -- one simulated API -----------------------------------------------------------------------------


class _Api:
    """A profile, with its shape resolved and its routes compiled."""

    def __init__(self, profile: JobProfile, shape: ApiShape) -> None:
        self.profile = profile
        self.shape = shape
        models = _response_models(profile)

        def model_of(endpoint: Endpoint | None) -> type[pydantic.BaseModel] | None:
            return None if endpoint is None else models.get((endpoint.method, endpoint.path))

        envelope = profile.envelope
        in_create = _model_field(model_of(profile.create), envelope) if envelope else _ABSENT
        list_model = model_of(profile.list)
        self.create_array = (
            shape.create_array
            if shape.create_array is not None
            else in_create is not _ABSENT and _is_list(in_create)
        )
        self.paginated = (
            shape.paginated
            if shape.paginated is not None
            else _model_field(list_model, "links") is not _ABSENT
        )
        self.list_meta = (
            shape.list_meta
            if shape.list_meta is not None
            else _model_field(list_model, "meta") is not _ABSENT
        )
        self.error_status = shape.error_status or _error_status_type(profile) or "int"
        self.words: dict[JobStatus, str] = {}
        for raw, status in profile.statuses.items():
            self.words.setdefault(status, raw)
        self.routes: list[_Route] = []
        for operation in _JOB_OPERATIONS:
            endpoint = cast(Endpoint | None, getattr(profile, operation))
            if endpoint is not None:
                pattern, names = _compile(endpoint.path)
                self.routes.append(
                    _Route(profile.api, operation, endpoint.method.upper(), pattern, names)
                )

    @property
    def name(self) -> str:
        return self.profile.api

    def raw_word(self, word: str) -> str:
        """The API's own status word for a script step (see the module docstring)."""
        if isinstance(word, Raw):
            return str(word)
        wanted = word.strip().casefold()
        for raw in self.profile.statuses:
            if raw.casefold() == wanted:
                return raw
        try:
            status = JobStatus(wanted)
        except ValueError:
            raise ValueError(
                f"{word!r} is neither a {self.name} status ({', '.join(self.profile.statuses)}) "
                f"nor a canonical one ({', '.join(s.value for s in JobStatus)}); wrap it in "
                "Raw(...) to send an unknown status on purpose"
            ) from None
        if status not in self.words:
            raise ValueError(f"the {self.name} API has no status word for {status.value!r}")
        return self.words[status]

    def script(self, steps: Sequence[str] | None) -> list[str]:
        if steps is None:  # the default: the canonical steps this API has
            return [self.words[JobStatus(s)] for s in _DEFAULT_SCRIPT if JobStatus(s) in self.words]
        if isinstance(steps, str) or not steps:
            raise ValueError("a status script is a non-empty sequence of status words")
        return [self.raw_word(step) for step in steps]

    def timestamp(self, moment: datetime) -> str:
        digits = self.shape.timestamp_digits
        fraction = (f"{moment.microsecond:06d}" + "999")[:digits]
        return moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if digits else "") + "Z"

    def error_body(self, status: int, detail: str | None = None) -> Any:
        error: dict[str, object] = {
            "status": status if self.error_status == "int" else str(status),
            "title": _phrase(status),
        }
        if detail:
            error["detail"] = detail
        if status == 404 and self.shape.bare_not_found:
            return error
        return {"errors": error if self.shape.errors_as_object else [error]}


def _compile(path: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    names: list[str] = []
    regex = ""
    for part in re.split(r"(\{[^{}/]+\})", path):
        if part.startswith("{") and part.endswith("}"):
            regex += f"(?P<p{len(names)}>[^/]+)"
            names.append(part[1:-1])
        else:
            regex += re.escape(part)
    return re.compile(regex), tuple(names)


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default_port = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host.lower(), url.port or default_port


_FILTER_CLAUSE: Final = re.compile(r"\s*eq\(\s*([^,\s()]+)\s*,\s*([^()]*?)\s*\)\s*")


# -- the server ------------------------------------------------------------------------------------


class FakeJobServer:
    """An in-memory, stateful fake of every profiled job API (see the module docstring).

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
        profiles: Mapping[str, JobProfile] | None = None,
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
            from ._profiles import PROFILES

            profiles = PROFILES
        merged_shapes = {**SHAPES, **(shapes or {})}
        self._apis = {
            name: _Api(profile, merged_shapes.get(name, ApiShape()))
            for name, profile in profiles.items()
        }
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
        self._default_script = None if default_script is None else tuple(default_script)
        for api in self._apis.values():  # a bad default script fails here, not mid-test
            if self._default_script is not None:
                api.script(self._default_script)
        self._jobs: dict[str, FakeJob] = {}
        self._next: dict[str, list[_NextJob]] = {}
        self._faults: list[_Fault] = []
        self._lock = threading.RLock()
        self._counter = 0
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
            return self._new_job(
                spec,
                parents=dict(parents),
                plan=_NextJob(status_script, files, errors, kind),
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
            self._next.setdefault(api, []).extend(
                _NextJob(status_script, files, errors, kind) for _ in range(times)
            )

    def advance(self, job: FakeJob | str | None = None, steps: int = 1) -> None:
        """Move one job (or every job) `steps` steps along its script."""
        with self._lock:
            chosen = list(self._jobs.values()) if job is None else [self.job(job)]
            for each in chosen:
                self._move(each, min(each.position + steps, len(each.script) - 1))

    def job(self, job: FakeJob | str) -> FakeJob:
        """The simulated job with this id."""
        job_id = job.id if isinstance(job, FakeJob) else str(job)
        with self._lock:
            try:
                return self._jobs[job_id]
            except KeyError:
                raise KeyError(f"the fake has no job {job_id!r}") from None

    @property
    def jobs(self) -> list[FakeJob]:
        with self._lock:
            return list(self._jobs.values())

    def response_body(self, job: FakeJob | str) -> Any:
        """The body the API's get would answer for this job now, without moving it on (to feed
        `client.jobs.from_response`, e.g. for a job started by another endpoint)."""
        with self._lock:
            found = self.job(job)
            return _wrap(self._apis[found.api].profile.envelope, self._job_object(found))

    def file_urls(self, job: FakeJob | str) -> list[str]:
        """The (pre-signed style) storage URLs of the job's result files."""
        with self._lock:
            found = self.job(job)
            return [self._file_url(found, name) for name in found.files]

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
            _Fault(
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
            _Fault(
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
            _Fault(
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
            _Fault(
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
            _Fault(
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
            return sum(fault.remaining for fault in self._faults)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _queue(self, fault: _Fault) -> None:
        if fault.remaining < 1:
            raise ValueError(f"times must be >= 1, got {fault.remaining}")
        if fault.api is not None:
            self._api(fault.api)
        with self._lock:
            self._faults.append(fault)

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
        return self._sync_client(self.base_url, self.transport(), auth, virtual_time, options)

    def async_client(
        self, *, auth: Auth | str | None = None, virtual_time: bool = True, **options: Any
    ) -> AsyncClient:
        """An `AsyncClient` talking to this fake in memory; see `client`."""
        return self._async_client(self.base_url, self.transport(), auth, virtual_time, options)

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

    def _auth(self, auth: Auth | str | None) -> Auth | str:
        if auth is not None:
            return auth
        return self.token if self.token is not None else "fake-token"

    def _sync_client(
        self,
        base_url: str,
        transport: httpx.BaseTransport | None,
        auth: Auth | str | None,
        virtual_time: bool,
        options: Mapping[str, Any],
    ) -> Client:
        from . import _client

        http_client = None
        if transport is not None:
            http_client = httpx.Client(transport=transport, follow_redirects=True)
        client = _client.Client(
            auth=self._auth(auth), base_url=base_url, http_client=http_client, **options
        )
        client._owns_http_client = True
        if virtual_time:
            client._sleep = self.clock.sleep
            client.jobs = Jobs(
                client, client.jobs.profiles, clock=self.clock.now, sleep=self.clock.sleep
            )
        return client

    def _async_client(
        self,
        base_url: str,
        transport: httpx.AsyncBaseTransport | None,
        auth: Auth | str | None,
        virtual_time: bool,
        options: Mapping[str, Any],
    ) -> AsyncClient:
        from . import _client

        http_client = None
        if transport is not None:
            http_client = httpx.AsyncClient(transport=transport, follow_redirects=True)
        client = _client.AsyncClient(
            auth=self._auth(auth), base_url=base_url, http_client=http_client, **options
        )
        client._owns_http_client = True
        if virtual_time:
            client._sleep = self.clock.asleep
            client.jobs = AsyncJobs(
                client, client.jobs.profiles, clock=self.clock.now, sleep=self.clock.asleep
            )
        return client

    # answering

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request in memory (the `httpx.MockTransport` handler)."""
        response, fault = self._process(request)
        kind = fault.kind if fault is not None else None
        if response is None or kind == "disconnect":
            raise httpx.ConnectError("fake: connection refused", request=request)
        if kind == "stall":
            raise httpx.ReadTimeout("fake: no answer in time", request=request)
        if kind == "cut" and fault is not None:
            error: httpx.TransportError = (
                httpx.ReadError("fake: connection reset by peer", request=request)
                if fault.reset
                else httpx.RemoteProtocolError(
                    "fake: peer closed connection without sending complete message body",
                    request=request,
                )
            )
            return httpx.Response(
                response.status_code,
                headers=response.headers,
                stream=_CutStream(response.content[: fault.after], error),
                request=request,
            )
        return response

    def _process(self, request: httpx.Request) -> tuple[httpx.Response | None, _Fault | None]:
        """Record, route, inject a fault, act: the answer (None: none at all) and the fault that
        the caller must still realise on the wire (disconnect, cut, stall)."""
        with self._lock:
            self._ticks += 1
            target = self._route(request)
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
            fault = self._take_fault(target, request)
            if fault is not None and fault.kind == "disconnect":
                return None, fault
            if fault is not None and fault.kind == "status":
                return self._fault_response(fault, target), None
            response = self._answer(target, request)
            if fault is not None and fault.kind == "garble":
                body = fault.body
                if body is None:
                    body = response.content[: max(1, len(response.content) // 2)]
                headers = [
                    (name, value)
                    for name, value in response.headers.multi_items()
                    if name.lower() != "content-length"
                ]
                response = httpx.Response(
                    fault.status or response.status_code, headers=headers, content=body
                )
                return response, None
            return response, fault

    def _route(self, request: httpx.Request) -> _Target:
        origin = _origin(request.url)
        for host, base in (("api", self.base_url), ("storage", self.storage_url)):
            base_url = httpx.URL(base)
            prefix = base_url.path.rstrip("/")
            path = request.url.path
            if origin != _origin(base_url) or not (path + "/").startswith(prefix + "/"):
                continue
            path = path[len(prefix) :] or "/"
            if host == "storage":
                return _Target("storage", path, operation="download")
            if path == "/oauth/access_token":
                return _Target("api", path, operation="token")
            allowed: list[str] = []
            for spec in self._apis.values():
                for route in spec.routes:
                    match = route.pattern.fullmatch(path)
                    if match is None:
                        continue
                    if route.method != request.method:
                        allowed.append(route.method)
                        continue
                    params = {name: match[f"p{i}"] for i, name in enumerate(route.names)}
                    return _Target("api", path, route.api, route.operation, params)
            owner = next(
                (
                    spec.name
                    for spec in self._apis.values()
                    for route in spec.routes
                    if route.pattern.fullmatch(path)
                ),
                None,
            )
            return _Target("api", path, owner, allowed=tuple(sorted(set(allowed))))
        return _Target("other", request.url.path)

    def _take_fault(self, target: _Target, request: httpx.Request) -> _Fault | None:
        for fault in self._faults:
            if fault.matches(target, request):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _fault_response(self, fault: _Fault, target: _Target) -> httpx.Response:
        status = fault.status or 503
        headers = dict(fault.headers)
        if fault.retry_after is not None:
            headers["Retry-After"] = f"{fault.retry_after:g}"
        if fault.body is not None:
            return self._raw(status, fault.body, headers=headers)
        if target.api is not None:
            body = self._apis[target.api].error_body(status, "injected by the fake")
        else:
            body = _generic_error(status, "injected by the fake")
        return self._json(status, body, headers=headers)

    def _answer(self, target: _Target, request: httpx.Request) -> httpx.Response:
        if target.host == "storage":
            return self._download(target, request)
        if target.host == "other":
            return self._json(404, _generic_error(404, f"the fake does not serve {request.url}"))
        if target.operation == "token":
            return self._token_response(request)
        spec = self._apis[target.api] if target.api is not None else None
        if target.allowed:
            detail = f"use {', '.join(target.allowed)}"
            body = spec.error_body(405, detail) if spec else _generic_error(405, detail)
            return self._json(405, body, headers={"Allow": ", ".join(target.allowed)})
        if spec is None or target.operation is None:
            return self._json(
                404, _generic_error(404, f"no route for {request.method} {target.path}")
            )
        if (
            self.token is not None
            and request.headers.get("authorization") != f"Bearer {self.token}"
        ):
            return self._json(401, spec.error_body(401, "a valid bearer token is required"))
        parents = {k: v for k, v in target.params.items() if k in spec.profile.parent_params}
        if target.operation == "create":
            return self._create(spec, parents, request)
        if target.operation == "list":
            return self._list(spec, parents, request)
        job = self._find(spec, target.params.get(spec.profile.job_param, ""), parents)
        if job is None:
            return self._json(404, spec.error_body(404, "job not found"))
        if target.operation == "get":
            self._observe(job)
            return self._json(200, _wrap(spec.profile.envelope, self._job_object(job)))
        if target.operation == "cancel":
            return self._cancel(spec, job)
        if target.operation == "errors":
            return self._errors(spec, job)
        return self._file(spec, job)

    # the operations

    def _create(
        self, spec: _Api, parents: dict[str, str], request: httpx.Request
    ) -> httpx.Response:
        try:
            body = json.loads(request.content) if request.content else None
        except ValueError:
            return self._json(400, spec.error_body(400, "the body is not valid JSON"))
        if not isinstance(body, dict):
            return self._json(400, spec.error_body(400, "the body must be a JSON object"))
        envelope = spec.profile.envelope
        found = resolve_path(body, envelope) if envelope else []
        source = found[0] if found and isinstance(found[0], dict) else body
        kind_path = spec.profile.fields.get("kind")
        kinds = resolve_path(source, kind_path) if kind_path else []
        plan = self._next.get(spec.name, [])
        planned = plan.pop(0) if plan else _NextJob(None, None, (), None)
        if planned.kind is None and kinds and isinstance(kinds[0], str):
            planned.kind = kinds[0]
        job = self._new_job(spec, parents=parents, plan=planned, body_fields=copy.deepcopy(source))
        obj = self._job_object(job)
        return self._json(
            spec.shape.create_status, _wrap(envelope, [obj] if spec.create_array else obj)
        )

    def _list(self, spec: _Api, parents: dict[str, str], request: httpx.Request) -> httpx.Response:
        jobs = [
            job for job in self._jobs.values() if job.api == spec.name and job.parents == parents
        ]
        query = request.url.params
        wanted = query.get("filter")
        if wanted:
            clauses = [clause for clause in wanted.split(":") if clause.strip()]
            matches = [_FILTER_CLAUSE.fullmatch(clause) for clause in clauses]
            if not all(matches):
                return self._json(400, spec.error_body(400, f"unsupported filter {wanted!r}"))
            for match in matches:
                assert match is not None
                jobs = [job for job in jobs if self._filter_match(spec, job, match[1], match[2])]
        total = len(jobs)
        body: dict[str, Any] = {}
        if spec.paginated:
            try:
                offset = int(query.get("page[offset]", "0"))
                limit = int(query.get("page[limit]", str(self.page_size)))
            except ValueError:
                return self._json(
                    400, spec.error_body(400, "page[offset] and page[limit] are ints")
                )
            if offset < 0 or not 1 <= limit <= 100:
                return self._json(400, spec.error_body(400, "page[offset] >= 0, page[limit] 1-100"))
            jobs = jobs[offset : offset + limit]
            pages = max(1, -(-total // limit))
            last = (pages - 1) * limit

            def page(at: int) -> str:
                url = request.url.copy_set_param("page[offset]", str(at))
                return str(url.copy_set_param("page[limit]", str(limit)))

            body["links"] = {
                "current": page(offset),
                "first": page(0),
                "last": page(last),
                "prev": page(max(0, offset - limit)) if offset > 0 else None,
                "next": page(offset + limit) if offset + limit < total else None,
            }
            body["meta"] = {
                "page": {
                    "limit": limit,
                    "offset": offset,
                    "current": offset // limit + 1,
                    "total": pages,
                },
                "results": {"total": total},
            }
        elif spec.list_meta:
            body["meta"] = {"results": {"total": total}}
        for job in jobs:
            self._observe(job)
        objects = [self._job_object(job) for job in jobs]
        envelope = spec.profile.envelope
        if envelope:
            _put(body, envelope, objects)
            return self._json(200, body)
        return self._json(200, objects)

    def _filter_match(self, spec: _Api, job: FakeJob, name: str, value: str) -> bool:
        path = spec.profile.fields.get(name, name)
        found = resolve_path(self._job_object(job), path)
        wanted = value.strip().strip("'\"").casefold()
        if name == "status":  # `complete` finds `completed` jobs: same canonical status
            canonical = spec.profile.status_of(wanted)
            if canonical is not None:
                return job.status is canonical
        return any(str(item).casefold() == wanted for item in found)

    def _cancel(self, spec: _Api, job: FakeJob) -> httpx.Response:
        profile = spec.profile
        allowed = {raw.casefold() for raw in profile.cancellable}
        current = job.raw_status.casefold()
        if job.status.is_terminal or (allowed and current not in allowed):
            while_ = ", ".join(profile.cancellable) or "not finished"
            detail = f"job {job.id} is {job.raw_status}; it can only be cancelled while {while_}"
            return self._json(422, spec.error_body(422, detail))
        cancelled = spec.words.get(JobStatus.CANCELLED)
        if cancelled is None:
            return self._json(500, spec.error_body(500, "the profile has no cancelled status"))
        cancelling = spec.words.get(JobStatus.CANCELLING)
        job.script = job.script[: job.position + 1] + [w for w in (cancelling, cancelled) if w]
        self._move(job, job.position + 1)
        return self._json(200, _wrap(profile.envelope, self._job_object(job)))

    def _errors(self, spec: _Api, job: FakeJob) -> httpx.Response:
        path = spec.profile.error_messages or ""
        messages = list(job.errors) if job.status is JobStatus.FAILED else []
        fan_out = "[]" in path
        body = _wrap(path, messages if fan_out else "; ".join(messages))
        if fan_out:
            error_type = spec.shape.error_type or f"{spec.profile.resource_type}-error"
            for index, item in enumerate(resolve_path(body, path.partition("[]")[0]), start=1):
                if isinstance(item, list):
                    for number, element in enumerate(item, start=1):
                        if isinstance(element, dict):
                            element.setdefault("type", error_type)
                            element.setdefault("id", _stable_id(f"{job.id}/error/{index}/{number}"))
        return self._json(200, body)

    def _file(self, spec: _Api, job: FakeJob) -> httpx.Response:
        path = spec.profile.file_link or "href"
        if job.status is not JobStatus.SUCCEEDED or not job.files:
            return self._json(404, spec.error_body(404, f"job {job.id} has no file (yet)"))
        urls = [self._file_url(job, name) for name in job.files]
        return self._json(200, _wrap(path, urls if "[]" in path else urls[0]))

    def _download(self, target: _Target, request: httpx.Request) -> httpx.Response:
        if request.method not in ("GET", "HEAD"):
            return self._storage_error(405, "MethodNotAllowed", "only GET")
        if "authorization" in request.headers and self.storage_rejects_authorization:
            return self._storage_error(
                400,
                "InvalidArgument",
                "Only one auth mechanism allowed; the signature is in the query string, so an "
                "Authorization header must not be sent",
            )
        api, _, rest = target.path.lstrip("/").partition("/")
        job_id, _, name = rest.partition("/")
        name = urllib.parse.unquote(name)
        job = self._jobs.get(job_id)
        if job is None or job.api != api or name not in job.files:
            return self._storage_error(404, "NoSuchKey", "The specified key does not exist.")
        if request.url.params.get("signature") != _signature(api, job_id, name):
            return self._storage_error(403, "SignatureDoesNotMatch", "bad or missing signature")
        if job.status is not JobStatus.SUCCEEDED:
            return self._storage_error(404, "NoSuchKey", "The specified key does not exist yet.")
        media = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return self._raw(200, job.files[name], headers={"Content-Type": media})

    def _token_response(self, request: httpx.Request) -> httpx.Response:
        form = urllib.parse.parse_qs(request.content.decode("utf-8", "replace"))
        grant = (form.get("grant_type") or [""])[0]
        client_id = (form.get("client_id") or [""])[0]
        secret = (form.get("client_secret") or [""])[0]
        known = self.client_credentials
        if known is None:
            return self._json(404, _generic_error(404, "the fake has no client_credentials"))
        accepted = (grant == "client_credentials" and (client_id, secret) == known) or (
            grant == "implicit" and client_id == known[0]
        )
        if request.method != "POST" or not accepted:
            return self._json(401, _generic_error(401, "invalid client credentials"))
        now = int((_EPOCH + timedelta(seconds=self.clock.now())).timestamp())
        token = self.token if self.token is not None else "fake-access-token"
        return self._json(
            200,
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": 3600,
                "expires": now + 3600,
                "identifier": grant,
            },
        )

    # state

    def _api(self, api: str) -> _Api:
        try:
            return self._apis[api]
        except KeyError:
            known = ", ".join(sorted(self._apis)) or "none"
            raise ValueError(f"the fake has no job API {api!r} (known: {known})") from None

    def _now(self) -> datetime:
        return _EPOCH + timedelta(seconds=self.clock.now(), milliseconds=self._ticks)

    def _new_job(
        self,
        spec: _Api,
        *,
        parents: dict[str, str],
        plan: _NextJob,
        body_fields: dict[str, Any],
        job_id: str | None = None,
    ) -> FakeJob:
        self._counter += 1
        job_id = job_id or str(uuid.UUID(int=self._counter, version=4))
        if job_id in self._jobs:
            raise ValueError(f"the fake already has a job {job_id!r}")
        script = spec.script(plan.script if plan.script is not None else self._default_script)
        profile = spec.profile
        exposes_files = profile.file is not None or "result_links" in profile.fields
        kind = plan.kind or spec.shape.default_kind
        files = plan.files
        if files is None:
            name = f"{kind or spec.name}-{job_id}.csv"
            files = {name: f"id,api,kind\n{job_id},{spec.name},{kind or ''}\n".encode()}
            files = files if exposes_files else {}
        now = self._now()
        job = FakeJob(
            api=spec.name,
            id=job_id,
            parents=parents,
            kind=kind,
            script=script,
            files=dict(files),
            errors=list(plan.errors) or [f"{spec.name} job {job_id} failed (simulated)"],
            fields=body_fields,
            created_at=now,
            updated_at=now,
            profile=profile,
        )
        self._jobs[job_id] = job
        self._move(job, 0)
        return job

    def _find(self, spec: _Api, job_id: str, parents: Mapping[str, str]) -> FakeJob | None:
        job = self._jobs.get(job_id)
        if job is None or job.api != spec.name or job.parents != dict(parents):
            return None
        return job

    def _observe(self, job: FakeJob) -> None:
        job.reads += 1
        if self.auto_advance and job.position < len(job.script) - 1:
            self._move(job, job.position + 1)

    def _move(self, job: FakeJob, position: int) -> None:
        moved = position != job.position
        job.position = position
        now = self._now()
        if moved:
            job.updated_at = now
        status = job.status
        if status in (JobStatus.RUNNING, JobStatus.SUCCEEDED, JobStatus.FAILED):
            job.started_at = job.started_at or now
        if status.is_terminal:
            job.finished_at = job.finished_at or now

    def _job_object(self, job: FakeJob) -> dict[str, Any]:
        spec = self._apis[job.api]
        paths = spec.profile.fields
        obj = copy.deepcopy(job.fields)
        obj["type"] = spec.profile.resource_type
        for parent, key in spec.shape.parent_fields.items():
            if parent in job.parents:
                obj[key] = job.parents[parent]
        _put(obj, paths["id"], job.id)
        if "kind" in paths and job.kind is not None:
            _put(obj, paths["kind"], job.kind)
        _put(obj, paths["status"], job.raw_status)
        moments = {
            "created_at": job.created_at,
            "updated_at": job.updated_at,
            "started_at": job.started_at,
            "finished_at": job.finished_at,
        }
        for name, moment in moments.items():
            if name in paths:
                _put(obj, paths[name], None if moment is None else spec.timestamp(moment))
        if "error" in paths and job.status is JobStatus.FAILED and job.errors:
            _put(obj, paths["error"], job.errors[0])
        links_path = paths.get("result_links")
        if links_path is not None:
            succeeded = job.status is JobStatus.SUCCEEDED
            links = [self._file_url(job, name) for name in job.files] if succeeded else []
            if "[]" not in links_path:
                _put(obj, links_path, links[0] if links else "")
            elif succeeded:
                _put(obj, links_path, links)
        return obj

    def _file_url(self, job: FakeJob, name: str) -> str:
        quoted = urllib.parse.quote(name, safe="")
        signature = _signature(job.api, job.id, name)
        return f"{self.storage_url}/{job.api}/{job.id}/{quoted}?signature={signature}"

    def _json(
        self, status: int, body: object, *, headers: Mapping[str, str] | None = None
    ) -> httpx.Response:
        return httpx.Response(
            status, json=body, headers={"x-request-id": self._request_id(), **(headers or {})}
        )

    def _raw(
        self, status: int, content: bytes, *, headers: Mapping[str, str] | None = None
    ) -> httpx.Response:
        return httpx.Response(
            status, content=content, headers={"x-request-id": self._request_id(), **(headers or {})}
        )

    def _storage_error(self, status: int, code: str, message: str) -> httpx.Response:
        xml = f"<?xml version='1.0'?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
        return self._raw(status, xml.encode(), headers={"Content-Type": "application/xml"})

    def _request_id(self) -> str:
        return f"fake-{self._ticks:06d}"


def _generic_error(status: int, detail: str) -> dict[str, object]:
    return {"errors": [{"status": status, "title": _phrase(status), "detail": detail}]}


def _signature(api: str, job_id: str, name: str) -> str:
    return hashlib.sha256(f"{api}/{job_id}/{name}".encode()).hexdigest()[:16]


def _stable_id(seed: str) -> str:
    return str(uuid.UUID(bytes=hashlib.sha256(seed.encode()).digest()[:16], version=4))


class _CutStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that yields `data` and then fails, as a connection that breaks off mid-body."""

    def __init__(self, data: bytes, error: httpx.TransportError) -> None:
        self._data = data
        self._error = error

    def __iter__(self) -> Iterator[bytes]:
        if self._data:
            yield self._data
        raise self._error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._data:
            yield self._data
        raise self._error


# -- on real sockets -------------------------------------------------------------------------------

_NOT_COPIED: Final = frozenset({"content-length", "transfer-encoding", "connection"})


class LiveServer:
    """A `FakeJobServer` served over HTTP on 127.0.0.1: one port for the API, one for storage.

    Made by `FakeJobServer.serve()`; a context manager. Each connection has its own thread;
    `stop()` (or leaving the `with`, or `max_lifetime`) closes the ports and every open
    connection, and cuts stalled answers short.
    """

    def __init__(self, fake: FakeJobServer, *, host: str, max_lifetime: float) -> None:
        self.fake = fake
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopped = False
        self._done = threading.Event()
        self._servers = [
            _HTTPServer((host, 0), self, "api"),
            _HTTPServer((host, 0), self, "storage"),
        ]
        self.base_url, self.storage_url = (
            f"http://{host}:{server.server_address[1]}" for server in self._servers
        )
        self._threads = [
            threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"fake-job-server-{server.role}",
                daemon=True,
            )
            for server in self._servers
        ]
        self._watchdog = threading.Timer(max_lifetime, self.stop)
        self._watchdog.daemon = True

    def _start(self) -> None:
        for thread in self._threads:
            thread.start()
        self._watchdog.start()

    def client(
        self, *, auth: Auth | str | None = None, virtual_time: bool = False, **options: Any
    ) -> Client:
        """A `Client` talking to this server over real sockets; see `FakeJobServer.client`
        (here polls and retries really sleep unless `virtual_time=True`)."""
        return self.fake._sync_client(self.base_url, None, auth, virtual_time, options)

    def async_client(
        self, *, auth: Auth | str | None = None, virtual_time: bool = False, **options: Any
    ) -> AsyncClient:
        """An `AsyncClient` talking to this server over real sockets; see `client`."""
        return self.fake._async_client(self.base_url, None, auth, virtual_time, options)

    @property
    def running(self) -> bool:
        """False once `stop` has finished (ports closed, the fake's addresses restored)."""
        return not self._done.is_set()

    def stop(self) -> None:
        with self._lock:
            stopping_already = self._stopped
            self._stopped = True
        if stopping_already:  # another thread (the watchdog, say) is stopping it: wait for it
            if threading.current_thread() is not self._watchdog:
                self._done.wait(timeout=10)
            return
        self.stopping.set()
        self._watchdog.cancel()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout=5)
        self.fake._unserve(self)
        self._done.set()

    def __enter__(self) -> LiveServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: types.TracebackType | None,
    ) -> None:
        self.stop()

    def _track(self, connection: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], live: LiveServer, role: str) -> None:
        self.live = live
        self.role = role
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10.0  # an idle keep-alive connection is closed after this many seconds

    def setup(self) -> None:
        super().setup()
        self._live()._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self._live()._track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _live(self) -> LiveServer:
        return cast(_HTTPServer, self.server).live

    def _serve(self) -> None:
        server = cast(_HTTPServer, self.server)
        live = server.live
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        origin = live.base_url if server.role == "api" else live.storage_url
        request = httpx.Request(
            self.command, origin + self.path, headers=list(self.headers.items()), content=body
        )
        response, fault = live.fake._process(request)
        kind = fault.kind if fault is not None else None
        if response is None or kind == "disconnect":
            self._hang_up(reset=False)
            return
        if fault is not None and kind == "stall" and live.stopping.wait(fault.delay):
            self._hang_up(reset=False)
            return
        content = response.content
        try:
            self.send_response(response.status_code)
            for name, value in response.headers.multi_items():
                if name.lower() not in _NOT_COPIED:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if fault is not None and kind == "cut":
                self.wfile.write(content[: fault.after])
                self.wfile.flush()
                self._hang_up(reset=fault.reset)
                return
            if self.command != "HEAD":
                self.wfile.write(content)
        except OSError:  # the client gave up meanwhile (timed out, say)
            self.close_connection = True

    def _hang_up(self, *, reset: bool) -> None:
        """Close the connection: with a TCP reset (SO_LINGER 0), or an orderly FIN."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            if reset:
                linger = struct.pack("ii", 1, 0)
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                self.connection.close()
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
