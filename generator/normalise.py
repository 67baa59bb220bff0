"""Stage 3, normalise: job profiles -> `ir.JobFamily` entries on the APIs they describe.

A job profile (YAML, see specs/jobs.yaml) says declaratively how one API spells a job: which operations
create, list, get and cancel jobs, where the id, kind, status, times, error and result links sit inside
the job object, and how the API's status words map onto the canonical statuses. This stage checks every
claim against the parsed spec (operations exist, field paths resolve, no status word is mapped twice) and
fails with the profile's file, line and pointer when one does not hold. Adding a job API is writing a
profile; no generator code changes.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from . import ir
from .diagnostics import Collector, InputError, Location, join_pointer
from .load import Document, load_document

CANONICAL_STATUSES = ("pending", "running", "succeeded", "failed", "cancelling", "cancelled")
FIELDS = (
    "id",
    "kind",
    "status",
    "created_at",
    "updated_at",
    "started_at",
    "finished_at",
    "error",
    "result_links",
)
REQUIRED_FIELDS = ("id", "status")
ROLES = ("create", "list", "get", "cancel", "errors", "file")
_PROFILE_KEYS = {
    "api",
    "resource_type",
    "job_param",
    "operations",
    "envelope",
    "fields",
    "statuses",
    "file_link",
    "error_messages",
    "cancellable",
}
_OPERATION = re.compile(r"^(GET|POST|PUT|PATCH|DELETE)\s+(/\S*)$")


def load_profiles(path: Path) -> list[tuple[Document, str, dict[str, Any]]]:
    """Read a profile file: (document, pointer, profile mapping) for each profile in it."""
    doc = load_document(path)
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("profiles"), list):
        raise InputError("a job-profile file needs a `profiles` list", doc.location(""), "profile")
    if data.get("version", 1) != 1:
        raise InputError(
            f"unsupported profile version {data.get('version')!r}",
            doc.location("/version"),
            "profile",
        )
    result = []
    for index, profile in enumerate(data["profiles"]):
        pointer = join_pointer("/profiles", index)
        if not isinstance(profile, dict):
            raise InputError("a profile must be a mapping", doc.location(pointer), "profile")
        result.append((doc, pointer, profile))
    return result


def apply_profiles(
    apis: list[ir.Api], profile_files: list[Path], reports: dict[str, Collector]
) -> list[ir.Api]:
    """Attach a checked `JobFamily` to every API that has a profile."""
    by_name = {api.name: api for api in apis}
    families: dict[str, ir.JobFamily] = {}
    for path in profile_files:
        for doc, pointer, profile in load_profiles(path):
            api_name = profile.get("api")
            if not isinstance(api_name, str):
                raise InputError(
                    "profile needs `api`: the spec file's stem", doc.location(pointer), "profile"
                )
            if api_name not in by_name:
                known = ", ".join(sorted(by_name)) or "none"
                raise InputError(
                    f"profile names API {api_name!r}, which no spec defines (specs: {known})",
                    doc.location(join_pointer(pointer, "api")),
                    "profile",
                )
            if api_name in families:
                raise InputError(
                    f"a second profile for API {api_name!r}", doc.location(pointer), "profile"
                )
            families[api_name] = _ProfileChecker(doc, pointer, profile, by_name[api_name]).check()
    return [dataclasses.replace(api, jobs=families.get(api.name)) for api in apis]


class _ProfileChecker:
    def __init__(self, doc: Document, pointer: str, profile: dict[str, Any], api: ir.Api) -> None:
        self.doc = doc
        self.pointer = pointer
        self.profile = profile
        self.api = api
        self.models = {m.name: m for m in api.models}

    def where(self, *tokens: str | int) -> Location:
        return self.doc.location(join_pointer(self.pointer, *tokens))

    def fail(self, message: str, *tokens: str | int) -> InputError:
        return InputError(message, self.where(*tokens), "profile")

    def text(self, key: str, required: bool = True) -> str | None:
        value = self.profile.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value:
            raise self.fail(f"`{key}` must be a non-empty string", key)
        return value

    def check(self) -> ir.JobFamily:
        for key in self.profile:
            if key not in _PROFILE_KEYS:
                raise self.fail(
                    f"unknown profile key {key!r} (known: {', '.join(sorted(_PROFILE_KEYS))})", key
                )
        resource_type = self.text("resource_type") or ""
        job_param = self.text("job_param") or ""
        envelope = self.text("envelope") or ""
        operations = self._operations(job_param)
        roles = {role for role, _, _ in operations}
        if "get" not in roles and "list" not in roles:
            raise self.fail(
                "a profile needs a `get` or a `list` operation to find jobs", "operations"
            )
        job_model = self._job_model(operations, envelope)
        fields = self._fields(job_model)
        statuses = self._statuses()
        file_link = self.text("file_link", required=False)
        if file_link is not None:
            file_op = next((o for o in operations if o[0] == "file"), None)
            if file_op is None:
                raise self.fail("`file_link` needs a `file` operation", "file_link")
            self._check_response_path(file_op, file_link, "file_link")
        error_messages = self.text("error_messages", required=False)
        if error_messages is not None:
            errors_op = next((o for o in operations if o[0] == "errors"), None)
            if errors_op is None:
                raise self.fail("`error_messages` needs an `errors` operation", "error_messages")
            self._check_response_path(errors_op, error_messages, "error_messages")
        cancellable = self.profile.get("cancellable", [])
        if not isinstance(cancellable, list) or not all(isinstance(c, str) for c in cancellable):
            raise self.fail("`cancellable` must be a list of status words", "cancellable")
        known = {raw for raw, _ in statuses}
        for index, word in enumerate(cancellable):
            if word.lower() not in known:
                raise self.fail(
                    f"cancellable status {word!r} is not in `statuses`", "cancellable", index
                )
        parents = sorted(
            {name for _, _, path in operations for name in re.findall(r"{([^}]+)}", path)}
            - {job_param},
            key=lambda name: min(
                p.find("{" + name + "}") for _, _, p in operations if "{" + name + "}" in p
            ),
        )
        return ir.JobFamily(
            api=self.api.name,
            resource_type=resource_type,
            job_param=job_param,
            parent_params=tuple(parents),
            envelope=envelope,
            operations=tuple(operations),
            fields=tuple(fields),
            statuses=tuple(statuses),
            file_link=file_link,
            error_messages=error_messages,
            cancellable=tuple(c.lower() for c in cancellable),
            model=job_model.name if job_model is not None else None,
            location=self.where(),
        )

    # ---------------------------------------------------------------------------------- operations
    def _operations(self, job_param: str) -> list[tuple[str, str, str]]:
        raw = self.profile.get("operations")
        if not isinstance(raw, dict) or not raw:
            raise self.fail('`operations` must map roles to "METHOD /path"', "operations")
        index = {(op.method, op.path): op for op in self.api.operations}
        result: list[tuple[str, str, str]] = []
        for role in raw:
            if role not in ROLES:
                raise self.fail(
                    f"unknown operation role {role!r} (known: {', '.join(ROLES)})",
                    "operations",
                    role,
                )
        for role in ROLES:
            if role not in raw:
                continue
            value = raw[role]
            match = _OPERATION.match(value.strip()) if isinstance(value, str) else None
            if match is None:
                raise self.fail(
                    f'operation {role!r} must be "METHOD /path", got {value!r}', "operations", role
                )
            method, path = match.groups()
            if (method, path) not in index:
                raise self.fail(
                    f"operation {role!r}: {self.api.source} has no {method} {path}"
                    f" (JSON pointer {join_pointer('/paths', path, method.lower())})",
                    "operations",
                    role,
                )
            needs_job = role in ("get", "cancel", "errors", "file")
            if needs_job and "{" + job_param + "}" not in path:
                raise self.fail(
                    f"operation {role!r} ({path}) has no {{{job_param}}} path parameter",
                    "operations",
                    role,
                )
            result.append((role, method, path))
        return result

    def _operation(self, entry: tuple[str, str, str]) -> ir.Operation:
        _, method, path = entry
        return next(op for op in self.api.operations if op.method == method and op.path == path)

    def _success_model(self, entry: tuple[str, str, str]) -> ir.Model | None:
        op = self._operation(entry)
        for response in op.success_responses:
            type_ = _unwrap(response.json_type)
            if isinstance(type_, ir.ModelRef):
                return self.models.get(type_.name)
        return None

    def _job_model(self, operations: list[tuple[str, str, str]], envelope: str) -> ir.Model | None:
        """The model of one job object: the envelope field of the get (or list) response."""
        chosen = next((o for o in operations if o[0] == "get"), None) or next(
            o for o in operations if o[0] == "list"
        )
        model = self._success_model(chosen)
        if model is None:
            raise self.fail(
                f"operation {chosen[0]!r} ({chosen[1]} {chosen[2]}) has no JSON object response to find jobs in",
                "operations",
                chosen[0],
            )
        field = next((f for f in model.fields if f.wire_name == envelope), None)
        if field is None:
            raise self.fail(
                f"envelope {envelope!r} is not a property of the {chosen[0]!r} response ({model.location})",
                "envelope",
            )
        type_ = _unwrap(field.type)
        if isinstance(type_, ir.ListType):
            type_ = _unwrap(type_.item)
        if isinstance(type_, ir.ModelRef):
            return self.models.get(type_.name)
        if type_ == ir.ANY or isinstance(type_, ir.DictType):
            return None  # an untyped job object: paths cannot be checked, only used
        raise self.fail(f"envelope {envelope!r} does not hold an object", "envelope")

    # -------------------------------------------------------------------------------------- fields
    def _fields(self, job_model: ir.Model | None) -> list[tuple[str, str]]:
        raw = self.profile.get("fields")
        if not isinstance(raw, dict):
            raise self.fail("`fields` must map canonical fields to paths", "fields")
        for key in raw:
            if key not in FIELDS:
                raise self.fail(
                    f"unknown field {key!r} (known: {', '.join(FIELDS)})", "fields", key
                )
        for key in REQUIRED_FIELDS:
            if key not in raw:
                raise self.fail(f"`fields` needs `{key}`", "fields")
        result: list[tuple[str, str]] = []
        for key in FIELDS:
            if key not in raw:
                continue
            path = raw[key]
            if not isinstance(path, str) or not path:
                raise self.fail(f"field {key!r} must be a dotted path", "fields", key)
            if job_model is not None:
                self._resolve(job_model, path, ("fields", key))
            result.append((key, path))
        return result

    def _check_response_path(self, entry: tuple[str, str, str], path: str, key: str) -> None:
        model = self._success_model(entry)
        if model is None:
            raise self.fail(f"operation {entry[0]!r} has no JSON object response for {key}", key)
        self._resolve(model, path, (key,))

    def _resolve(self, model: ir.Model, path: str, at: tuple[str, ...]) -> None:
        current: ir.TypeRef = ir.ModelRef(model.name)
        walked: list[str] = []
        for segment in path.split("."):
            fan_out = segment.endswith("[]")
            name = segment[:-2] if fan_out else segment
            walked.append(segment)
            current = _unwrap(current)
            if current == ir.ANY or isinstance(current, ir.DictType):
                return  # free-form from here on: nothing more to check
            if not isinstance(current, ir.ModelRef) or current.name not in self.models:
                raise self.fail(
                    f"path {path!r}: {'.'.join(walked[:-1]) or 'the job'} is not an object", *at
                )
            owner = self.models[current.name]
            field = next((f for f in owner.fields if f.wire_name == name), None)
            if field is None:
                raise self.fail(
                    f"path {path!r}: {owner.name} ({owner.location}) has no property {name!r}", *at
                )
            current = field.type
            if fan_out:
                inner = _unwrap(current)
                if not isinstance(inner, ir.ListType):
                    raise self.fail(
                        f"path {path!r}: {name!r} is not an array, but the path says []", *at
                    )
                current = inner.item

    # ------------------------------------------------------------------------------------ statuses
    def _statuses(self) -> list[tuple[str, str]]:
        raw = self.profile.get("statuses")
        if not isinstance(raw, dict) or not raw:
            raise self.fail("`statuses` must map canonical statuses to lists of words", "statuses")
        seen: dict[str, str] = {}
        result: list[tuple[str, str]] = []
        for canonical, words in raw.items():
            if canonical not in CANONICAL_STATUSES:
                raise self.fail(
                    f"unknown status {canonical!r} (canonical: {', '.join(CANONICAL_STATUSES)})",
                    "statuses",
                    canonical,
                )
            if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
                raise self.fail(
                    f"status {canonical!r} must list the API's words for it", "statuses", canonical
                )
            for index, word in enumerate(words):
                key = word.lower()
                if key in seen:
                    raise self.fail(
                        f"status word {word!r} is mapped twice ({seen[key]} and {canonical})",
                        "statuses",
                        canonical,
                        index,
                    )
                seen[key] = canonical
                result.append((key, canonical))
        return result


def _unwrap(type_: ir.TypeRef | None) -> ir.TypeRef:
    while isinstance(type_, ir.NullableType):
        type_ = type_.inner
    if isinstance(type_, ir.UnionType) and len(type_.options) == 1:
        return _unwrap(type_.options[0])
    return type_ if type_ is not None else ir.ANY
