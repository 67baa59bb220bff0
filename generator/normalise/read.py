"""Reading job-profile files: each job family's mapping, where it is, and in which version."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, Level, join_pointer
from ..load import Document, load_document

#: Where each version keeps its list of job families.
LIST_KEY = {1: "profiles", 2: "jobs"}


@dataclass(frozen=True)
class ProfileEntry:
    """One job family's mapping in a profile file."""

    doc: Document
    pointer: str  # of the mapping in the file: `/profiles/0`, `/jobs/2`
    data: dict[str, Any]
    version: int


def read_profiles(path: Path, errors: list[Diagnostic]) -> list[ProfileEntry]:
    """The job families of one profile file; what is wrong with the file itself goes to `errors`.

    A file that cannot be loaded at all raises `InputError`, as any unreadable input does.
    """
    doc = load_document(path)
    data = doc.data

    def error(message: str, pointer: str = "") -> list[ProfileEntry]:
        errors.append(Diagnostic(Level.ERROR, message, doc.location(pointer), "profile"))
        return []

    if not isinstance(data, dict):
        return error(
            "a job-profile file is a mapping; hint: `version: 2` and a `jobs` list "
            "(or `version: 1` and a `profiles` list)"
        )
    version = data.get("version", 1)
    if version not in LIST_KEY or isinstance(version, bool):
        return error(
            f"unsupported profile version {version!r}; hint: write `version: 2` (or 1)",
            "/version",
        )
    key = LIST_KEY[version]
    other = LIST_KEY[3 - version]
    if not isinstance(data.get(key), list):
        if other in data:
            return error(
                f"a version {version} profile file lists its job families under `{key}`, "
                f"not `{other}`; hint: rename the key, or set `version: {3 - version}`",
                f"/{other}",
            )
        return error(
            f"a job-profile file of version {version} needs a `{key}` list; hint: "
            f"`{key}:` followed by one mapping per job family"
        )
    for extra in sorted(set(data) - {"version", key}):
        error(
            f"unknown top-level key {extra!r}; hint: a profile file has `version` and `{key}`",
            f"/{extra}",
        )
    entries = []
    for index, profile in enumerate(data[key]):
        pointer = join_pointer(f"/{key}", index)
        if not isinstance(profile, dict):
            error(
                "a job family is a mapping; hint: give it keys such as `api`, `job_param`, "
                "`operations`",
                pointer,
            )
            continue
        entries.append(ProfileEntry(doc, pointer, profile, version))
    return entries
