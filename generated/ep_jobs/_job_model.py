"""The normalised job model: one `Job` shape for every job API, read from JSON by a `JobProfile`.

A profile is data, not code: dotted field paths into the job object, a status map and the endpoints.
A new job API is supported by writing its profile. Nothing here does I/O.
"""

from __future__ import annotations

import base64
import binascii
import builtins
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, NamedTuple

import httpx
import pydantic

from ._exceptions import ResponseValidationError
from ._job_vocabulary import FIELD_NAMES, TIME_FIELDS, JobStatus, status_key
from ._logging import logger

__all__ = [
    "FIELD_NAMES",
    "Endpoint",
    "Job",
    "JobPayloadError",
    "JobProfile",
    "JobStatus",
    "ResumeToken",
    "ResumeTokenError",
    "decode_resume_token",
    "encode_resume_token",
    "job_from_payload",
    "parse_timestamp",
    "public_base_url",
    "resolve_path",
]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One operation of a job API: HTTP method and path template (`{name}` placeholders)."""

    method: str
    path: str


@dataclass(frozen=True, slots=True)
class JobProfile:
    """How one API exposes its jobs. Paths are dotted; a segment ending in `[]` fans out (arrays).

    - `envelope`: path to the job object in a single-job response, and to the job array in a list
      response (`""`: the body itself).
    - `fields`: canonical name (see `FIELD_NAMES`) -> path inside the job object.
    - `file` / `file_link`: endpoint that returns the result file link(s), and the path to them.
    - `errors` / `error_messages`: endpoint that lists a job's errors, and the path to the messages.
    - `cancellable`: raw statuses from which the API accepts a cancel (empty: any non-terminal).
    - `statuses`: raw status (matched case-insensitively) -> canonical status.
    - `model`: the typed model of the job object, or None.
    """

    api: str
    resource_type: str
    job_param: str
    parent_params: tuple[str, ...]
    envelope: str
    create: Endpoint | None
    list: Endpoint | None
    get: Endpoint | None
    cancel: Endpoint | None
    errors: Endpoint | None
    file: Endpoint | None
    fields: Mapping[str, str]
    file_link: str | None
    error_messages: str | None
    cancellable: tuple[str, ...]
    statuses: Mapping[str, JobStatus]
    model: type[pydantic.BaseModel] | None = None

    def __post_init__(self) -> None:
        problems: builtins.list[str] = []
        unknown = sorted(set(self.fields) - set(FIELD_NAMES))
        if unknown:
            problems.append(f"unknown field names {unknown} (known: {list(FIELD_NAMES)})")
        problems.extend(
            f"no path for {name!r}" for name in ("id", "status") if name not in self.fields
        )
        if self.get is None and self.list is None:
            problems.append("a job must be readable: give `get` or `list`")
        if (self.file is None) != (self.file_link is None):
            problems.append("`file` and `file_link` go together")
        if (self.errors is None) != (self.error_messages is None):
            problems.append("`errors` and `error_messages` go together")
        if self.cancellable and self.cancel is None:
            problems.append("`cancellable` statuses without a `cancel` endpoint")
        known = {status_key(raw) for raw in self.statuses}
        if len(known) != len(self.statuses):
            problems.append("status words that differ only in case")
        problems.extend(
            f"cancellable status {raw!r} is not in `statuses`"
            for raw in self.cancellable
            if status_key(raw) not in known
        )
        if problems:
            raise ValueError(f"invalid job profile {self.api!r}: " + "; ".join(problems))

    def status_of(self, raw_status: str) -> JobStatus | None:
        """The canonical status for a raw status word (case-insensitive), or None if unknown."""
        wanted = status_key(raw_status)
        for raw, status in self.statuses.items():
            if status_key(raw) == wanted:
                return status
        return None

    def can_cancel(self, job: Job) -> bool:
        """Whether the API accepts a cancel for a job in this state (judged from the snapshot)."""
        if self.cancel is None or job.status.is_terminal:
            return False
        if not self.cancellable:
            return True
        return status_key(job.raw_status) in {status_key(raw) for raw in self.cancellable}


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """A snapshot of one job of any API, in one shape.

    `raw` is the job object as the API sent it and `model` its typed model (None if the API has none
    or the object did not validate against it); both stay available for API-specific details.
    """

    api: str
    id: str
    kind: str | None
    status: JobStatus
    raw_status: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None
    result_links: builtins.list[str] = field(default_factory=builtins.list, hash=False)
    parents: dict[str, str] = field(default_factory=dict, hash=False)
    raw: dict[str, Any] = field(default_factory=dict, hash=False, repr=False)
    model: pydantic.BaseModel | None = field(default=None, hash=False, repr=False)
    base_url: str | None = field(default=None, repr=False)

    @property
    def is_terminal(self) -> bool:
        return self.status.is_terminal

    @property
    def resume_token(self) -> str:
        """A short URL-safe string from which `Jobs.resume` rebuilds this job in another process.

        It holds the API name, job id, parent ids and the API's base URL (without credentials): no
        secret, so it can be logged or stored.
        """
        return encode_resume_token(self.api, self.id, self.parents, self.base_url)


class JobPayloadError(ResponseValidationError):
    """The API sent something that is not a job object.

    `payload` is the offending JSON value; `body` (as for any `ResponseValidationError`) the raw
    response text, or the payload as JSON text when there is no response at hand.
    """

    api: str
    payload: object

    def __init__(
        self, message: str, *, api: str, payload: object, response: httpx.Response | None = None
    ) -> None:
        super().__init__(
            message, response=response, body=None if response is not None else _as_text(payload)
        )
        self.api = api
        self.payload = payload


def _as_text(body: object) -> str:
    try:
        return json.dumps(body, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(body)


# -- reading a job object -------------------------------------------------------------------------

_MISSING: Final = object()


def resolve_path(obj: object, path: str) -> builtins.list[object]:
    """Every non-null value at dotted `path` in `obj`; a segment ending in `[]` fans out (arrays).

    `""` is `obj` itself, `"a.b"` is `obj["a"]["b"]`, `"data[].attributes.message"` is the message
    of every element of `obj["data"]`. Missing keys and nulls yield nothing rather than an error.
    """
    nodes: builtins.list[object] = [obj]
    if not path:
        return nodes
    for segment in path.split("."):
        fan_out = segment.endswith("[]")
        key = segment[:-2] if fan_out else segment
        found: builtins.list[object] = []
        for node in nodes:
            if not key:
                value: object = node
            elif isinstance(node, Mapping):
                value = node.get(key, _MISSING)
            else:
                continue
            if value is _MISSING or value is None:
                continue
            if fan_out and isinstance(value, builtins.list):
                found.extend(item for item in value if item is not None)
            else:
                found.append(value)
        nodes = found
    return nodes


def _first(obj: object, path: str | None) -> object:
    if path is None:
        return None
    values = resolve_path(obj, path)
    return values[0] if values else None


def _text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value
    return None


_warned: set[tuple[str, ...]] = set()


def _warn_once(key: tuple[str, ...], message: str, *args: object) -> None:
    """Log a warning the first time `key` is seen in this process: polling must not flood logs."""
    if key not in _warned:
        _warned.add(key)
        logger.warning(message, *args)


def job_from_payload(
    profile: JobProfile,
    obj: object,
    parents: Mapping[str, str] | None = None,
    *,
    base_url: str | None = None,
) -> Job:
    """Build the canonical `Job` from one job object as the API sent it.

    An unknown status word never fails: it counts as RUNNING and is logged once per (api, word). A
    value that is not a job object, or lacks an id or status, raises `JobPayloadError`.
    """
    api = profile.api
    if not isinstance(obj, Mapping):
        raise JobPayloadError(
            f"expected a {profile.resource_type} object from the {api} API, "
            f"got {type(obj).__name__}",
            api=api,
            payload=obj,
        )
    job_id = _first(obj, profile.fields["id"])
    if isinstance(job_id, int) and not isinstance(job_id, bool):
        job_id = str(job_id)
    if not isinstance(job_id, str) or not job_id:
        raise JobPayloadError(
            f"{api} job object has no id at {profile.fields['id']!r}{_type_hint(profile, obj)}",
            api=api,
            payload=obj,
        )
    raw_status = _first(obj, profile.fields["status"])
    if not isinstance(raw_status, str) or not raw_status.strip():
        raise JobPayloadError(
            f"{api} job {job_id} has no status at {profile.fields['status']!r}"
            f"{_type_hint(profile, obj)}",
            api=api,
            payload=obj,
        )
    status = profile.status_of(raw_status)
    if status is None:
        _warn_once(
            ("status", api, status_key(raw_status)),
            "unknown %s job status %r (known: %s); treating it as running",
            api,
            raw_status,
            ", ".join(profile.statuses),
        )
        status = JobStatus.RUNNING
    times = {name: _timestamp(profile, obj, name) for name in TIME_FIELDS}
    links_path = profile.fields.get("result_links")
    links = [] if links_path is None else resolve_path(obj, links_path)
    return Job(
        api=api,
        id=job_id,
        kind=_text(_first(obj, profile.fields.get("kind"))),
        status=status,
        raw_status=raw_status,
        created_at=times["created_at"],
        updated_at=times["updated_at"],
        started_at=times["started_at"],
        finished_at=times["finished_at"],
        error=_text(_first(obj, profile.fields.get("error"))),
        result_links=[link for link in links if isinstance(link, str) and link.strip()],
        parents=dict(parents or {}),
        raw=dict(obj),
        model=_typed_model(profile, obj),
        base_url=base_url,
    )


def _type_hint(profile: JobProfile, obj: Mapping[str, Any]) -> str:
    sent = obj.get("type")
    if isinstance(sent, str) and sent != profile.resource_type:
        return f" (got a {sent!r} object, expected {profile.resource_type!r})"
    return ""


def _timestamp(profile: JobProfile, obj: object, name: str) -> datetime | None:
    value = _first(obj, profile.fields.get(name))
    if value is None or value == "":
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        _warn_once(
            ("timestamp", profile.api, name),
            "%s job field %s has an unreadable timestamp %r; leaving it empty",
            profile.api,
            name,
            value,
        )
        return None


def _typed_model(profile: JobProfile, obj: Mapping[str, Any]) -> pydantic.BaseModel | None:
    # A job must stay pollable when the API adds a status or kind its typed model does not know yet,
    # so a model mismatch degrades to `model=None` (with a warning) instead of failing.
    if profile.model is None:
        return None
    try:
        return profile.model.model_validate(obj)
    except pydantic.ValidationError as error:
        _warn_once(
            ("model", profile.api),
            "%s job object does not match %s (%s); Job.model is None, Job.raw has the data",
            profile.api,
            profile.model.__name__,
            error.errors(include_url=False)[0].get("msg", "invalid"),
        )
        return None


_TIMESTAMP = re.compile(
    r"(?P<main>\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2})?)?)"
    r"(?:[.,](?P<fraction>\d+))?"
    r"\s*(?P<zone>[Zz]|[+-]\d{2}(?::?\d{2})?)?"
)


def parse_timestamp(value: object) -> datetime:
    """A timezone-aware datetime from an API timestamp.

    Accepts ISO 8601 with any number of fractional digits (truncated to microseconds), `Z`,
    `+hh:mm`, `+hhmm` or no zone (taken as UTC), and Unix epoch seconds; else raises ValueError.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r}")
    match = _TIMESTAMP.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"not an ISO 8601 timestamp: {value!r}")
    text = match["main"].replace("t", "T").replace(" ", "T")
    if match["fraction"]:
        text += "." + match["fraction"][:6]  # truncated, never rounded up into the next second
    zone = match["zone"]
    if zone and zone not in "Zz":
        digits = zone[1:].replace(":", "")
        text += f"{zone[0]}{digits[:2]}:{digits[2:4] or '00'}"
    parsed = datetime.fromisoformat(text)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


