"""`jobgen profiles suggest`: a commented version 2 profile drafted from the specs themselves.

For each job-like resource of a spec (`coverage.py`: a collection whose path names jobs, imports,
exports, releases, requests, runs or tasks, and its items), the draft says:
- operations by shape: `GET /x/jobs` lists, `POST /x/jobs` creates, `GET /x/jobs/{id}` gets,
  `.../{id}/errors`, `/logs` and `/file` are what they say; other POSTs of the spec whose answer
  holds the same job object are further creators;
- cancel: `POST .../{id}/cancel` (accepted in the status words its description names), else a
  `DELETE` of the item (a guess: it may delete a record rather than stop a job);
- the envelope (`data` when the answer has it) and, in the job object, the fields by name:
  `id`; `status` (or `state`); times named `created_at`, `updated_at`, `started_at`,
  `finished_at`/`completed_at`/`ended_at`; the kind (`job_type`, `kind`, or a `type` below the top);
  an error text and result links (guesses);
- the status words the spec names: the status field's enum and examples, the words its description
  (and the description of the resource's tag) lists, and filter examples `eq(status,X)`; each is
  sorted by the vocabulary's table of known words (`KNOWN_WORDS`), anything else goes under
  `running`, marked `# GUESS`. A job object with no status field gets `state` rules from its
  times instead.

Every guess that may be wrong is marked `# GUESS` on its line. The draft is checked like any profile
when it is used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from .. import ir
from ..jobs_vocabulary import CANONICAL_STATUSES, TERMINAL_STATUSES, guess_status, status_key
from ..load import Document
from .check import unwrap
from .coverage import JobLikeResource, job_like_resources
from .statuses import words_at

_PLACEHOLDER = re.compile(r"{([^}]+)}")
_LIST_ITEM = re.compile(
    r"^\s*[-*]\s+[`*]*([A-Za-z][A-Za-z0-9_-]*)[`*]*\s*(?::|-|\u2013|\u2014)", re.M
)
_FILTER = re.compile(r"eq\(\s*status\s*,\s*([A-Za-z][\w-]*)\s*\)", re.I)
_FINISHED = ("finished_at", "completed_at", "ended_at")
_KINDS = ("job_type", "kind")
_ERRORS = ("error", "error_message", "failure_reason", "errors")
_LINKS = ("file_locations", "files", "file_urls", "download_url", "download_urls")
_MESSAGES = ("message", "detail", "title")


@dataclass
class Guess:
    """A value of the draft, and whether it is a guess that needs checking."""

    value: str
    guess: bool = False
    why: str = ""


@dataclass
class Draft:
    """One job family as drafted."""

    name: str
    api: str
    resource: str  # the collection's path
    job_param: str
    envelope: str
    resource_type: Guess | None
    creators: dict[str, Guess]  # name -> "METHOD /path"
    operations: dict[str, str]  # role -> "METHOD /path" (list, get, errors, logs, file)
    cancel: Guess | None
    cancel_from: list[str]
    fields: dict[str, Guess]
    statuses: dict[str, list[Guess]]  # canonical -> words
    state: list[tuple[str, str | None]]  # (canonical, the time field whose presence gives it)
    file_link: Guess | None = None
    error_messages: Guess | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def guesses(self) -> int:
        values: list[Guess | None] = [
            self.resource_type,
            self.cancel,
            self.file_link,
            self.error_messages,
            *self.fields.values(),
            *self.creators.values(),
            *(word for words in self.statuses.values() for word in words),
        ]
        return sum(1 for value in values if value is not None and value.guess)


# -- walking the job object --------------------------------------------------------------------------


def _paths(
    models: Mapping[str, ir.Model], model: ir.Model, depth: int = 3
) -> Iterator[tuple[str, ir.Field, int]]:
    """Every (dotted path, field, depth) of `model`, breadth first; arrays as `name[]`."""
    queue: list[tuple[str, ir.Model, int]] = [("", model, 0)]
    while queue:
        prefix, current, level = queue.pop(0)
        for each in current.fields:
            type_ = unwrap(each.type)
            fan_out = isinstance(type_, ir.ListType)
            path = prefix + each.wire_name + ("[]" if fan_out else "")
            yield path, each, level
            inner = unwrap(type_.item) if isinstance(type_, ir.ListType) else type_
            if isinstance(inner, ir.ModelRef) and inner.name in models and level + 1 < depth:
                queue.append((path + ".", models[inner.name], level + 1))


def _leaf(path: str) -> str:
    return path.rsplit(".", 1)[-1].removesuffix("[]")


def _find(found: list[tuple[str, ir.Field, int]], names: tuple[str, ...]) -> str | None:
    """The shallowest path whose last name is one of `names` (in their order of preference)."""
    for name in names:
        for path, _, _ in sorted(found, key=lambda item: item[2]):
            if _leaf(path) == name and not path.endswith("[]." + name):
                return path
    return None


def _model_at(api: ir.Api, op: ir.Operation, envelope: str) -> ir.Model | None:
    models = {m.name: m for m in api.models}
    for response in op.success_responses:
        type_ = unwrap(response.json_type)
        if not isinstance(type_, ir.ModelRef) or type_.name not in models:
            continue
        model = models[type_.name]
        if not envelope:
            return model
        inner = next((f for f in model.fields if f.wire_name == envelope), None)
        if inner is None:
            continue
        type_ = unwrap(inner.type)
        if isinstance(type_, ir.ListType):
            type_ = unwrap(type_.item)
        if isinstance(type_, ir.ModelRef):
            return models.get(type_.name)
    return None


def _envelope(api: ir.Api, op: ir.Operation) -> str:
    models = {m.name: m for m in api.models}
    for response in op.success_responses:
        type_ = unwrap(response.json_type)
        if isinstance(type_, ir.ModelRef) and type_.name in models:
            names = {f.wire_name for f in models[type_.name].fields}
            return "data" if "data" in names else ""
    return "data"


def _single_value(api: ir.Api, field_: ir.Field) -> Guess | None:
    type_ = unwrap(field_.type)
    if isinstance(type_, ir.LiteralType) and len(type_.values) == 1:
        return Guess(str(type_.values[0]))
    if isinstance(type_, ir.EnumRef):
        enum = next((e for e in api.enums if e.name == type_.name), None)
        if enum is not None and len(enum.members) == 1:
            return Guess(str(enum.members[0].value))
    quoted = re.findall(r"`([A-Za-z][\w-]*)`", field_.description)
    if len(quoted) == 1:
        return Guess(quoted[0], True, "from the description of `type`")
    return None


# -- the draft of one resource -----------------------------------------------------------------------


class _Drafter:
    def __init__(self, api: ir.Api, doc: Document) -> None:
        self.api = api
        self.doc = doc
        self.models = {m.name: m for m in api.models}

    def draft(self, resource: JobLikeResource, name: str) -> Draft | None:
        collection = resource.path
        by_route = {(op.method, op.path): op for op in resource.operations}
        # An item is the collection's path and a parameter: `/x/jobs/{id}`, whether or not an
        # operation has that very path (promotions only has `.../{jobID}/cancel` and `/file`).
        items = sorted(
            {
                collection + "/" + op.path[len(collection) + 1 :].split("/", 1)[0]
                for op in resource.operations
                if op.path != collection
            }
        )
        item = items[0] if items else None
        params = _PLACEHOLDER.findall(item[len(collection) :]) if item else []
        job_param = params[0] if params else ""
        operations: dict[str, str] = {}
        if ("GET", collection) in by_route:
            operations["list"] = f"GET {collection}"
        if item and ("GET", item) in by_route:
            operations["get"] = f"GET {item}"
        reading = by_route.get(("GET", item)) if item else None
        reading = reading or by_route.get(("GET", collection))
        if reading is None or not job_param:
            return None
        envelope = _envelope(self.api, reading)
        job = _model_at(self.api, reading, envelope)
        if job is None:
            return None
        for role in ("errors", "logs", "file"):
            if item and ("GET", f"{item}/{role}") in by_route:
                operations[role] = f"GET {item}/{role}"
        found = list(_paths(self.models, job))
        fields = self._fields(found)
        status_path = fields["status"].value if "status" in fields else None
        creators = self._creators(collection, job, envelope)
        cancel, cancel_from = None, []
        words = self._status_words(resource, status_path, envelope, found)
        statuses = _sorted_words(words)
        if status_path and not statuses:
            unsure = "the spec names no status words"
            statuses = {
                status: [Guess(status, True, unsure)]
                for status in ("pending", "running", "succeeded", "failed")
            }
        if item and ("POST", f"{item}/cancel") in by_route:
            cancel = Guess(f"POST {item}/cancel")
            text = by_route[("POST", f"{item}/cancel")].description
            cancel_from = [
                word.value
                for word in words
                if re.search(r"(?<![\w-])" + re.escape(word.value) + r"(?![\w-])", text, re.I)
                and (guess_status(word.value) or "running") not in TERMINAL_STATUSES
                and guess_status(word.value) != "cancelling"
            ]
        elif item and ("DELETE", item) in by_route:
            cancel = Guess(
                f"DELETE {item}", True, "a DELETE may delete a record rather than stop the job"
            )
        draft = Draft(
            name=name,
            api=self.api.name,
            resource=collection,
            job_param=job_param,
            envelope=envelope,
            resource_type=self._resource_type(job),
            creators=creators,
            operations=operations,
            cancel=cancel,
            cancel_from=cancel_from,
            fields=fields,
            statuses=statuses,
            state=[] if status_path else _state(fields),
        )
        if "file" in operations:
            draft.file_link = self._response_path(operations["file"], ("href", "url"))
        if "errors" in operations:
            draft.error_messages = self._response_path(operations["errors"], _MESSAGES)
        return draft

    def _fields(self, found: list[tuple[str, ir.Field, int]]) -> dict[str, Guess]:
        fields: dict[str, Guess] = {}
        top = {path for path, _, level in found if level == 0}
        if "id" in top:
            fields["id"] = Guess("id")
        kind = _find(found, _KINDS) or next(
            (path for path, _, level in found if level > 0 and _leaf(path) == "type"), None
        )
        if kind:
            fields["kind"] = Guess(kind, not kind.endswith("job_type"), "the job's kind")
        status = _find(found, ("status", "state", "job_status"))
        if status:
            fields["status"] = Guess(status, _leaf(status) != "status")
        else:
            # An enum whose values look like statuses, whatever it is called.
            for path, each, _ in sorted(found, key=lambda item: item[2]):
                values = self._enum_values(each)
                known = [v for v in values if guess_status(v) is not None]
                if len(values) >= 2 and len(known) * 2 >= len(values):
                    fields["status"] = Guess(path, True, "its values look like statuses")
                    break
        times = (
            ("created_at", ("created_at",)),
            ("updated_at", ("updated_at",)),
            ("started_at", ("started_at",)),
            ("finished_at", _FINISHED),
        )
        # Times kept together: the object that holds the most of them (`meta.timestamps` rather
        # than `attributes` when both have `created_at`), then the shallowest.
        holders: dict[str, int] = {}
        for path, _, _ in found:
            if any(_leaf(path) in names for _, names in times):
                parent = path.rpartition(".")[0]
                holders[parent] = holders.get(parent, 0) + 1
        for name, candidates in times:
            paths = [p for p, _, _ in found if _leaf(p) in candidates and "[]" not in p]
            if paths:
                best = min(
                    paths,
                    key=lambda p: (
                        -holders[p.rpartition(".")[0]],
                        p.count("."),
                        candidates.index(_leaf(p)),
                    ),
                )
                fields[name] = Guess(best)
        error = _find(found, _ERRORS)
        if error:
            fields["error"] = Guess(error, True, "an error text")
        links = _find(found, _LINKS)
        if links is None:
            links = next((p for p, _, _ in found if p.endswith(("link.href", "links.href"))), None)
        if links:
            fields["result_links"] = Guess(links, True, "where the results are")
        return fields

    def _enum_values(self, field_: ir.Field) -> list[str]:
        type_ = unwrap(field_.type)
        if isinstance(type_, ir.LiteralType):
            return [v for v in type_.values if isinstance(v, str)]
        if isinstance(type_, ir.EnumRef):
            enum = next((e for e in self.api.enums if e.name == type_.name), None)
            return [str(m.value) for m in enum.members] if enum is not None else []
        return []

    def _resource_type(self, job: ir.Model) -> Guess | None:
        kind = next((f for f in job.fields if f.wire_name == "type"), None)
        return _single_value(self.api, kind) if kind is not None else None

    def _creators(self, collection: str, job: ir.Model, envelope: str) -> dict[str, Guess]:
        creators: dict[str, Guess] = {}
        for op in self.api.operations:
            if op.method != "POST" or op.path.endswith("/cancel"):
                continue
            if op.path == collection:
                creators["create"] = Guess(f"POST {op.path}")
            elif (made := _model_at(self.api, op, envelope)) is not None and made.name == job.name:
                creators[op.py_name] = Guess(f"POST {op.path}", True, "its answer is this job")
        if len(creators) > 1 and "create" in creators:
            # The collection's own POST first: it is `create`.
            creators = {"create": creators.pop("create"), **creators}
        return creators

    def _response_path(self, route: str, names: tuple[str, ...]) -> Guess | None:
        method, path = route.split(" ", 1)
        op = next(o for o in self.api.operations if o.method == method and o.path == path)
        model = _model_at(self.api, op, "")
        if model is None:
            return None
        found = _find(list(_paths(self.models, model, 4)), names)
        return Guess(found, True, "where the answer holds it") if found else None

    def _status_words(
        self,
        resource: JobLikeResource,
        status_path: str | None,
        envelope: str,
        found: list[tuple[str, ir.Field, int]],
    ) -> list[Guess]:
        if status_path is None:
            return []
        segments = [s for s in envelope.split(".") if s] + [
            s.removesuffix("[]") for s in status_path.split(".")
        ]
        pointers = [op.location.pointer for op in resource.operations]
        words: list[Guess] = [
            Guess(w.word) for w in words_at(self.doc, pointers, segments) if w.source == "enum"
        ]
        words += [
            Guess(w.word) for w in words_at(self.doc, pointers, segments) if w.source != "enum"
        ]
        texts = [f.description for p, f, _ in found if p == status_path]
        texts += [op.description for op in resource.operations]
        texts += self._tag_texts(resource)
        for text in texts:
            if "status" in text.casefold():
                words += [
                    Guess(w, True, "listed in a description") for w in _LIST_ITEM.findall(text)
                ]
            words += [Guess(w, True, "in a filter example") for w in _FILTER.findall(text)]
        seen: dict[str, Guess] = {}
        for word in words:
            key = status_key(word.value)
            if key not in seen:
                seen[key] = word
        # A word from a description is kept when the table knows it, or when nothing else names
        # the statuses (no enum, no example).
        certain = any(not w.guess for w in seen.values())
        return [
            w
            for w in seen.values()
            if not w.guess or guess_status(w.value) is not None or not certain
        ]

    def _tag_texts(self, resource: JobLikeResource) -> list[str]:
        tags = self.doc.data.get("tags") if isinstance(self.doc.data, dict) else None
        wanted = {op.resource for op in resource.operations}
        return [
            str(tag.get("description") or "")
            for tag in tags or []
            if isinstance(tag, dict) and tag.get("name") in wanted
        ]


def _sorted_words(words: list[Guess]) -> dict[str, list[Guess]]:
    statuses: dict[str, list[Guess]] = {status: [] for status in CANONICAL_STATUSES}
    for word in words:
        canonical = guess_status(word.value)
        if canonical is None:
            statuses["running"].append(Guess(word.value, True, "not a word the table knows"))
        else:
            statuses[canonical].append(Guess(word.value, word.guess, word.why))
    return {status: found for status, found in statuses.items() if found}


def _state(fields: Mapping[str, Guess]) -> list[tuple[str, str | None]]:
    rules: list[tuple[str, str | None]] = []
    if "error" in fields:
        rules.append(("failed", fields["error"].value))
    if "finished_at" in fields:
        rules.append(("succeeded", fields["finished_at"].value))
    if "started_at" in fields:
        rules.append(("running", fields["started_at"].value))
    rules.append(("pending", None))
    return rules


def suggest(apis: list[tuple[ir.Api, Document]]) -> list[Draft]:
    """A draft for each job-like resource of each API, in the order of the APIs and resources."""
    drafts: list[Draft] = []
    for api, doc in apis:
        resources = job_like_resources(api)
        drafter = _Drafter(api, doc)
        for resource in resources:
            segment = resource.path.rsplit("/", 1)[-1].casefold()
            name = (
                api.name
                if len(resources) == 1
                else f"{api.name.removesuffix('s')}_{re.sub(r'[^a-z0-9_]', '_', segment)}"
            )
            found = drafter.draft(resource, name)
            if found is not None:
                drafts.append(found)
    return drafts


# -- the YAML -----------------------------------------------------------------------------------------


def _q(text: str) -> str:
    """A YAML scalar: plain when safe, else a JSON string (which YAML reads the same)."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-\[\]]*", text) and text.casefold() not in (
        "true",
        "false",
        "yes",
        "no",
        "on",
        "off",
        "null",
        "y",
        "n",
    ):
        return text
    return json.dumps(text)


