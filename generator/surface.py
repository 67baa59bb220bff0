"""The generated package's public API as a value, and the file that keeps it: `api-surface.json`.

The surface is built from the IR and the render views, so every annotation in it is the one users
read in the package. It names each thing by the dotted name users write:

| kind | symbol | facts |
|---|---|---|
| `api` | `client.<api>` | `class`: the API group class |
| `resource` | `client.<api>.<resource>` | `class` |
| `method` | `client.<api>.<resource>.<method>` (pagers too) | `returns`, `deprecated` (if so) |
| `parameter` | `<method>.<name>` | `annotation`, `default`, `required`, `position` (None: keyword-only) |
| `module` | `<package>.<api>.models` | (none: the API's models module) |
| `model` | `<package>.<api>.models.<Class>` | `use` (request, response, both, neither), `extra` |
| `field` | `<model>.<name>` | `wire`, `annotation`, `required`, `deprecated` (if so) |
| `enum` | `<package>.<api>.models.<Class>` | `values` (str, int, float) |
| `member` | `<enum>.<NAME>` | `value` |
| `job family` | `client.jobs.<name>` | `api`, `roles`, `parents` (the keyword arguments of get and list) |
| `method` | `client.jobs.<name>.create[_<creator>]` (its parameters as above) | `returns` |
| `job status` | `client.jobs.<name>.statuses["<word>"]` | `status` (the canonical status) |
| `job state` | `client.jobs.<name>.states["<status>"]` (no status field) | `when` (its rules' conditions) |

Each symbol also keeps where it comes from: the spec file (relative to the project's folder) and
the JSON pointer. Not the line: lines move with every edit above them, and the file would change
with them although the API did not; a change's message gives the line of what is in the spec now.

The file holds the surface, the package's version, a digest of the package's other files (did
anything but the API change?) and its release history (what the changelog is rendered from), one
symbol and one change per line so that its diffs read well. A file that cannot be read as such is
`Damaged`: the run treats the generation as a first one, with a warning.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from . import ir
from .changes import Change, Release
from .config import VERSION
from .diagnostics import Location
from .render.models import sent_and_read
from .render.pysource import py_str
from .render.views import Argument, FamilyView, PackageView

FILE = "api-surface.json"
FORMAT = "jobgen-api-surface 1"

Use = Literal["request", "response", "both", "neither"]


@dataclass(frozen=True)
class Symbol:
    """One public name of the package: its kind, the facts compared, and where it comes from."""

    kind: str
    facts: Mapping[str, Any]
    file: str  # the spec, relative to the project's folder
    pointer: str
    location: Location | None = None  # in this run's spec (with its line); None when read back

    def where(self) -> str:
        """`file:line #pointer` (without the line when read from an earlier surface)."""
        if self.location is not None:
            line = self.location.line
            if line is not None:
                return f"{self.file}:{line}" + (f" #{self.pointer}" if self.pointer else "")
        return self.file + (f" #{self.pointer}" if self.pointer else "")

    def same(self, other: Symbol) -> bool:
        return self.kind == other.kind and dict(self.facts) == dict(other.facts)


@dataclass(frozen=True)
class SurfaceFile:
    """What `api-surface.json` holds."""

    package: str
    version: str
    digest: str  # of the package's other files (`package_digest`): did anything else change?
    symbols: dict[str, Symbol]
    releases: tuple[Release, ...] = ()  # newest first


@dataclass(frozen=True)
class Damaged:
    """An `api-surface.json` that cannot be read, and why."""

    reason: str


# -------------------------------------------------------------------------------------------- build
def build_surface(project: ir.Project, view: PackageView, root: Path | None) -> dict[str, Symbol]:
    """The public API of the package rendered from `view`; spec files are named relative to `root`
    (None: as given)."""
    builder = _Builder(root)
    for api, api_view in zip(project.apis, view.apis, strict=True):
        builder.api(project.package, api, api_view)
    families = [family for api in project.apis for family in api.jobs]
    for family, family_view in zip(families, view.families, strict=True):
        builder.family(family, family_view)
    return dict(sorted(builder.symbols.items()))


class _Builder:
    def __init__(self, root: Path | None) -> None:
        self.symbols: dict[str, Symbol] = {}
        self._root = os.path.abspath(root) if root is not None else None
        self._files: dict[str, str] = {}

    def add(self, name: str, kind: str, location: Location, **facts: Any) -> None:
        file = self._files.get(location.file)
        if file is None:
            file = location.file
            if self._root is not None:
                file = os.path.relpath(os.path.abspath(location.file), self._root)
            file = Path(file).as_posix()
            self._files[location.file] = file
        self.symbols[name] = Symbol(kind, facts, file, location.pointer, location)

    def api(self, package: str, api: ir.Api, view: Any) -> None:
        group = f"client.{api.name}"
        self.add(group, "api", Location(api.source), **{"class": api.group_class})
        operations: dict[str, list[ir.Operation]] = {}
        for op in api.operations:
            operations.setdefault(op.resource, []).append(op)
        for resource, resource_view in zip(api.resources, view.resources, strict=True):
            ops = operations[resource.tag]
            name = f"{group}.{resource.attr}"
            self.add(name, "resource", ops[0].location, **{"class": resource.class_name})
            for op, op_view in zip(ops, resource_view.operations, strict=True):
                self.method(
                    f"{name}.{op_view.name}",
                    op,
                    op_view.positional,
                    op_view.keyword,
                    op_view.return_type.text,
                )
                pager = op_view.pager
                if pager is not None:
                    returns = f"Iterator[{pager.item_type.text}]"
                    self.method(f"{name}.{pager.name}", op, [], pager.keyword, returns)
        uses = model_uses(api)
        models = f"{package}.{api.name}.models"
        self.add(models, "module", Location(api.source))
        for model, model_view in zip(api.models, view.models, strict=True):
            name = f"{models}.{model.name}"
            extra = model_view.extra_annotation
            self.add(
                name,
                "model",
                model.location,
                use=uses.get(model.name, "neither"),
                extra=extra.text if extra is not None else None,
            )
            # A request model leaves out the server's read-only fields: they are not its API.
            field_views = {view.py_name: view for view in model_view.fields}
            for f in model.fields:
                field_view = field_views.get(f.py_name)
                if field_view is None:
                    continue
                self.add(
                    f"{name}.{f.py_name}",
                    "field",
                    model.location,
                    wire=f.wire_name,
                    annotation=field_view.annotation.text,
                    required=f.required,
                    **_deprecated(f.deprecated),
                )
        for enum in api.enums:
            name = f"{models}.{enum.name}"
            self.add(name, "enum", enum.location, values=enum.value_kind)
            for member in enum.members:
                value = json.dumps(member.value) if isinstance(member.value, str) else member.value
                self.add(f"{name}.{member.py_name}", "member", enum.location, value=value)

    def method(
        self,
        name: str,
        op: ir.Operation,
        positional: list[Argument],
        keyword: list[Argument],
        returns: str,
    ) -> None:
        self.add(name, "method", op.location, returns=returns, **_deprecated(op.deprecated))
        for position, argument in enumerate(positional):
            self.parameter(f"{name}.{argument.name}", op, argument, position)
        for argument in keyword:
            self.parameter(f"{name}.{argument.name}", op, argument, None)

    def parameter(
        self, name: str, op: ir.Operation, argument: Argument, position: int | None
    ) -> None:
        self._argument(name, op.location, argument, position)

    def _argument(
        self, name: str, location: Location, argument: Argument, position: int | None
    ) -> None:
        default = argument.default
        self.add(
            name,
            "parameter",
            location,
            annotation=argument.annotation.text,
            default=default.text if default is not None else None,
            required=argument.required,
            position=position,
        )

    def family(self, family: ir.JobFamily, view: FamilyView) -> None:
        name = f"client.jobs.{family.name}"
        roles = sorted(
            {op.role for op in family.operations} | ({"cancel"} if family.cancel else set())
        )
        parents = [argument.name for argument in view.parents]
        self.add(name, "job family", family.location, api=family.api, roles=roles, parents=parents)
        for creator in view.creators:
            method = f"{name}.{creator.method}"
            self.add(method, "method", family.location, returns="Job")
            for position, argument in enumerate(creator.positional):
                self._argument(f"{method}.{argument.name}", family.location, argument, position)
            for argument in creator.keyword:
                self._argument(f"{method}.{argument.name}", family.location, argument, None)
        for word in family.statuses:
            self.add(
                f"{name}.statuses[{py_str(word.word)}]",
                "job status",
                family.location,
                status=word.status,
            )
        # A family without a status field reaches each status by its state rules, the first that
        # holds deciding: a rule's place is part of what it means.
        conditions: dict[str, list[str]] = {}
        for number, rule in enumerate(family.state, start=1):
            text = f"{_condition_text(rule.condition)} (rule {number})"
            conditions.setdefault(rule.status, []).append(text)
        for status, when in conditions.items():
            self.add(f"{name}.states[{py_str(status)}]", "job state", family.location, when=when)


def _condition_text(condition: ir.JobCondition | None) -> str:
    if condition is None:
        return "always"
    values = ", ".join(json.dumps(value) for value in condition.values)
    return " ".join(part for part in (condition.kind, condition.path, values) if part)


def _deprecated(deprecated: bool) -> dict[str, bool]:
    # Said only of what is deprecated: the file stays short, and a deprecation is one line's change.
    return {"deprecated": True} if deprecated else {}


def model_uses(api: ir.Api) -> dict[str, Use]:
    """Whether each model (and enum) of an API is sent (request), read (response), or both."""
    request, response = sent_and_read(api)
    uses: dict[str, Use] = {}
    for name in request | response:
        uses[name] = (
            "both"
            if name in request and name in response
            else "request"
            if name in request
            else "response"
        )
    return uses


# ----------------------------------------------------------------------------------------- the file
# One encoder for the whole file: `json.dumps(..., sort_keys=True)` would build a new one per value.
_SORTED_JSON = json.JSONEncoder(sort_keys=True)


def surface_text(found: SurfaceFile) -> str:
    """The file's text: JSON with one symbol and one change per line (ASCII)."""

    dumps = _SORTED_JSON.encode

    lines = ["{", f'  "format": {dumps(FORMAT)},', f'  "package": {dumps(found.package)},']
    lines.append(f'  "version": {dumps(found.version)},')
    lines.append(f'  "digest": {dumps(found.digest)},')
    symbols, releases = found.symbols, found.releases
    lines.append('  "symbols": {')
    entries = [
        f"    {dumps(name)}: {json.dumps(_entry(symbol))}" for name, symbol in symbols.items()
    ]
    lines.append(",\n".join(entries))
    lines.append("  },")
    lines.append('  "releases": [')
    blocks: list[str] = []
    for release in releases:
        head = f'    {{"version": {dumps(release.version)}, "first": {dumps(release.first)}, "changes": ['
        changes = ",\n".join(f"      {dumps(c.as_json())}" for c in release.changes)
        blocks.append(head + ("\n" + changes + "\n    ]}" if changes else "]}"))
    lines.append(",\n".join(blocks))
    lines.append("  ]")
    lines.append("}")
    return "\n".join(line for line in lines if line) + "\n"