# -- resume tokens --------------------------------------------------------------------------------

RESUME_TOKEN_VERSION: Final = "v1"


class ResumeTokenError(ValueError):
    """A resume token that this client cannot use (malformed, or for another API or server)."""


class ResumeToken(NamedTuple):
    api: str
    job_id: str
    parents: dict[str, str]
    base_url: str | None


def public_base_url(base_url: str | httpx.URL) -> str:
    """The base URL without credentials, query or fragment: safe to write down."""
    url = httpx.URL(str(base_url))
    return str(url.copy_with(username=None, password=None, query=None, fragment=None)).rstrip("/")


def encode_resume_token(
    api: str, job_id: str, parents: Mapping[str, str], base_url: str | None
) -> str:
    """`v1.` + base64url (unpadded) of compact JSON: api, id, parents and the public base URL."""
    payload: dict[str, object] = {"api": api, "id": job_id}
    if parents:
        payload["parents"] = dict(parents)
    if base_url:
        payload["base_url"] = public_base_url(base_url)
    data = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return f"{RESUME_TOKEN_VERSION}.{base64.urlsafe_b64encode(data).rstrip(b'=').decode('ascii')}"


def decode_resume_token(token: str) -> ResumeToken:
    """The inverse of `encode_resume_token`; raises `ResumeTokenError` with the reason."""
    if not isinstance(token, str):
        raise ResumeTokenError(f"a resume token is a string, not {type(token).__name__}")
    version, dot, encoded = token.strip().partition(".")
    if not dot or not re.fullmatch(r"v\d+", version):
        raise ResumeTokenError("not a job resume token (expected 'v1.<base64url>')")
    if version != RESUME_TOKEN_VERSION:
        raise ResumeTokenError(
            f"resume token version {version} is not supported by this client "
            f"(it reads {RESUME_TOKEN_VERSION}); upgrade the client"
        )
    try:
        data = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        payload = json.loads(data)
    except (binascii.Error, ValueError) as error:
        raise ResumeTokenError(f"resume token is damaged: {error}") from None
    if not isinstance(payload, dict):
        raise ResumeTokenError("resume token is damaged: not a JSON object")
    api, job_id = payload.get("api"), payload.get("id")
    parents, base_url = payload.get("parents", {}), payload.get("base_url")
    if not (isinstance(api, str) and api and isinstance(job_id, str) and job_id):
        raise ResumeTokenError("resume token is damaged: no api or job id")
    if not (
        isinstance(parents, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in parents.items())
    ):
        raise ResumeTokenError("resume token is damaged: parents must map names to ids")
    if base_url is not None and not isinstance(base_url, str):
        raise ResumeTokenError("resume token is damaged: base_url must be a string")
    return ResumeToken(api, job_id, parents, base_url)