def _line(text: str, value: Guess | None = None) -> str:
    if value is not None and value.guess:
        return f"{text}  # GUESS" + (f": {value.why}" if value.why else "")
    return text


def render(drafts: list[Draft], sources: list[str]) -> str:
    """The drafts as one commented version 2 profile file."""
    out = [
        "# Job profile drafted by `jobgen profiles suggest` from " + ", ".join(sources) + ".",
        "# Check every line marked `# GUESS`; the generator checks the rest against the spec.",
        "# Status words are sorted by the table of known words (README, `jobgen profiles",
        "# suggest`); a word the table does not know is put under `running`.",
        "version: 2",
        "jobs:",
    ]
    if not drafts:
        out[-1] = "jobs: []  # no job-like resources found"
    for draft in drafts:
        out.append(f"  - name: {draft.name}")
        out.append(f"    api: {draft.api}")
        if draft.resource_type is not None:
            out.append(
                _line(f"    resource_type: {_q(draft.resource_type.value)}", draft.resource_type)
            )
        else:
            out.append("    # resource_type: the job object has no `type` with one value")
        out.append(f"    job_param: {_q(draft.job_param)}")
        out.append(f"    envelope: {_q(draft.envelope) if draft.envelope else json.dumps('')}")
        out.append("    operations:")
        if len(draft.creators) == 1 and "create" in draft.creators:
            out.append(f"      create: {_q(draft.creators['create'].value)}")
        elif draft.creators:
            out.append("      create:")
            for name, route in draft.creators.items():
                out.append(_line(f"        {name}: {_q(route.value)}", route))
        for role in ("list", "get", "errors", "logs", "file"):
            if role in draft.operations:
                out.append(f"      {role}: {_q(draft.operations[role])}")
        if draft.file_link is not None:
            out.append(_line(f"    file_link: {_q(draft.file_link.value)}", draft.file_link))
        if draft.error_messages is not None:
            out.append(
                _line(f"    error_messages: {_q(draft.error_messages.value)}", draft.error_messages)
            )
        if "logs" in draft.operations:
            out.append("    log_messages: ...  # GUESS: where the logs answer holds each message")
        if draft.cancel is not None:
            if draft.cancel_from:
                out.append("    cancel:")
                out.append(_line(f"      operation: {_q(draft.cancel.value)}", draft.cancel))
                allowed = ", ".join(_q(w) for w in draft.cancel_from)
                out.append(f"      from: [{allowed}]  # GUESS: the words its description names")
            else:
                out.append(_line(f"    cancel: {_q(draft.cancel.value)}", draft.cancel))
        out.append("    fields:")
        for name, value in draft.fields.items():
            out.append(_line(f"      {name}: {_q(value.value)}", value))
        if draft.statuses:
            out.append("    statuses:")
            for canonical, words in draft.statuses.items():
                listed = ", ".join(_q(w.value) for w in words)
                unsure = [w for w in words if w.guess]
                comment = (
                    "  # GUESS: " + "; ".join(f"{w.value}: {w.why}" for w in unsure)
                    if unsure
                    else ""
                )
                out.append(f"      {canonical}: [{listed}]{comment}")
        elif draft.state:
            out.append("    # GUESS: no status field; the state comes from which times are set")
            out.append("    state:")
            for canonical, path in draft.state:
                if path is None:
                    out.append(f"      - {{status: {canonical}}}")
                else:
                    out.append(f"      - {{status: {canonical}, if: {{present: {_q(path)}}}}}")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def draft_profile(specs: tuple[str, ...]) -> tuple[str, list[Draft]]:
    """The commented draft profile for `specs` (files; each API named by its file's stem), and
    the drafts in it. Raises `InputError` for a spec that cannot be read, as `validate` does."""
    from pathlib import Path

    from ..diagnostics import Collector
    from ..load import load_document
    from ..pipeline import ad_hoc_config, build_project
    from ..repair import apply_repairs
    from ..validate import check_openapi

    project, _ = build_project(ad_hoc_config(specs, "unused", "unused", (), False))
    apis = []
    for api in project.apis:
        doc = load_document(Path(api.source), api.source)
        check_openapi(doc)
        apply_repairs(doc, Collector())  # as the pipeline read it: pointers and examples agree
        apis.append((api, doc))
    drafts = suggest(apis)
    return render(drafts, list(specs)), drafts
