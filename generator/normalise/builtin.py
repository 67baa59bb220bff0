"""Built-in job profiles: the families jobgen ships for the published job APIs (`generator/profiles/`).

A built-in file is a version 2 profile with a `specs` section that names each spec it refers to by an
alias and says how that spec is recognised by its content: its title (one of `title`) and paths (all
of `paths`), compared case-insensitively, whatever the file is called. The aliases in the families'
`api` (and their creators') are bound here to the configured APIs recognised; a family without `name`
takes its API's configured name, as a version 1 family does.

What a built-in cannot be given is left out of it: a creator whose spec is not configured, or whose
operation the recognised spec does not have (the project's own specs are the job endpoints alone).
A family whose own spec is not configured does not apply at all.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import ir
from ..load import Document, load_document
from .read import ProfileEntry

#: Where the built-in profiles are, inside the package (and so in the wheel).
BUILTIN_DIR = Path(__file__).resolve().parent.parent / "profiles"
_OPERATION = re.compile(r"^\s*(GET|POST|PUT|PATCH|DELETE)\s+(/\S*)\s*$")


@dataclass(frozen=True)
class SpecMatch:
    """How a built-in recognises a spec: one of `titles`, every one of `paths` (case-insensitive)."""

    titles: tuple[str, ...]
    paths: tuple[str, ...]

    def recognises(self, api: ir.Api) -> bool:
        if api.title.strip().casefold() not in {t.strip().casefold() for t in self.titles}:
            return False
        present = {op.path.casefold() for op in api.operations}
        return all(path.casefold() in present for path in self.paths)


@dataclass(frozen=True)
class BuiltinFile:
    """One built-in profile file: its document, its spec aliases and its families' mappings."""

    doc: Document
    specs: Mapping[str, SpecMatch]
    families: tuple[tuple[str, dict[str, Any]], ...]  # (pointer, mapping)

    @property
    def name(self) -> str:
        return Path(self.doc.path).name


def builtin_files(folder: Path = BUILTIN_DIR) -> list[BuiltinFile]:
    """Every built-in profile file, by file name. They ship with jobgen: a broken one is a bug."""
    files = []
    for path in sorted(folder.glob("*.yaml")):
        doc = load_document(path, f"jobgen/profiles/{path.name}")
        data = doc.data
        specs = {
            alias: SpecMatch(tuple(rule["title"]), tuple(rule["paths"]))
            for alias, rule in data["specs"].items()
        }
        families = tuple((f"/jobs/{index}", family) for index, family in enumerate(data["jobs"]))
        files.append(BuiltinFile(doc, specs, families))
    return files


def recognised(specs: Mapping[str, SpecMatch], apis: Iterable[ir.Api]) -> dict[str, ir.Api]:
    """Each alias bound to the first configured API (in configuration order) it recognises."""
    bound: dict[str, ir.Api] = {}
    listed = list(apis)
    for alias, match in specs.items():
        found = next((api for api in listed if match.recognises(api)), None)
        if found is not None:
            bound[alias] = found
    return bound


def builtin_entries(
    apis: Iterable[ir.Api], files: Iterable[BuiltinFile] | None = None
) -> list[ProfileEntry]:
    """The built-in families that apply to the configured `apis`, bound to them (not yet checked)."""
    listed = list(apis)
    entries = []
    for builtin in builtin_files() if files is None else files:
        bound = recognised(builtin.specs, listed)
        for pointer, family in builtin.families:
            data = _bound(family, bound)
            if data is not None:
                entries.append(ProfileEntry(builtin.doc, pointer, data, 2))
    return entries


def _has(api: ir.Api, value: object) -> bool:
    match = _OPERATION.match(value) if isinstance(value, str) else None
    return match is not None and any(
        op.method == match.group(1) and op.path == match.group(2) for op in api.operations
    )


def _bound(family: dict[str, Any], bound: Mapping[str, ir.Api]) -> dict[str, Any] | None:
    """The family's mapping with its aliases replaced by the configured API names, or None when its
    own spec is not configured."""
    own = bound.get(family["api"])
    if own is None:
        return None
    data = copy.deepcopy(family)
    data["api"] = own.name
    data.setdefault("name", own.name)
    creators = data.get("operations", {}).get("create")
    if isinstance(creators, dict) and "operation" not in creators:
        for creator, value in list(creators.items()):
            owner = own
            operation = value
            if isinstance(value, dict):
                found = bound.get(value.get("api", family["api"]))
                if found is None:
                    del creators[creator]
                    continue
                owner = found
                value["api"] = found.name
                operation = value.get("operation")
            if not _has(owner, operation):
                del creators[creator]
        if not creators:
            del data["operations"]["create"]
    return data
