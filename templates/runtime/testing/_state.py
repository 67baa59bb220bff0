"""The simulated state: the virtual clock, the jobs, and how each moves along its status script."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from .._job_model import JobProfile, JobStatus
from ._api import SimulatedApi

EPOCH: Final = datetime(2024, 1, 1, tzinfo=UTC)


class VirtualClock:
    """Time that only moves when something sleeps on it: tests poll without really waiting.

    `now` and `sleep` fit `Jobs(clock=..., sleep=...)`, `asleep` fits `AsyncJobs(sleep=...)`;
    `sleeps` lists every sleep asked for.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self.sleeps: list[float] = []

    def now(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._now += max(0.0, seconds)

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)
        await asyncio.sleep(0)  # let other tasks run, as a real sleep would


@dataclass(eq=False, kw_only=True)
class FakeJob:
    """One simulated job. Tests may change `script`, `files` and `errors` at any time."""

    api: str
    id: str
    parents: dict[str, str]
    kind: str | None
    script: list[str]
    position: int = 0
    files: dict[str, bytes] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    #: Fields the job object starts from (the create body's, or `add_job(fields=...)`).
    fields: dict[str, Any] = field(default_factory=dict)
    created_at: datetime = EPOCH
    updated_at: datetime = EPOCH
    started_at: datetime | None = None
    finished_at: datetime | None = None
    #: How many times the job's state was read (gets and list pages).
    reads: int = 0
    profile: JobProfile = field(repr=False)

    @property
    def raw_status(self) -> str:
        return self.script[self.position]

    @property
    def status(self) -> JobStatus:
        if self.profile.state:  # no status field: the script's steps are canonical statuses
            return (
                JobStatus(self.raw_status)
                if self.raw_status in set(JobStatus)
                else JobStatus.RUNNING
            )
        return self.profile.status_of(self.raw_status) or JobStatus.RUNNING


@dataclass(slots=True)
class JobPlan:
    """What the next job created through an API's create endpoint will be (None: the default)."""

    script: Sequence[str] | None
    files: Mapping[str, bytes] | None
    errors: Sequence[str]
    kind: str | None


class JobStore:
    """Every simulated job by id, the plans of jobs not created yet, and the jobs' lifecycle.

    Not locked itself: the server holds its lock around every use. `now` gives the moment that
    timestamps take.
    """

    def __init__(
        self, *, now: Callable[[], datetime], default_script: Sequence[str] | None
    ) -> None:
        self.jobs: dict[str, FakeJob] = {}
        self.plans: dict[str, list[JobPlan]] = {}
        self.default_script = None if default_script is None else tuple(default_script)
        self._now = now
        self._counter = 0

    def get(self, job: FakeJob | str) -> FakeJob:
        job_id = job.id if isinstance(job, FakeJob) else str(job)
        try:
            return self.jobs[job_id]
        except KeyError:
            raise KeyError(f"the fake has no job {job_id!r}") from None

    def plan(self, api: str, plans: Iterable[JobPlan]) -> None:
        """Plan the next jobs created through `api`'s create endpoint, in order."""
        self.plans.setdefault(api, []).extend(plans)

    def next_plan(self, api: str) -> JobPlan:
        """The plan of the next job created through `api`'s create endpoint (default: none)."""
        plan = self.plans.get(api, [])
        return plan.pop(0) if plan else JobPlan(None, None, (), None)

    def create(
        self,
        spec: SimulatedApi,
        *,
        parents: dict[str, str],
        plan: JobPlan,
        body_fields: dict[str, Any],
        job_id: str | None = None,
    ) -> FakeJob:
        self._counter += 1
        job_id = job_id or str(uuid.UUID(int=self._counter, version=4))
        if job_id in self.jobs:
            raise ValueError(f"the fake already has a job {job_id!r}")
        script = spec.script(plan.script if plan.script is not None else self.default_script)
        profile = spec.profile
        exposes_files = profile.file is not None or "result_links" in profile.fields
        kind = plan.kind or spec.shape.default_kind
        files = plan.files
        if files is None:
            name = f"{kind or spec.name}-{job_id}.csv"
            files = {name: f"id,api,kind\n{job_id},{spec.name},{kind or ''}\n".encode()}
            files = files if exposes_files else {}
        now = self._now()
        job = FakeJob(
            api=spec.name,
            id=job_id,
            parents=parents,
            kind=kind,
            script=script,
            files=dict(files),
            errors=list(plan.errors) or [f"{spec.name} job {job_id} failed (simulated)"],
            fields=body_fields,
            created_at=now,
            updated_at=now,
            profile=profile,
        )
        self.jobs[job_id] = job
        self.move(job, 0)
        return job

    def find(self, spec: SimulatedApi, job_id: str, parents: Mapping[str, str]) -> FakeJob | None:
        job = self.jobs.get(job_id)
        if job is None or job.api != spec.name or job.parents != dict(parents):
            return None
        return job

    def observe(self, job: FakeJob, *, advance: bool) -> None:
        """A read of the job: with `advance`, it first moves one step on."""
        job.reads += 1
        if advance and job.position < len(job.script) - 1:
            self.move(job, job.position + 1)

    def move(self, job: FakeJob, position: int) -> None:
        moved = position != job.position
        job.position = position
        now = self._now()
        if moved:
            job.updated_at = now
        status = job.status
        if status in (JobStatus.RUNNING, JobStatus.SUCCEEDED, JobStatus.FAILED):
            job.started_at = job.started_at or now
        if status.is_terminal:
            job.finished_at = job.finished_at or now

    def advance(self, job: FakeJob | str | None, steps: int) -> None:
        chosen = list(self.jobs.values()) if job is None else [self.get(job)]
        for each in chosen:
            self.move(each, min(each.position + steps, len(each.script) - 1))
