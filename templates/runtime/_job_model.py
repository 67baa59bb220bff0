"""The normalised job model: one `Job` shape for every job API, read from JSON by a `JobProfile`.

A profile is data, not code: dotted field paths into the job object, a status map and the endpoints.
A new job API is supported by writing its profile. Nothing here does I/O.
"""

from __future__ import annotations

import base64
import binascii
import builtins
import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, NamedTuple

import httpx
import pydantic

from ._exceptions import ResponseValidationError
from ._job_vocabulary import DEFAULT_WHEN, FIELD_NAMES, TIME_FIELDS, JobStatus, status_key
from ._logging import logger

__all__ = [
    "FIELD_NAMES",
    "NEEDS_ERRORS",
    "Cancel",
    "Condition",
    "Endpoint",
    "FieldRule",
    "Job",
    "JobPayloadError",
    "JobProfile",
    "JobStatus",
    "ResumeToken",
    "ResumeTokenError",
    "StateRule",
    "cancelled_snapshot",
    "decode_resume_token",
    "encode_resume_token",
    "job_from_payload",
    "parse_timestamp",
    "public_base_url",
    "resolve_path",
    "state_status",
]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One operation of a job API: HTTP method and path template (`{name}` placeholders).

    `media_type`: the request body a creator takes, when it is not JSON (`multipart/form-data`):
    such a job is started through the family's typed accessor, which sends any body kind.
    """

    method: str
    path: str
    media_type: str | None = None


@dataclass(frozen=True, slots=True)
class Cancel:
    """How a family's jobs are cancelled.

    - `endpoint`: the operation that cancels (a POST `.../cancel`, or a DELETE of the job).
    - `removes_job`: a DELETE-style cancel: after a 2xx the job is gone (a later read is a 404),
      so the client reports a `cancelled` snapshot it makes from the last one it had.
    - `from_statuses`: the API's words in which it accepts a cancel; empty: any unfinished status.
    """

    endpoint: Endpoint
    removes_job: bool = False
    from_statuses: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FieldRule:
    """Where a canonical field is in the job object, and in which canonical statuses it counts
    (`when`; None: always). A field outside `when` reads as absent: an error text the API also
    fills on success is no `Job.error` of a succeeded job."""

    path: str
    when: frozenset[JobStatus] | None = None


@dataclass(frozen=True, slots=True)
class Condition:
    """When a state rule holds (see `CONDITION_KINDS`): `present`/`absent` of a path, `equals` (the
    value at `path` is one of `values`), `http_status` (the read's status is one of `values`),
    `errors` (the errors or logs endpoint lists at least one message)."""

    kind: str
    path: str | None = None
    values: tuple[object, ...] = ()


@dataclass(frozen=True, slots=True)
class StateRule:
    """For jobs with no status field: the job is `status` when `condition` holds (None: always).
    Rules are tried in order; the first that holds decides."""

    status: JobStatus
    condition: Condition | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class JobProfile:
    """How one family of jobs is read and driven. Paths are dotted; a segment ending in `[]` fans
    out (arrays).

    - `name`: the family's name (`client.jobs.get(name, ...)`, `Job.api`); default: `api`.
    - `api`: the API whose endpoints read the jobs; `resource_type`: the job object's `type` (None:
      it has none).
    - `envelope`: path to the job object in a single-job response, and to the job array in a list
      response (`""`: the body itself).
    - `create`, `list`, `get`, `errors`, `logs`, `file`: the endpoints (None: the API has none);
      `creators`: every endpoint that starts a job, by name (`create` is the first of them).
    - `cancel`: a `Cancel`, or an `Endpoint` with `cancellable` its statuses (see `cancel_rule`:
      a DELETE removes the job).
    - `fields`: canonical name (see `FIELD_NAMES`) -> a `FieldRule`, or just its path: then it
      counts in `DEFAULT_WHEN` (`error` only when failed, `result_links` only when succeeded).
    - `file` / `file_link`, `errors` / `error_messages`, `logs` / `log_messages`: an endpoint and
      the path to its links or messages.
    - `statuses`: raw status (matched by `status_key`) -> canonical status; or, for jobs with no
      status field, `state`: rules that derive it.
    - `model`: the typed model of the job object, or None.
    """

    api: str
    resource_type: str | None = None
    job_param: str
    parent_params: tuple[str, ...] = ()
    envelope: str = ""
    create: Endpoint | None = None
    list: Endpoint | None = None
    get: Endpoint | None = None
    cancel: Cancel | Endpoint | None = None
    errors: Endpoint | None = None
    logs: Endpoint | None = None
    file: Endpoint | None = None
    fields: Mapping[str, FieldRule | str]
    file_link: str | None = None
    error_messages: str | None = None
    log_messages: str | None = None
    cancellable: tuple[str, ...] = ()
    statuses: Mapping[str, JobStatus] = field(default_factory=dict)
    state: tuple[StateRule, ...] = ()
    model: type[pydantic.BaseModel] | None = None
    name: str = ""
    creators: Mapping[str, Endpoint] = field(default_factory=dict)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "name", self.name or self.api)
        problems: builtins.list[str] = []
        if isinstance(self.cancel, Cancel) and self.cancel.from_statuses and self.cancellable:
            problems.append("give the cancellable statuses once: `cancel.from_statuses`")
        set_(
            self,
            "fields",
            {
                name: rule
                if isinstance(rule, FieldRule)
                else FieldRule(rule, DEFAULT_WHEN.get(name))
                for name, rule in self.fields.items()
            },
        )
        creators = dict(self.creators)
        if self.create is not None and not creators:
            creators = {"create": self.create}
        set_(self, "creators", creators)
        if self.create is None and creators:
            set_(self, "create", next(iter(creators.values())))
        unknown = sorted(set(self.fields) - set(FIELD_NAMES))
        if unknown:
            problems.append(f"unknown field names {unknown} (known: {builtins.list(FIELD_NAMES)})")
        if "id" not in self.fields:
            problems.append("no path for 'id'")
        if ("status" in self.fields) == bool(self.state):
            problems.append(
                "give either a path for 'status' (with `statuses`) or `state` rules"
                if self.state
                else "no path for 'status' (or `state` rules)"
            )
        if self.get is None and self.list is None:
            problems.append("a job must be readable: give `get` or `list`")
        for endpoint, path, names in (
            (self.file, self.file_link, "`file` and `file_link`"),
            (self.errors, self.error_messages, "`errors` and `error_messages`"),
            (self.logs, self.log_messages, "`logs` and `log_messages`"),
        ):
            if (endpoint is None) != (path is None):
                problems.append(f"{names} go together")
        known = {status_key(raw) for raw in self.statuses}
        if len(known) != len(self.statuses):
            problems.append("status words that differ only in case")
        if self.cancellable and self.cancel is None:
            problems.append("`cancellable` statuses without a `cancel` endpoint")
        problems.extend(
            f"cancellable status {raw!r} is not in `statuses`"
            for raw in self.cancel_statuses
            if self.statuses and status_key(raw) not in known
        )
        if (
            any(r.condition is not None and r.condition.kind == "errors" for r in self.state)
            and self.errors is None
            and self.logs is None
        ):
            problems.append("an `errors` state rule needs an `errors` or `logs` endpoint")
        if problems:
            raise ValueError(f"invalid job profile {self.name!r}: " + "; ".join(problems))

    @property
    def cancel_rule(self) -> Cancel | None:
        """How jobs are cancelled: `cancel` as a `Cancel` (an `Endpoint` given there is read as one
        whose statuses are `cancellable`, and a DELETE removes the job)."""
        cancel = self.cancel
        if isinstance(cancel, Endpoint):
            return Cancel(cancel, cancel.method.upper() == "DELETE", tuple(self.cancellable))
        if cancel is not None and not cancel.from_statuses and self.cancellable:
            return Cancel(cancel.endpoint, cancel.removes_job, tuple(self.cancellable))
        return cancel

    @property
    def cancel_statuses(self) -> tuple[str, ...]:
        """The API's words in which it accepts a cancel (empty: any unfinished status)."""
        rule = self.cancel_rule
        return rule.from_statuses if rule is not None else ()

    def path(self, name: str) -> str | None:
        """The path of canonical field `name` in the job object, or None."""
        rule = self.fields.get(name)
        return rule.path if isinstance(rule, FieldRule) else rule

    def status_of(self, raw_status: str) -> JobStatus | None:
        """The canonical status for a raw status word (by `status_key`), or None if unknown."""
        wanted = status_key(raw_status)
        for raw, status in self.statuses.items():
            if status_key(raw) == wanted:
                return status
        return None

    def word_for(self, status: JobStatus) -> str | None:
        """The API's first word for a canonical status, or None (no such word, or no status field)."""
        return next((raw for raw, mapped in self.statuses.items() if mapped is status), None)

    def can_cancel(self, job: Job) -> bool:
        """Whether the API accepts a cancel for a job in this state (judged from the snapshot)."""
        if self.cancel is None or job.status.is_terminal:
            return False
        allowed = self.cancel_statuses
        if not allowed:
            return True
        return status_key(job.raw_status) in {status_key(raw) for raw in allowed}

    @property
    def http_status_rules(self) -> builtins.list[tuple[frozenset[int], JobStatus]]:
        """The `http_status` state rules: (statuses of a read, the job's status then)."""
        return [
            (frozenset(int(v) for v in r.condition.values if isinstance(v, int)), r.status)
            for r in self.state
            if r.condition is not None and r.condition.kind == "http_status"
        ]


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


