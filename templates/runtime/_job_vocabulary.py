"""The words of job handling, defined once: canonical statuses, job fields, operation roles, the
conditions of state rules, and the one rule by which status words are matched.

The runtime (`_job_model`), the fake job server (`testing/`) and jobgen's profile checker all read
this module, so what a profile may say and how it is understood cannot drift apart. It uses the
standard library only and no relative imports: jobgen loads this very file by its path.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final


class JobStatus(StrEnum):
    """The canonical status of a job, whatever words its API uses."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLING = "cancelling"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        """True once the job can no longer change: succeeded, failed or cancelled."""
        return self in TERMINAL_STATUSES


#: The statuses after which a job no longer changes.
TERMINAL_STATUSES: Final = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})

#: The canonical fields of a job, in the order profiles list them.
FIELD_NAMES: Final = (
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
#: The fields holding timestamps.
TIME_FIELDS: Final = ("created_at", "updated_at", "started_at", "finished_at")

#: In which canonical statuses a field counts when its profile does not say (absent: always).
#: An API may fill its error text on success too ("successfully processed"): it is no error then.
DEFAULT_WHEN: Final[Mapping[str, frozenset[JobStatus]]] = {
    "error": frozenset({JobStatus.FAILED}),
    "result_links": frozenset({JobStatus.SUCCEEDED}),
}

#: What an operation of a job family does, in the order profiles list them.
OPERATION_ROLES: Final = ("create", "list", "get", "cancel", "errors", "logs", "file")
#: The roles whose path names one job (`{job_param}`).
JOB_ROLES: Final = frozenset({"get", "cancel", "errors", "logs", "file"})

#: How a cancel works: `returns` answers the job (or nothing: the job is read again);
#: `removes` deletes it (after a 2xx the job is gone, and the client reports it cancelled).
CANCEL_EFFECTS: Final = ("returns", "removes")

#: The conditions of a state rule (jobs with no status field), each as the key of `if:`:
#: `present: PATH`, `absent: PATH`, `equals: {path: PATH, values: [...]}`,
#: `http_status: [CODE, ...]` (the status of the read), `errors: found` (the errors or logs
#: operation lists at least one message).
CONDITION_KINDS: Final = ("present", "absent", "equals", "http_status", "errors")


def status_key(word: str) -> str:
    """The form in which status words are compared: `" IN_PROGRESS "` and `"in_progress"` match."""
    return word.strip().casefold()


#: Status words whose meaning is plain, by `word_key`: the checker's hints (and drafts of
#: profiles) guess from them; a profile always says what an API's words mean.
KNOWN_WORDS: Final[Mapping[str, JobStatus]] = {
    **dict.fromkeys(
        ("pending", "queued", "enqueued", "waiting", "created", "new", "scheduled", "accepted"),
        JobStatus.PENDING,
    ),
    **dict.fromkeys(
        ("started", "processing", "running", "in_progress", "executing", "active"),
        JobStatus.RUNNING,
    ),
    **dict.fromkeys(
        ("success", "succeeded", "successful", "completed", "complete", "done", "finished"),
        JobStatus.SUCCEEDED,
    ),
    **dict.fromkeys(("failed", "failure", "error", "errored"), JobStatus.FAILED),
    **dict.fromkeys(("cancelling", "canceling"), JobStatus.CANCELLING),
    **dict.fromkeys(("cancelled", "canceled", "aborted"), JobStatus.CANCELLED),
}


def word_key(word: str) -> str:
    """`status_key`, with spaces and dashes as underscores: `In-Progress` -> `in_progress`."""
    return "_".join(status_key(word).replace("-", " ").split())


def guess_status(word: str) -> JobStatus | None:
    """The canonical status a status word plainly means (see `KNOWN_WORDS`), or None."""
    return KNOWN_WORDS.get(word_key(word))