def _entry(symbol: Symbol) -> dict[str, Any]:
    """A symbol as the file writes it: its kind first, its facts, where it comes from last."""
    return {
        "kind": symbol.kind,
        **dict(sorted(symbol.facts.items())),
        "at": [symbol.file, symbol.pointer],
    }


def read_surface(text: str) -> SurfaceFile | Damaged:
    """The file's content, or why it cannot be read."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        return Damaged(f"not JSON ({exc})")
    try:
        if data.get("format") != FORMAT:
            return Damaged(f"not of the format {FORMAT!r}")
        package, version, digest = data["package"], data["version"], data["digest"]
        if not all(isinstance(v, str) for v in (package, version, digest)):
            raise TypeError("package, version and digest are strings")
        if not VERSION.match(version):
            return Damaged(f"its version {version!r} is not a PEP 440 version")
        symbols = {str(name): _symbol(entry) for name, entry in data["symbols"].items()}
        releases = tuple(_release(entry) for entry in data["releases"])
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        return Damaged(f"not of the expected shape ({type(exc).__name__}: {exc})")
    return SurfaceFile(package, version, digest, symbols, releases)


def package_digest(files: Mapping[str, str], leave_out: Iterable[str]) -> str:
    """sha256 of the package's files but those in `leave_out` (by path and text)."""
    skipped = set(leave_out)
    digest = hashlib.sha256()
    for path in sorted(files):
        if path not in skipped:
            for part in (path, files[path]):
                data = part.encode("utf-8")
                digest.update(b"%d\0" % len(data) + data)
    return digest.hexdigest()


def _symbol(entry: dict[str, Any]) -> Symbol:
    facts = dict(entry)
    kind = facts.pop("kind")
    file, pointer = facts.pop("at")
    if not all(isinstance(v, str) for v in (kind, file, pointer)):
        raise TypeError("kind, at")
    for name, value in facts.items():
        # What the comparison reads: a scalar, or a list of strings (a family's roles).
        scalar = value is None or isinstance(value, bool | int | float | str)
        if not scalar and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise TypeError(f"the fact {name!r} of a symbol of kind {kind!r}")
    return Symbol(kind, facts, file, pointer)


def _release(entry: dict[str, Any]) -> Release:
    version, first = entry["version"], entry["first"]
    if not isinstance(version, str) or not isinstance(first, bool):
        raise TypeError("a release's version is a string, `first` true or false")
    if not VERSION.match(version):
        raise ValueError(f"a release's version {version!r} is not a PEP 440 version")
    changes = tuple(Change.from_json(item) for item in entry["changes"])
    return Release(version, changes, first)
