"""Job-like resources of an API that no job family covers.

A resource is job-like when a literal segment of its paths names jobs: `/v2/jobs`, `/subscriptions/
imports/{import_uuid}`, `/catalogs/{id}/releases`. Its operations are the collection's and the
items' (`/x/jobs`, `/x/jobs/{id}`, `/x/jobs/{id}/cancel`). Without a family, `client.jobs` cannot
wait for those jobs: the pipeline warns once per resource (built-in profiles may cover it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .. import ir

#: Path segments that name a collection of jobs.
JOB_COLLECTIONS = frozenset({"jobs", "imports", "exports", "releases", "requests", "runs", "tasks"})


@dataclass(frozen=True)
class JobLikeResource:
    """A collection of jobs in one API: its path and its operations, in document order."""

    api: str
    path: str  # the collection's path: `/subscriptions/imports`
    operations: tuple[ir.Operation, ...]

    def describe(self) -> str:
        return ", ".join(f"{op.method} {op.path}" for op in self.operations)


def _collection(path: str) -> str | None:
    segments = path.split("/")
    for index in range(len(segments) - 1, -1, -1):  # the innermost: `/tasks/jobs` holds jobs
        if segments[index].casefold() in JOB_COLLECTIONS:
            return "/".join(segments[: index + 1])
    return None


def job_like_resources(api: ir.Api) -> list[JobLikeResource]:
    """The job-like resources of `api`, in the order of their first operations."""
    groups: dict[str, list[ir.Operation]] = {}
    for op in api.operations:
        collection = _collection(op.path)
        if collection is None:
            continue
        rest = op.path[len(collection) :]
        # The collection itself, or an item (`/{id}`) and what hangs below it.
        if rest == "" or rest.startswith("/{"):
            groups.setdefault(collection, []).append(op)
    return [JobLikeResource(api.name, path, tuple(ops)) for path, ops in groups.items()]


def uncovered_job_resources(api: ir.Api, families: Iterable[ir.JobFamily]) -> list[JobLikeResource]:
    """The job-like resources of `api` none of whose operations any of `families` uses."""
    used: set[tuple[str, str, str]] = set()
    for family in families:
        for op in family.operations:
            used.add((op.api, op.method, op.path))
        if family.cancel is not None:
            cancel = family.cancel.operation
            used.add((cancel.api, cancel.method, cancel.path))
    return [
        resource
        for resource in job_like_resources(api)
        if not any((api.name, op.method, op.path) in used for op in resource.operations)
    ]
