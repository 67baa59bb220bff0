"""The answers to what the router found: the job operations of each API (create, list, get,
cancel, errors, file), the OAuth token endpoint, and the storage origin's downloads."""

from __future__ import annotations

import copy
import hashlib
import json
import mimetypes
import re
import urllib.parse
import uuid
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, Final, Protocol

import httpx

from .._job_model import JobStatus, resolve_path
from .._job_vocabulary import status_key
from ._api import SimulatedApi
from ._bodies import file_url, job_object, put, signature, wrap
from ._responses import generic_error, json_response, raw_response, storage_error
from ._routes import Target
from ._state import EPOCH, FakeJob, JobStore, VirtualClock

_FILTER_CLAUSE: Final = re.compile(r"\s*eq\(\s*([^,\s()]+)\s*,\s*([^()]*?)\s*\)\s*")


class Options(Protocol):
    """The fake's settings its answers follow, read at each request (a test may change them)."""

    token: str | None
    client_credentials: tuple[str, str] | None
    auto_advance: bool
    page_size: int
    storage_rejects_authorization: bool
    storage_url: str
    clock: VirtualClock


class JobOperations:
    """Answers each request on the simulated state (the server holds its lock meanwhile)."""

    def __init__(
        self,
        apis: Mapping[str, SimulatedApi],
        store: JobStore,
        options: Options,
        request_id: Callable[[], str],
    ) -> None:
        self._apis = apis
        self._store = store
        self._options = options
        self._request_id = request_id

    def answer(self, target: Target, request: httpx.Request) -> httpx.Response:
        """Act on `request` and answer it, as the API, the storage origin or neither."""
        if target.host == "storage":
            return self._download(target, request)
        if target.host == "other":
            return self._json(404, generic_error(404, f"the fake does not serve {request.url}"))
        if target.operation == "token":
            return self._token(request)
        spec = self._apis[target.api] if target.api is not None else None
        if target.allowed:
            detail = f"use {', '.join(target.allowed)}"
            body = spec.error_body(405, detail) if spec else generic_error(405, detail)
            return self._json(405, body, headers={"Allow": ", ".join(target.allowed)})
        if spec is None or target.operation is None:
            return self._json(
                404, generic_error(404, f"no route for {request.method} {target.path}")
            )
        if (
            self._options.token is not None
            and request.headers.get("authorization") != f"Bearer {self._options.token}"
        ):
            return self._json(401, spec.error_body(401, "a valid bearer token is required"))
        parents = {k: v for k, v in target.params.items() if k in spec.profile.parent_params}
        if target.operation == "create":
            return self._create(spec, parents, request, target)
        if target.operation == "list":
            return self._list(spec, parents, request)
        job = self._store.find(spec, target.params.get(spec.profile.job_param, ""), parents)
        if job is None:
            return self._json(404, spec.error_body(404, "job not found"))
        if target.operation == "get":
            self._observe(job)
            return self._json(200, wrap(spec.profile.envelope, self._job_object(job)))
        if target.operation == "cancel":
            return self._cancel(spec, job)
        if target.operation == "errors":
            return self._errors(spec, job)
        return self._file(spec, job)

    # the operations

    def _create(
        self, spec: SimulatedApi, parents: dict[str, str], request: httpx.Request, target: Target
    ) -> httpx.Response:
        media_type = target.endpoint.media_type if target.endpoint is not None else None
        if media_type is not None and not _is_json(media_type):
            # A form or multipart upload: the fake takes it as it comes (the kind and fields
            # of such jobs come from `script_next` or `add_job`).
            sent = request.headers.get("content-type", "").partition(";")[0].strip()
            if sent != media_type.partition(";")[0].strip():
                detail = f"this endpoint takes {media_type}, not {sent or 'no body'}"
                return self._json(415, spec.error_body(415, detail))
            body: Any = {}
        else:
            try:
                body = json.loads(request.content) if request.content else None
            except ValueError:
                return self._json(400, spec.error_body(400, "the body is not valid JSON"))
            if not isinstance(body, dict):
                return self._json(400, spec.error_body(400, "the body must be a JSON object"))
        envelope = spec.profile.envelope
        found = resolve_path(body, envelope) if envelope else []
        source = found[0] if found and isinstance(found[0], dict) else body
        kind_path = spec.profile.path("kind")
        kinds = resolve_path(source, kind_path) if kind_path else []
        planned = self._store.next_plan(spec.name)
        if planned.kind is None and kinds and isinstance(kinds[0], str):
            planned.kind = kinds[0]
        job = self._store.create(
            spec, parents=parents, plan=planned, body_fields=copy.deepcopy(source)
        )
        obj = self._job_object(job)
        return self._json(
            spec.shape.create_status, wrap(envelope, [obj] if spec.create_array else obj)
        )

    def _list(
        self, spec: SimulatedApi, parents: dict[str, str], request: httpx.Request
    ) -> httpx.Response:
        jobs = [
            job
            for job in self._store.jobs.values()
            if job.api == spec.name and job.parents == parents
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
                limit = int(query.get("page[limit]", str(self._options.page_size)))
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
            put(body, envelope, objects)
            return self._json(200, body)
        return self._json(200, objects)

    def _filter_match(self, spec: SimulatedApi, job: FakeJob, name: str, value: str) -> bool:
        path = spec.profile.path(name) or name
        found = resolve_path(self._job_object(job), path)
        wanted = value.strip().strip("'\"").casefold()
        if name == "status":  # `complete` finds `completed` jobs: same canonical status
            canonical = spec.profile.status_of(wanted) if spec.profile.statuses else None
            if canonical is not None:
                return job.status is canonical
        return any(str(item).casefold() == wanted for item in found)

    def _cancel(self, spec: SimulatedApi, job: FakeJob) -> httpx.Response:
        profile = spec.profile
        allowed = {status_key(raw) for raw in profile.cancel_statuses}
        current = status_key(job.raw_status)
        if job.status.is_terminal or (allowed and current not in allowed):
            while_ = ", ".join(profile.cancel_statuses) or "not finished"
            detail = f"job {job.id} is {job.raw_status}; it can only be cancelled while {while_}"
            return self._json(422, spec.error_body(422, detail))
        rule = profile.cancel_rule
        if rule is not None and rule.removes_job:  # a DELETE: the job is gone
            del self._store.jobs[job.id]
            return self._raw(204, b"")
        cancelled = spec.words.get(JobStatus.CANCELLED)
        if cancelled is None and profile.state:
            cancelled = JobStatus.CANCELLED.value
        if cancelled is None:
            return self._json(500, spec.error_body(500, "the profile has no cancelled status"))
        cancelling = spec.words.get(JobStatus.CANCELLING)
        job.script = job.script[: job.position + 1] + [w for w in (cancelling, cancelled) if w]
        self._store.move(job, job.position + 1)
        return self._json(200, wrap(profile.envelope, self._job_object(job)))

    def _errors(self, spec: SimulatedApi, job: FakeJob) -> httpx.Response:
        path = spec.profile.error_messages or ""
        messages = list(job.errors) if job.status is JobStatus.FAILED else []
        fan_out = "[]" in path
        body = wrap(path, messages if fan_out else "; ".join(messages))
        if fan_out:
            error_type = spec.shape.error_type or f"{spec.profile.resource_type or spec.name}-error"
            for index, item in enumerate(resolve_path(body, path.partition("[]")[0]), start=1):
                if isinstance(item, list):
                    for number, element in enumerate(item, start=1):
                        if isinstance(element, dict):
                            element.setdefault("type", error_type)
                            element.setdefault("id", _stable_id(f"{job.id}/error/{index}/{number}"))
        return self._json(200, body)

    def _file(self, spec: SimulatedApi, job: FakeJob) -> httpx.Response:
        path = spec.profile.file_link or "href"
        if job.status is not JobStatus.SUCCEEDED or not job.files:
            return self._json(404, spec.error_body(404, f"job {job.id} has no file (yet)"))
        urls = [self._file_url(job, name) for name in job.files]
        return self._json(200, wrap(path, urls if "[]" in path else urls[0]))

    def _download(self, target: Target, request: httpx.Request) -> httpx.Response:
        if request.method not in ("GET", "HEAD"):
            return self._storage_error(405, "MethodNotAllowed", "only GET")
        if "authorization" in request.headers and self._options.storage_rejects_authorization:
            return self._storage_error(
                400,
                "InvalidArgument",
                "Only one auth mechanism allowed; the signature is in the query string, so an "
                "Authorization header must not be sent",
            )
        api, _, rest = target.path.lstrip("/").partition("/")
        job_id, _, name = rest.partition("/")
        name = urllib.parse.unquote(name)
        job = self._store.jobs.get(job_id)
        if job is None or job.api != api or name not in job.files:
            return self._storage_error(404, "NoSuchKey", "The specified key does not exist.")
        if request.url.params.get("signature") != signature(api, job_id, name):
            return self._storage_error(403, "SignatureDoesNotMatch", "bad or missing signature")
        if job.status is not JobStatus.SUCCEEDED:
            return self._storage_error(404, "NoSuchKey", "The specified key does not exist yet.")
        media = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return self._raw(200, job.files[name], headers={"Content-Type": media})

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = urllib.parse.parse_qs(request.content.decode("utf-8", "replace"))
        grant = (form.get("grant_type") or [""])[0]
        client_id = (form.get("client_id") or [""])[0]
        secret = (form.get("client_secret") or [""])[0]
        known = self._options.client_credentials
        if known is None:
            return self._json(404, generic_error(404, "the fake has no client_credentials"))
        accepted = (grant == "client_credentials" and (client_id, secret) == known) or (
            grant == "implicit" and client_id == known[0]
        )
        if request.method != "POST" or not accepted:
            return self._json(401, generic_error(401, "invalid client credentials"))
        now = int((EPOCH + timedelta(seconds=self._options.clock.now())).timestamp())
        token = self._options.token if self._options.token is not None else "fake-access-token"
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

    def _observe(self, job: FakeJob) -> None:
        self._store.observe(job, advance=self._options.auto_advance)

    def _job_object(self, job: FakeJob) -> dict[str, Any]:
        return job_object(self._apis[job.api], job, self._options.storage_url)

    def _file_url(self, job: FakeJob, name: str) -> str:
        return file_url(job, name, self._options.storage_url)

    def _json(
        self, status: int, body: object, *, headers: Mapping[str, str] | None = None
    ) -> httpx.Response:
        return json_response(self._request_id(), status, body, headers=headers)

    def _raw(
        self, status: int, content: bytes, *, headers: Mapping[str, str] | None = None
    ) -> httpx.Response:
        return raw_response(self._request_id(), status, content, headers=headers)

    def _storage_error(self, status: int, code: str, message: str) -> httpx.Response:
        return storage_error(self._request_id(), status, code, message)


def _is_json(media_type: str) -> bool:
    essence = media_type.partition(";")[0].strip().lower()
    return essence == "application/json" or essence.endswith("+json")


def _stable_id(seed: str) -> str:
    return str(uuid.UUID(bytes=hashlib.sha256(seed.encode()).digest()[:16], version=4))