class _NeedsErrors:
    """`state_status` cannot decide before knowing whether the job has errors."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NEEDS_ERRORS"


NEEDS_ERRORS: Final = _NeedsErrors()


def _set(obj: object, path: str | None) -> bool:
    return path is not None and any(v != "" for v in resolve_path(obj, path))


def _equal(value: object, wanted: object) -> bool:
    if isinstance(value, str) and isinstance(wanted, str):
        return status_key(value) == status_key(wanted)
    return value == wanted and type(value) is type(wanted)


def state_status(
    profile: JobProfile,
    obj: object,
    *,
    http_status: int | None = None,
    errors_found: bool | None = None,
) -> JobStatus | _NeedsErrors | None:
    """The status the first holding `state` rule gives (None: no rule holds).

    `http_status` is the status of the read that answered `obj`. An `errors` rule met while
    `errors_found` is None returns `NEEDS_ERRORS`: the caller reads the errors (or logs) endpoint
    and asks again, so that endpoint is read only when the rules before it left the job undecided.
    """
    for rule in profile.state:
        condition = rule.condition
        if condition is None:
            return rule.status
        kind = condition.kind
        if kind == "present":
            holds = _set(obj, condition.path)
        elif kind == "absent":
            holds = not _set(obj, condition.path)
        elif kind == "equals":
            found = resolve_path(obj, condition.path or "")
            holds = any(_equal(v, w) for v in found for w in condition.values)
        elif kind == "http_status":
            holds = http_status is not None and http_status in condition.values
        elif kind == "errors":
            if errors_found is None:
                return NEEDS_ERRORS
            holds = errors_found
        else:
            raise ValueError(f"unknown state condition {kind!r} in job profile {profile.name!r}")
        if holds:
            return rule.status
    return None


def job_from_payload(
    profile: JobProfile,
    obj: object,
    parents: Mapping[str, str] | None = None,
    *,
    base_url: str | None = None,
    http_status: int | None = None,
    errors_found: bool | None = None,
) -> Job:
    """Build the canonical `Job` from one job object as the API sent it.

    The status comes from the status field through `statuses`, or from the `state` rules (then
    `raw_status` is the canonical word; without `errors_found` an `errors` rule does not hold). An
    unknown status word never fails: it counts as RUNNING and is logged once per (family, word).
    Each field counts only in the statuses its rule names (`FieldRule.when`). A value that is not a
    job object, or lacks an id or status, raises `JobPayloadError`.
    """
    family = profile.name
    what = f"{profile.resource_type!r} object" if profile.resource_type else "job object"
    if not isinstance(obj, Mapping):
        raise JobPayloadError(
            f"expected a {what} of the {family} jobs, got {type(obj).__name__}",
            api=family,
            payload=obj,
        )
    id_path = profile.path("id") or "id"
    job_id = _first(obj, id_path)
    if isinstance(job_id, int) and not isinstance(job_id, bool):
        job_id = str(job_id)
    if not isinstance(job_id, str) or not job_id:
        raise JobPayloadError(
            f"{family} job object has no id at {id_path!r}{_type_hint(profile, obj)}",
            api=family,
            payload=obj,
        )
    status_path = profile.path("status")
    if status_path is not None:
        raw_status = _first(obj, status_path)
        if not isinstance(raw_status, str) or not raw_status.strip():
            raise JobPayloadError(
                f"{family} job {job_id} has no status at {status_path!r}{_type_hint(profile, obj)}",
                api=family,
                payload=obj,
            )
        status = profile.status_of(raw_status)
        if status is None:
            _warn_once(
                ("status", family, status_key(raw_status)),
                "unknown %s job status %r (known: %s); treating it as running",
                family,
                raw_status,
                ", ".join(profile.statuses),
            )
            status = JobStatus.RUNNING
    else:
        decided = state_status(
            profile, obj, http_status=http_status, errors_found=bool(errors_found)
        )
        if not isinstance(decided, JobStatus):
            _warn_once(
                ("state", family),
                "no state rule of the %s jobs holds for job %s; treating it as running",
                family,
                job_id,
            )
            decided = JobStatus.RUNNING
        status = decided
        raw_status = status.value

    def value(name: str) -> object:
        rule = profile.fields.get(name)
        if not isinstance(rule, FieldRule) or (rule.when is not None and status not in rule.when):
            return None
        return _first(obj, rule.path)

    times = {name: _timestamp(profile, value(name), name) for name in TIME_FIELDS}
    links_rule = profile.fields.get("result_links")
    links = (
        resolve_path(obj, links_rule.path)
        if isinstance(links_rule, FieldRule)
        and (links_rule.when is None or status in links_rule.when)
        else []
    )
    return Job(
        api=family,
        id=job_id,
        kind=_text(value("kind")),
        status=status,
        raw_status=raw_status,
        created_at=times["created_at"],
        updated_at=times["updated_at"],
        started_at=times["started_at"],
        finished_at=times["finished_at"],
        error=_text(value("error")),
        result_links=[link for link in links if isinstance(link, str) and link.strip()],
        parents=dict(parents or {}),
        raw=dict(obj),
        model=_typed_model(profile, obj),
        base_url=base_url,
    )


def cancelled_snapshot(profile: JobProfile, job: Job) -> Job:
    """The job as cancelled, made from its last snapshot: for a cancel that removes the job (the
    API answers 2xx and keeps nothing to read). `raw_status` is the API's cancelled word, or
    `"cancelled"`; the error and result links are cleared, as they count only when failed or
    succeeded."""
    return dataclasses.replace(
        job,
        status=JobStatus.CANCELLED,
        raw_status=profile.word_for(JobStatus.CANCELLED) or JobStatus.CANCELLED.value,
        error=None,
        result_links=[],
    )


def _type_hint(profile: JobProfile, obj: Mapping[str, Any]) -> str:
    sent = obj.get("type")
    if profile.resource_type and isinstance(sent, str) and sent != profile.resource_type:
        return f" (got a {sent!r} object, expected {profile.resource_type!r})"
    return ""


def _timestamp(profile: JobProfile, value: object, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        _warn_once(
            ("timestamp", profile.name, name),
            "%s job field %s has an unreadable timestamp %r; leaving it empty",
            profile.name,
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
            ("model", profile.name),
            "%s job object does not match %s (%s); Job.model is None, Job.raw has the data",
            profile.name,
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
