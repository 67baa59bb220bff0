"""One job family's profile, checked against the IR of the specs.

Every problem is recorded (none is raised): each is located in the profile file (line and JSON
pointer) and says how to fix it. A family with problems gives no `ir.JobFamily`.
"""

from __future__ import annotations

import difflib
import keyword
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .. import ir
from ..diagnostics import Diagnostic, Level, Location, join_pointer
from ..jobs_vocabulary import (
    CANCEL_EFFECTS,
    CANONICAL_STATUSES,
    CONDITION_KINDS,
    FIELD_NAMES,
    JOB_ROLES,
    OPERATION_ROLES,
    status_key,
)
from .read import ProfileEntry

_OPERATION = re.compile(r"^(GET|POST|PUT|PATCH|DELETE)\s+(/\S*)$")
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
_PLACEHOLDER = re.compile(r"{([^}]+)}")

V1_KEYS = (
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
)
V2_KEYS = (
    "name",
    "api",
    "resource_type",
    "job_param",
    "envelope",
    "operations",
    "cancel",
    "fields",
    "statuses",
    "state",
    "file_link",
    "error_messages",
    "log_messages",
)
# Version 1 named no `logs` operation, and put `cancel` among the operations.
V1_ROLES = tuple(role for role in OPERATION_ROLES if role != "logs")
V2_ROLES = tuple(role for role in OPERATION_ROLES if role != "cancel")
#: What the jobs facade itself calls its members: a family named so would hide one.
RESERVED_NAMES = frozenset(
    {
        "create",
        "from_response",
        "get",
        "list",
        "refresh",
        "wait",
        "watch",
        "cancel",
        "errors",
        "download",
        "resume",
        "profiles",
        "family",
    }
)


def close(word: str, choices: Iterable[str]) -> str:
    """`; did you mean 'x'?` for the nearest of `choices`, or ``."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {found[0]!r}?" if found else ""


def _hint(*parts: str) -> str:
    return " ".join(part for part in parts if part)


@dataclass(frozen=True)
class _CancelClaim:
    """What a profile says of its cancel before its statuses are known."""

    operation: ir.JobOperation
    effect: str | None  # None: the default for the method
    statuses: object  # the words in which it is accepted, as written
    at: tuple[str | int, ...]  # where those words are


@dataclass(frozen=True)
class _JobModel:
    """The job object's model (None: untyped), and whether paths can be checked against it."""

    model: ir.Model | None
    checkable: bool


