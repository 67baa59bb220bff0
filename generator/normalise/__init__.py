"""Stage 3, normalise: job profiles -> checked `ir.JobFamily` entries on the APIs that read them.

A job profile (YAML, see specs/jobs.yaml and the README) says declaratively how an API spells a job:
which operations create, list, get and cancel it, where its id, kind, status, times, error and result
links sit inside the job object, and how its status words (or, for jobs with no status field, its
`state` rules) map onto the canonical statuses. This stage checks every claim against the parsed
specs and reports every problem of every profile at once, each with the profile's file, line and
pointer and a hint; then it checks the status words against what the specs themselves name (their
enums and examples), and warns about job-like resources no family covers. Adding a job API is
writing a profile; no generator code changes.

Version 1 files (`profiles:`, one family per API, named after it) are read as they always were;
version 2 (`jobs:`) adds names, several families per API, creators in other APIs, jobs without a
resource type, cancel effects, `when` on fields, and `state` rules.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

from .. import ir
from ..diagnostics import Collector, Diagnostic, InputError, Level, Location
from ..jobs_vocabulary import guess_status, status_key
from ..load import Document
from .check import FamilyChecker
from .coverage import JobLikeResource, job_like_resources, uncovered_job_resources
from .read import ProfileEntry, read_profiles
from .statuses import SpecText, spec_status_words

__all__ = [
    "JobLikeResource",
    "apply_profiles",
    "check_spec_statuses",
    "job_like_resources",
    "uncovered_job_resources",
    "warn_uncovered",
]


def apply_profiles(
    apis: list[ir.Api],
    profile_files: list[Path],
    reports: dict[str, Collector],
    documents: Mapping[str, Document] | None = None,
) -> list[ir.Api]:
    """Attach the checked job families to the APIs whose operations read them.

    Raises `InputError` with every problem of every profile; warnings go to the API's report.
    `documents` (the loaded specs by API name) are where status words are looked up.
    """
    by_name = {api.name: api for api in apis}
    errors: list[Diagnostic] = []
    checked: list[tuple[ir.JobFamily, ProfileEntry]] = []
    for path in profile_files:
        try:
            entries = read_profiles(path, errors)
        except InputError as unreadable:  # a file that does not load: the others still count
            errors.extend(unreadable.diagnostics)
            continue
        for entry in entries:
            warnings: list[Diagnostic] = []
            family = FamilyChecker(entry, by_name, errors, warnings).check()
            api_name = entry.data.get("api")
            report = reports.get(api_name) if isinstance(api_name, str) else None
            if report is None and reports:
                report = next(iter(reports.values()))
            for warning in warnings:
                if report is not None:
                    report.warnings.append(warning)
            if family is not None:
                checked.append((family, entry))
    _unique_names(checked, errors)
    if errors:
        raise InputError.of(errors)
    families = [family for family, _ in checked]
    for family in families:
        if family.statuses:
            # The specs that hold the family's operations: its own, and its creators'.
            owners = dict.fromkeys([family.api, *(op.api for op in family.creators)])
            found = {name: (documents or {}).get(name) for name in owners}
            specs = [(doc, by_name[name]) for name, doc in found.items() if doc is not None]
            if specs:
                check_spec_statuses(specs, family, reports[family.api])
    for api in apis:
        warn_uncovered(api, families, reports[api.name])
    return [
        dataclasses.replace(api, jobs=tuple(f for f in families if f.api == api.name))
        for api in apis
    ]


def _unique_names(
    checked: list[tuple[ir.JobFamily, ProfileEntry]], errors: list[Diagnostic]
) -> None:
    first: dict[str, Location] = {}
    for family, entry in checked:
        if family.name not in first:
            first[family.name] = family.location
            continue
        token = "name" if "name" in entry.data else "api"
        location = entry.doc.location(f"{entry.pointer}/{token}")
        hint = (
            "give each family its own `name`"
            if entry.version == 2
            else "version 1 names a family after its API: use `version: 2` and give each a `name`"
        )
        errors.append(
            Diagnostic(
                Level.ERROR,
                f"a second job family named {family.name!r} (the first is at "
                f"{first[family.name]}); hint: {hint}",
                location,
                "profile",
            )
        )


def check_spec_statuses(
    specs: list[tuple[Document, ir.Api]], family: ir.JobFamily, report: Collector
) -> None:
    """Warn about each status word the specs (the family's API's, and its creators') name that the
    family does not map, and each mapped word none of them mentions. Matching follows the
    vocabulary's one case rule."""
    status_field = next((f for f in family.fields if f.name == "status"), None)
    if status_field is None:
        return
    mapped = {status_key(s.word): s for s in family.statuses}
    unmapped: dict[str, list[Diagnostic]] = {}
    words = [
        found
        for document, api in specs
        for found in spec_status_words(document, api, family, status_field.path)
    ]
    for found in words:
        key = status_key(found.word)
        if key in mapped:
            continue
        where = found.doc.location(found.pointer)
        what = "a value of the status enum" if found.source == "enum" else "a status in an example"
        unmapped.setdefault(key, []).append(
            Diagnostic(
                Level.WARNING,
                f"status word {found.word!r} ({what} of the {family.name} job's "
                f"`{status_field.path}`) is not mapped by job family {family.name!r} "
                f"({family.location}); at run time it would count as running; hint: add it under "
                f"`statuses`, e.g. `{guess_status(found.word) or 'running'}: [..., {found.word}]`",
                where,
                "unmapped-status",
            )
        )
    for diagnostics in unmapped.values():
        first = diagnostics[0]
        if len(diagnostics) > 1:
            first = dataclasses.replace(
                first,
                message=first.message.replace(
                    "; hint:", f" (and {len(diagnostics) - 1} more places in the spec); hint:", 1
                ),
            )
        report.warnings.append(first)
    texts = [SpecText(document) for document, _ in specs]
    sources = " or ".join(api.source for _, api in specs)
    for word in family.statuses:
        if not any(text.mentions(word.word) for text in texts):
            report.warnings.append(
                Diagnostic(
                    Level.WARNING,
                    f"job family {family.name!r} maps status word {word.word!r}, which "
                    f"{sources} never mentions; hint: check its spelling against the spec's "
                    "enum and examples, or remove it",
                    family.location,
                    "unknown-status-word",
                )
            )


def warn_uncovered(api: ir.Api, families: list[ir.JobFamily], report: Collector) -> None:
    """One warning per job-like resource of `api` that none of `families` covers."""
    for resource in uncovered_job_resources(api, families):
        report.warn(
            f"job-like operations with no job profile: {resource.describe()}; `client.jobs` "
            "cannot wait for these jobs; hint: describe them in a job profile (README, "
            '"Job profiles")',
            resource.operations[0].location,
            "no-job-profile",
        )
