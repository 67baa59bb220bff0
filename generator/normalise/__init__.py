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
from .builtin import builtin_entries
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
    *,
    builtins: bool = True,
) -> list[ir.Api]:
    """Attach the checked job families to the APIs whose operations read them.

    Raises `InputError` with every problem of every profile; warnings go to the API's report.
    `documents` (the loaded specs by API name) are where status words are looked up. The built-in
    profiles (`builtin.py`) add the families of the specs they recognise, unless a user's profile
    has a family of the same name.
    """
    by_name = {api.name: api for api in apis}
    errors: list[Diagnostic] = []
    checked: list[tuple[ir.JobFamily, ProfileEntry]] = []
    bodies: dict[tuple[str, str, str], ir.Body] = {}
    user_entries: list[ProfileEntry] = []
    for path in profile_files:
        try:
            user_entries.extend(read_profiles(path, errors))
        except InputError as unreadable:  # a file that does not load: the others still count
            errors.extend(unreadable.diagnostics)
    for entry in user_entries:
        warnings: list[Diagnostic] = []
        checker = FamilyChecker(entry, by_name, errors, warnings)
        family = checker.check()
        _report_for(entry, reports).extend(warnings)
        if family is not None:
            checked.append((family, entry))
            bodies.update(checker.bodies)
    if builtins:
        _apply_builtins(apis, user_entries, reports, checked, bodies)
    _unique_names(checked, errors)
    if errors:
        raise InputError.of(errors)
    if bodies:
        apis = [_with_bodies(api, bodies) for api in apis]
        by_name = {api.name: api for api in apis}
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


def _report_for(entry: ProfileEntry, reports: Mapping[str, Collector]) -> list[Diagnostic]:
    """Where the warnings of a family go: its API's report (else the first one's)."""
    api_name = entry.data.get("api")
    report = reports.get(api_name) if isinstance(api_name, str) else None
    if report is None and reports:
        report = next(iter(reports.values()))
    return report.warnings if report is not None else []


def _family_name(entry: ProfileEntry) -> object:
    return (
        entry.data.get("name")
        if entry.version == 2 and "name" in entry.data
        else entry.data.get("api")
    )


def _apply_builtins(
    apis: list[ir.Api],
    user_entries: list[ProfileEntry],
    reports: Mapping[str, Collector],
    checked: list[tuple[ir.JobFamily, ProfileEntry]],
    bodies: dict[tuple[str, str, str], ir.Body],
) -> None:
    """Check and add the built-in families that apply, each unless a user's family has its name.

    A built-in that does not fit the spec it recognised (a later version of the API, say) is left
    out with one warning: it is jobgen's guess, not the user's input, so it never stops a run.
    """
    by_name = {api.name: api for api in apis}
    users = {_family_name(entry): entry for entry in user_entries}
    # The jobs each user family reads: a built-in reading the same ones is replaced, too.
    reads = {
        (op.api, op.method, op.path): (family.name, entry)
        for family, entry in checked
        for op in family.operations
        if op.role in ("get", "list")
    }
    for entry in builtin_entries(apis):
        name = entry.data["name"]
        report = reports.get(entry.data["api"])
        if report is None:
            continue
        same_jobs = [reads[key] for key in _builtin_reads(entry) if key in reads]
        if name in users or same_jobs:
            user_name, user = (name, users[name]) if name in users else same_jobs[0]
            why = "" if user_name == name else f" (named {user_name!r}: it reads the same jobs)"
            report.notes.append(
                Diagnostic(
                    Level.WARNING,
                    f"job family {user_name!r} of {user.doc.path} replaces jobgen's built-in "
                    f"family {name!r}{why} ({entry.doc.path})",
                    user.doc.location(user.pointer),
                    "builtin-overridden",
                )
            )
            continue
        problems: list[Diagnostic] = []
        warnings: list[Diagnostic] = []
        checker = FamilyChecker(entry, by_name, problems, warnings)
        family = checker.check()
        if family is None:
            first = problems[0] if problems else None
            report.warn(
                f"jobgen's built-in job profile {name!r} does not fit this spec"
                + (f" ({first.location}: {first.message})" if first is not None else "")
                + "; its jobs are left out; hint: write a profile for them "
                "(`jobgen profiles suggest` drafts one)",
                by_name[entry.data["api"]].operations[0].location,
                "builtin-profile",
            )
            continue
        report.warnings.extend(warnings)
        report.notes.append(
            Diagnostic(
                Level.WARNING,
                f"job family {name!r} from jobgen's built-in profile {entry.doc.path}",
                entry.doc.location(entry.pointer),
                "builtin-profile",
            )
        )
        checked.append((family, entry))
        bodies.update(checker.bodies)


def _builtin_reads(entry: ProfileEntry) -> list[tuple[str, str, str]]:
    """The (api, method, path) of a built-in family's `get` and `list`."""
    operations = entry.data.get("operations") or {}
    found = []
    for role in ("get", "list"):
        route = operations.get(role)
        if isinstance(route, str) and " " in route.strip():
            method, path = route.split(None, 1)
            found.append((entry.data["api"], method.upper(), path.strip()))
    return found


def _with_bodies(api: ir.Api, bodies: Mapping[tuple[str, str, str], ir.Body]) -> ir.Api:
    """`api` with the request bodies that profiles give operations documenting none."""
    operations = tuple(
        dataclasses.replace(op, body=found, bodies=(found,))
        if (found := bodies.get((api.name, op.method, op.path))) is not None
        else op
        for op in api.operations
    )
    return dataclasses.replace(api, operations=operations)


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
            f'"Job profiles"): `jobgen profiles suggest {Path(api.source).name}` drafts one',
            resource.operations[0].location,
            "no-job-profile",
        )