class FamilyChecker:
    """Checks one family's mapping; `check()` gives the family, or None after recording problems."""

    def __init__(
        self,
        entry: ProfileEntry,
        apis: Mapping[str, ir.Api],
        errors: list[Diagnostic],
        warnings: list[Diagnostic],
    ) -> None:
        self.entry = entry
        self.data = entry.data
        self.v2 = entry.version == 2
        self.apis = apis
        self._errors = errors
        self._warnings = warnings
        self._failed = False

    # -- recording ---------------------------------------------------------------------------------
    def where(self, *tokens: str | int) -> Location:
        return self.entry.doc.location(join_pointer(self.entry.pointer, *tokens))

    def error(self, message: str, *tokens: str | int, hint: str = "") -> None:
        self._failed = True
        text = f"{message}; hint: {hint}" if hint else message
        self._errors.append(Diagnostic(Level.ERROR, text, self.where(*tokens), "profile"))

    def warn(self, message: str, *tokens: str | int, hint: str = "") -> None:
        text = f"{message}; hint: {hint}" if hint else message
        self._warnings.append(Diagnostic(Level.WARNING, text, self.where(*tokens), "profile"))

    def text(self, key: str, *, required: bool = True, empty: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or (not value and not empty):
            self.error(
                f"`{key}` must be a{'' if empty else ' non-empty'} string, got {value!r}",
                *((key,) if key in self.data else ()),
                hint=f"add `{key}: ...` to the family" if value is None else "",
            )
            return None
        return value

    # -- the family --------------------------------------------------------------------------------
    def check(self) -> ir.JobFamily | None:
        known_keys = V2_KEYS if self.v2 else V1_KEYS
        for key in self.data:
            if key not in known_keys:
                self.error(
                    f"unknown key {key!r} in a version {self.entry.version} job family",
                    key,
                    hint=_hint(close(str(key), known_keys), f"known: {', '.join(known_keys)}"),
                )
        api = self._api()
        name = self._name(api)
        resource_type = self.text("resource_type", required=not self.v2)
        job_param = self.text("job_param")
        envelope = self.text("envelope", empty=self.v2)
        if api is None or job_param is None:
            return None
        operations = self._operations(api, job_param)
        cancel_entry = self._cancel_operation(api, job_param)
        reading = [op for op in operations if op.role in ("get", "list")]
        job_model = _JobModel(None, checkable=False)
        if not reading:
            self.error(
                "a job family needs a `get` or a `list` operation to find its jobs",
                *(("operations",) if "operations" in self.data else ()),
                hint="add `get: GET /.../{" + job_param + "}` under `operations`",
            )
        elif envelope is not None:
            job_model = self._job_model(api, reading, envelope)
        state = self._state(api, job_model, operations)
        statuses = self._statuses(has_state=bool(state) or "state" in self.data)
        fields = self._fields(api, job_model, has_state="state" in self.data)
        cancel = self._cancel(cancel_entry, statuses)
        file_link = self._response_path(api, operations, "file", "file_link")
        error_messages = self._response_path(api, operations, "errors", "error_messages")
        log_messages = (
            self._response_path(api, operations, "logs", "log_messages") if self.v2 else None
        )
        parents = self._parents(operations, cancel, job_param)
        if self._failed or envelope is None or name is None:
            return None
        return ir.JobFamily(
            name=name,
            api=api.name,
            resource_type=resource_type,
            job_param=job_param,
            parent_params=parents,
            envelope=envelope,
            operations=tuple(operations),
            cancel=cancel,
            fields=tuple(fields),
            statuses=tuple(statuses),
            state=tuple(state),
            file_link=file_link,
            error_messages=error_messages,
            log_messages=log_messages,
            model=job_model.model.name if job_model.model is not None else None,
            location=self.where(),
        )

    def _api(self) -> ir.Api | None:
        value = self.data.get("api")
        known = ", ".join(sorted(self.apis)) or "none"
        if not isinstance(value, str) or not value:
            self.error(
                "a job family needs `api`: the API (spec file stem) whose operations read its jobs",
                *(("api",) if "api" in self.data else ()),
                hint=f"configured APIs: {known}",
            )
            return None
        if value not in self.apis:
            self.error(
                f"job family names API {value!r}, which no configured spec defines",
                "api",
                hint=_hint(close(value, self.apis), f"configured APIs: {known}"),
            )
            return None
        return self.apis[value]

    def _name(self, api: ir.Api | None) -> str | None:
        if not self.v2 or "name" not in self.data:
            if api is not None and api.name in RESERVED_NAMES:
                self.error(
                    f"the family takes its API's name {api.name!r}, a method of `client.jobs`",
                    "api",
                    hint=f"use `version: 2` and give it a `name`, e.g. `{api.name}_jobs`",
                )
                return None
            return api.name if api is not None else None
        value = self.data["name"]
        if not isinstance(value, str) or not _IDENTIFIER.match(value) or keyword.iskeyword(value):
            self.error(
                f"`name` must be a lower-case Python identifier, got {value!r}",
                "name",
                hint="users write `client.jobs.<name>`: use letters, digits and `_`",
            )
            return None
        if value in RESERVED_NAMES:
            self.error(
                f"`name` {value!r} is a method of `client.jobs`",
                "name",
                hint=f"call the family e.g. `{value}_jobs`",
            )
            return None
        return value

    # -- operations --------------------------------------------------------------------------------
    def _operations(self, api: ir.Api, job_param: str) -> list[ir.JobOperation]:
        raw = self.data.get("operations")
        if not isinstance(raw, dict) or not raw:
            self.error(
                'a job family needs `operations`: roles mapped to "METHOD /path"',
                *(("operations",) if "operations" in self.data else ()),
                hint="e.g. `operations: {get: GET /jobs/{id}}`",
            )
            return []
        roles = V2_ROLES if self.v2 else V1_ROLES
        for role in raw:
            if role not in roles:
                extra = (
                    "in version 2, `cancel` is a key of the family: `cancel: POST /.../cancel`"
                    if role == "cancel"
                    else _hint(close(str(role), roles), f"known: {', '.join(roles)}")
                )
                self.error(f"unknown operation role {role!r}", "operations", role, hint=extra)
        result: list[ir.JobOperation] = []
        if "create" in raw:
            result.extend(self._creators(api, raw["create"]))
        for role in roles:
            if role == "create" or role not in raw or (role == "cancel" and not self.v2):
                continue
            found = self._operation(api, role, raw[role], ("operations", role))
            if found is not None and self._names_job(found, job_param, ("operations", role)):
                result.append(found)
        return result

    def _creators(self, api: ir.Api, value: object) -> list[ir.JobOperation]:
        at: tuple[str | int, ...] = ("operations", "create")
        if isinstance(value, str) or (isinstance(value, dict) and "operation" in value):
            found = self._operation(api, "create", value, at, creator=True)
            return [found] if found is not None else []
        if not self.v2 or not isinstance(value, dict) or not value:
            self.error(
                f"operation 'create' must be \"METHOD /path\", got {value!r}",
                *at,
                hint='named creators need `version: 2`: `create: {import: "POST /imports"}`'
                if isinstance(value, dict) and not self.v2
                else "",
            )
            return []
        creators: list[ir.JobOperation] = []
        for name, each in value.items():
            if not isinstance(name, str) or not _IDENTIFIER.match(name) or keyword.iskeyword(name):
                self.error(
                    f"creator name {name!r} is not a lower-case Python identifier",
                    *at,
                    name,
                    hint="its method is `create_<name>`",
                )
                continue
            found = self._operation(api, "create", each, (*at, name), creator=True, name=name)
            if found is not None:
                creators.append(found)
        return creators

    def _operation(
        self,
        api: ir.Api,
        role: str,
        value: object,
        at: tuple[str | int, ...],
        *,
        creator: bool = False,
        name: str = "create",
    ) -> ir.JobOperation | None:
        owner = api
        if creator and self.v2 and isinstance(value, dict):
            unknown = sorted(set(value) - {"api", "operation"})
            if unknown:
                self.error(
                    f"unknown keys {unknown} in a creator", *at, hint="known: api, operation"
                )
                return None
            other = value.get("api", api.name)
            if not isinstance(other, str) or other not in self.apis:
                self.error(
                    f"the creator's API {other!r} is not a configured spec",
                    *at,
                    "api",
                    hint=_hint(
                        close(str(other), self.apis), f"configured: {', '.join(sorted(self.apis))}"
                    ),
                )
                return None
            owner = self.apis[other]
            value = value.get("operation")
            at = (*at, "operation")
        match = _OPERATION.match(value.strip()) if isinstance(value, str) else None
        if match is None:
            self.error(
                f'operation {role!r} must be "METHOD /path", got {value!r}',
                *at,
                hint="e.g. `GET /v2/jobs/{jobID}`, spelled as in the spec",
            )
            return None
        method, path = match.groups()
        if not any(op.method == method and op.path == path for op in owner.operations):
            spelled = [f"{op.method} {op.path}" for op in owner.operations]
            self.error(
                f"operation {role!r}: {owner.source} has no {method} {path}"
                f" (JSON pointer {join_pointer('/paths', path, method.lower())})",
                *at,
                hint=close(f"{method} {path}", spelled) or "spell method and path as the spec does",
            )
            return None
        return ir.JobOperation(
            role=role, api=owner.name, method=method, path=path, name=name if creator else ""
        )

    def _names_job(self, op: ir.JobOperation, job_param: str, at: tuple[str | int, ...]) -> bool:
        if op.role in JOB_ROLES and "{" + job_param + "}" not in op.path:
            placeholders = _PLACEHOLDER.findall(op.path)
            self.error(
                f"operation {op.role!r} ({op.path}) has no {{{job_param}}} path parameter",
                *at,
                hint=f"`job_param` names the job's path parameter: one of {placeholders}"
                if placeholders
                else "it must name one job",
            )
            return False
        return True

    def _cancel_operation(self, api: ir.Api, job_param: str) -> _CancelClaim | None:
        """The cancel operation with what the profile says of it: effect and statuses."""
        if not self.v2:
            raw = self.data.get("operations")
            if not isinstance(raw, dict) or "cancel" not in raw:
                if "cancellable" in self.data:
                    self.error(
                        "`cancellable` statuses without a `cancel` operation",
                        "cancellable",
                        hint="add `cancel: METHOD /path` under `operations`",
                    )
                return None
            at: tuple[str | int, ...] = ("operations", "cancel")
            found = self._operation(api, "cancel", raw["cancel"], at)
            if found is None or not self._names_job(found, job_param, at):
                return None
            return _CancelClaim(found, None, self.data.get("cancellable", []), ("cancellable",))
        value = self.data.get("cancel")
        if value is None:
            return None
        effect: object = None
        statuses: object = []
        if isinstance(value, dict):
            unknown = sorted(set(value) - {"operation", "effect", "from"})
            if unknown:
                self.error(
                    f"unknown keys {unknown} in `cancel`",
                    "cancel",
                    hint="known: operation, effect, from",
                )
            effect = value.get("effect")
            statuses = value.get("from", [])
            at = ("cancel", "operation")
            value = value.get("operation")
        else:
            at = ("cancel",)
        if effect is not None and effect not in CANCEL_EFFECTS:
            self.error(
                f"`effect` {effect!r} is not one of {', '.join(CANCEL_EFFECTS)}",
                "cancel",
                "effect",
                hint="removes: the API deletes the job; returns: it answers the job",
            )
            effect = None
        found = self._operation(api, "cancel", value, at)
        if found is None or not self._names_job(found, job_param, at):
            return None
        chosen = effect if isinstance(effect, str) else None
        return _CancelClaim(found, chosen, statuses, ("cancel", "from"))

    def _cancel(
        self, claim: _CancelClaim | None, statuses: list[ir.StatusWord]
    ) -> ir.JobCancel | None:
        if claim is None:
            return None
        operation, effect, allowed, at = claim.operation, claim.effect, claim.statuses, claim.at
        if effect is None:  # a DELETE that answers 2xx has removed the job
            effect = "removes" if operation.method == "DELETE" else "returns"
        words: list[str] = []
        if not isinstance(allowed, list) or not all(isinstance(w, str) for w in allowed):
            self.error(
                "cancellable statuses must be a list of status words",
                *at,
                hint="e.g. `[pending]`, spelled as in `statuses`",
            )
        else:
            known = {status_key(s.word) for s in statuses}
            for index, word in enumerate(allowed):
                if status_key(word) not in known:
                    self.error(
                        f"cancellable status {word!r} is not in `statuses`",
                        *at,
                        index,
                        hint=close(word, [s.word for s in statuses])
                        or "map it under `statuses` first",
                    )
                words.append(word)
        return ir.JobCancel(operation, effect == "removes", tuple(words))

    def _parents(
        self, operations: list[ir.JobOperation], cancel: ir.JobCancel | None, job_param: str
    ) -> tuple[str, ...]:
        reading = [op for op in operations if op.role != "create"]
        if cancel is not None:
            reading.append(cancel.operation)
        order: dict[str, int] = {}
        for op in reading:
            for name in _PLACEHOLDER.findall(op.path):
                if name != job_param:
                    position = op.path.find("{" + name + "}")
                    order[name] = min(order.get(name, position), position)
        parents = tuple(sorted(order, key=lambda name: order[name]))
        for op in operations:
            if op.role != "create":
                continue
            missing = [name for name in parents if "{" + name + "}" not in op.path]
            if missing:
                at = ("operations", "create") + (() if op.name == "create" else (op.name,))
                self.error(
                    f"creator {op.method} {op.path} has no path parameter for "
                    f"{', '.join('{' + m + '}' for m in missing)}, which this family's jobs need",
                    *at,
                    hint="a job's parents must come from the operation that creates it",
                )
        return parents

    # -- the job object ----------------------------------------------------------------------------
    def _success_model(self, api: ir.Api, op: ir.JobOperation) -> ir.Model | None:
        found = next(o for o in api.operations if o.method == op.method and o.path == op.path)
        models = {m.name: m for m in api.models}
        for response in found.success_responses:
            type_ = unwrap(response.type)
            if isinstance(type_, ir.ModelRef):
                return models.get(type_.name)
        return None

    def _job_model(self, api: ir.Api, reading: list[ir.JobOperation], envelope: str) -> _JobModel:
        """The model of one job object: at the envelope of the get (or list) response."""
        chosen = next((o for o in reading if o.role == "get"), reading[0])
        model = self._success_model(api, chosen)
        if model is None:
            self.error(
                f"operation {chosen.role!r} ({chosen.method} {chosen.path}) has no JSON object "
                "response to find jobs in",
                "operations",
                chosen.role,
                hint="name the operation whose response holds the job object",
            )
            return _JobModel(None, checkable=False)
        if not envelope:
            return _JobModel(model, checkable=True)
        field = next((f for f in model.fields if f.wire_name == envelope), None)
        if field is None:
            names = [f.wire_name for f in model.fields]
            self.error(
                f"envelope {envelope!r} is not a property of the {chosen.role!r} response "
                f"({model.name}, {model.location})",
                "envelope",
                hint=_hint(close(envelope, names), f"it has: {', '.join(names) or 'nothing'}"),
            )
            return _JobModel(None, checkable=False)
        type_ = unwrap(field.type)
        if isinstance(type_, ir.ListType):
            type_ = unwrap(type_.item)
        if isinstance(type_, ir.ModelRef):
            found = next((m for m in api.models if m.name == type_.name), None)
            return _JobModel(found, checkable=found is not None)
        if type_ == ir.ANY or isinstance(type_, ir.DictType):
            return _JobModel(None, checkable=False)  # untyped: paths can only be used
        self.error(
            f"envelope {envelope!r} does not hold an object",
            "envelope",
            hint="name the property that holds the job object (or its array, in a list)",
        )
        return _JobModel(None, checkable=False)

    def resolve(self, api: ir.Api, model: ir.Model, path: str, at: tuple[str | int, ...]) -> bool:
        """Whether dotted `path` exists in `model` (an error, with a hint, when not)."""
        models = {m.name: m for m in api.models}
        current: ir.TypeRef = ir.ModelRef(model.name)
        walked: list[str] = []
        for segment in path.split("."):
            fan_out = segment.endswith("[]")
            name = segment[:-2] if fan_out else segment
            walked.append(segment)
            current = unwrap(current)
            if current == ir.ANY or isinstance(current, ir.DictType):
                return True  # free-form from here on: nothing more to check
            if not isinstance(current, ir.ModelRef) or current.name not in models:
                self.error(
                    f"path {path!r}: {'.'.join(walked[:-1]) or 'the job'} is not an object", *at
                )
                return False
            owner = models[current.name]
            field = next((f for f in owner.fields if f.wire_name == name), None)
            if field is None:
                names = [f.wire_name for f in owner.fields]
                prefix = ".".join(walked[:-1])
                guess = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
                self.error(
                    f"path {path!r}: {owner.name} ({owner.location}) has no property {name!r}",
                    *at,
                    hint=_hint(
                        f"did you mean {(prefix + '.' if prefix else '') + guess[0]!r}?"
                        if guess
                        else "",
                        f"{prefix or 'the job object'} has: {', '.join(names) or 'nothing'}",
                    ),
                )
                return False
            current = field.type
            if fan_out:
                inner = unwrap(current)
                if not isinstance(inner, ir.ListType):
                    self.error(
                        f"path {path!r}: {name!r} is not an array, but the path says []",
                        *at,
                        hint=f"write {name!r} without []",
                    )
                    return False
                current = inner.item
        return True

    def _fields(self, api: ir.Api, job_model: _JobModel, *, has_state: bool) -> list[ir.JobField]:
        raw = self.data.get("fields")
        if not isinstance(raw, dict):
            self.error(
                "`fields` must map canonical fields to paths in the job object",
                *(("fields",) if "fields" in self.data else ()),
                hint="at least `fields: {id: id, status: status}`",
            )
            return []
        for key in raw:
            if key not in FIELD_NAMES:
                self.error(
                    f"unknown field {key!r}",
                    "fields",
                    key,
                    hint=_hint(close(str(key), FIELD_NAMES), f"known: {', '.join(FIELD_NAMES)}"),
                )
        if "id" not in raw:
            self.error("`fields` needs `id`", "fields", hint="e.g. `id: id`")
        if "status" not in raw and not has_state:
            self.error(
                "`fields` needs `status`",
                "fields",
                hint="or, for jobs with no status field, give `state` rules (version 2)"
                if self.v2
                else "",
            )
        if "status" in raw and has_state:
            self.error(
                "a family gives either `fields.status` with `statuses`, or `state` rules",
                "fields",
                "status",
                hint="remove one of them",
            )
        result: list[ir.JobField] = []
        for key in FIELD_NAMES:
            if key not in raw:
                continue
            value = raw[key]
            when: tuple[str, ...] | None = None
            if self.v2 and isinstance(value, dict):
                unknown = sorted(set(value) - {"path", "when"})
                if unknown:
                    self.error(
                        f"unknown keys {unknown} in field {key!r}",
                        "fields",
                        key,
                        hint="known: path, when",
                    )
                when = self._canonical_list(value.get("when"), ("fields", key, "when"))
                value = value.get("path")
            if not isinstance(value, str) or not value:
                self.error(
                    f"field {key!r} must be a dotted path",
                    "fields",
                    key,
                    hint="or `{path: ..., when: [failed]}` (version 2)" if self.v2 else "",
                )
                continue
            if job_model.checkable and job_model.model is not None:
                self.resolve(api, job_model.model, value, ("fields", key))
            result.append(ir.JobField(key, value, when))
        return result

    def _canonical_list(self, value: object, at: tuple[str | int, ...]) -> tuple[str, ...] | None:
        if value is None:
            return None
        if not isinstance(value, list) or not value:
            self.error("`when` must list canonical statuses", *at, hint="e.g. `when: [failed]`")
            return None
        for index, status in enumerate(value):
            if status not in CANONICAL_STATUSES:
                self.error(
                    f"{status!r} is not a canonical status",
                    *at,
                    index,
                    hint=f"one of {', '.join(CANONICAL_STATUSES)}",
                )
        return tuple(s for s in CANONICAL_STATUSES if s in value)

    # -- statuses ----------------------------------------------------------------------------------
    def _statuses(self, *, has_state: bool) -> list[ir.StatusWord]:
        raw = self.data.get("statuses")
        if has_state:
            if raw is not None:
                self.error(
                    "`statuses` maps the words of a status field; with `state` rules there is none",
                    "statuses",
                    hint="remove `statuses` or `state`",
                )
            return []
        if not isinstance(raw, dict) or not raw:
            self.error(
                "`statuses` must map canonical statuses to lists of the API's words",
                *(("statuses",) if "statuses" in self.data else ()),
                hint="e.g. `statuses: {pending: [queued], running: [started], ...}`",
            )
            return []
        seen: dict[str, str] = {}
        result: list[ir.StatusWord] = []
        for canonical, words in raw.items():
            if canonical not in CANONICAL_STATUSES:
                self.error(
                    f"unknown status {canonical!r}",
                    "statuses",
                    canonical,
                    hint=_hint(
                        close(str(canonical), CANONICAL_STATUSES),
                        f"canonical: {', '.join(CANONICAL_STATUSES)}",
                    ),
                )
                continue
            if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
                self.error(
                    f"status {canonical!r} must list the API's words for it",
                    "statuses",
                    canonical,
                    hint=f"e.g. `{canonical}: [{canonical}]`",
                )
                continue
            for index, word in enumerate(words):
                key = status_key(word)
                if key in seen:
                    self.error(
                        f"status word {word!r} is mapped twice ({seen[key]} and {canonical})",
                        "statuses",
                        canonical,
                        index,
                        hint="words are matched ignoring case: keep one",
                    )
                    continue
                seen[key] = canonical
                result.append(ir.StatusWord(word.strip(), canonical))
        return result

    def _state(
        self, api: ir.Api, job_model: _JobModel, operations: list[ir.JobOperation]
    ) -> list[ir.JobStateRule]:
        raw = self.data.get("state")
        if raw is None or not self.v2:
            return []
        if not isinstance(raw, list) or not raw:
            self.error(
                "`state` must be a list of rules `{status: ..., if: {...}}`",
                "state",
                hint="the last rule, without `if`, gives the status when no other holds",
            )
            return []
        rules: list[ir.JobStateRule] = []
        for index, rule in enumerate(raw):
            at: tuple[str | int, ...] = ("state", index)
            if not isinstance(rule, dict) or set(rule) - {"status", "if"}:
                self.error(
                    "a state rule is `{status: ..., if: {...}}`",
                    *at,
                    hint="e.g. `{status: failed, if: {present: failed_at}}`",
                )
                continue
            status = rule.get("status")
            if status not in CANONICAL_STATUSES:
                self.error(
                    f"state rule status {status!r} is not a canonical status",
                    *at,
                    "status",
                    hint=f"one of {', '.join(CANONICAL_STATUSES)}",
                )
                continue
            condition = None
            if "if" in rule:
                condition = self._condition(api, job_model, operations, rule["if"], (*at, "if"))
                if condition is None:
                    continue
            rules.append(ir.JobStateRule(str(status), condition))
        if rules and all(rule.condition is not None for rule in rules):
            self.warn(
                "no state rule without `if`: a job no rule matches counts as running",
                "state",
                hint="end with a fallback such as `{status: pending}`",
            )
        return rules

    def _condition(
        self,
        api: ir.Api,
        job_model: _JobModel,
        operations: list[ir.JobOperation],
        raw: object,
        at: tuple[str | int, ...],
    ) -> ir.JobCondition | None:
        kinds = ", ".join(CONDITION_KINDS)
        if not isinstance(raw, dict) or len(raw) != 1:
            self.error(
                "`if` holds one condition",
                *at,
                hint=f"one of {kinds}; for several, write several rules",
            )
            return None
        ((kind, value),) = raw.items()
        at = (*at, kind)
        if kind in ("present", "absent"):
            if not isinstance(value, str) or not value:
                self.error(
                    f"`{kind}` takes a dotted path",
                    *at,
                    hint=f"e.g. `{kind}: attributes.failed_at`",
                )
                return None
            if job_model.checkable and job_model.model is not None:
                self.resolve(api, job_model.model, value, at)
            return ir.JobCondition(kind, value)
        if kind == "equals":
            path = value.get("path") if isinstance(value, dict) else None
            values = value.get("values") if isinstance(value, dict) else None
            if (
                not isinstance(path, str)
                or not isinstance(values, list)
                or not values
                or not all(v is None or isinstance(v, str | int | float | bool) for v in values)
            ):
                self.error(
                    "`equals` takes a path and a list of values",
                    *at,
                    hint="e.g. `equals: {path: attributes.phase, values: [BUILDING]}`",
                )
                return None
            if job_model.checkable and job_model.model is not None:
                self.resolve(api, job_model.model, path, (*at, "path"))
            return ir.JobCondition(kind, path, tuple(values))
        if kind == "http_status":
            codes = value if isinstance(value, list) else [value]
            if not codes or not all(
                isinstance(c, int) and not isinstance(c, bool) and 100 <= c <= 599 for c in codes
            ):
                self.error("`http_status` takes HTTP status codes", *at, hint="e.g. [404, 410]")
                return None
            return ir.JobCondition(kind, "", tuple(codes))
        if kind == "errors":
            if value != "found":
                self.error(
                    f"the errors condition takes `found`, got {value!r}",
                    *at,
                    hint="write `errors: found`",
                )
                return None
            if not any(op.role in ("errors", "logs") for op in operations):
                self.error(
                    "`errors: found` needs an `errors` (or `logs`) operation",
                    *at,
                    hint="add it under `operations` with `error_messages`",
                )
                return None
            return ir.JobCondition(kind)
        self.error(
            f"unknown condition {kind!r}", *at, hint=_hint(close(str(kind), CONDITION_KINDS), kinds)
        )
        return None

    # -- paths in other responses ------------------------------------------------------------------
    def _response_path(
        self, api: ir.Api, operations: list[ir.JobOperation], role: str, key: str
    ) -> str | None:
        value = self.text(key, required=False)
        op = next((o for o in operations if o.role == role), None)
        if value is None:
            if op is not None and key not in self.data:
                self.error(
                    f"the `{role}` operation needs `{key}`: where its response holds them",
                    "operations",
                    role,
                    hint=f"add `{key}: <dotted path>` to the family",
                )
            return None
        if op is None:
            listed = self.data.get("operations")
            if not isinstance(listed, dict) or role not in listed:  # else: reported with it
                self.error(
                    f"`{key}` needs a `{role}` operation", key, hint=f"add `{role}:` to operations"
                )
            return None
        model = self._success_model(api, op)
        if model is None:
            self.error(
                f"operation {role!r} has no JSON object response for `{key}`",
                key,
                hint=f"name the operation whose response holds the {key.replace('_', ' ')}",
            )
            return None
        self.resolve(api, model, value, (key,))
        return value


def unwrap(type_: ir.TypeRef | None) -> ir.TypeRef:
    while isinstance(type_, ir.NullableType):
        type_ = type_.inner
    if isinstance(type_, ir.UnionType) and len(type_.options) == 1:
        return unwrap(type_.options[0])
    return type_ if type_ is not None else ir.ANY
