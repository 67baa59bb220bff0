"""One simulated API: its job profile with the shape resolved, and how it words statuses, times and
errors."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

import pydantic

from .._job_model import Endpoint, JobProfile, JobStatus
from .._job_vocabulary import status_key
from ._responses import phrase
from ._shapes import ABSENT, ApiShape, error_status_type, is_list, model_field, response_models

_DEFAULT_SCRIPT: Final = ("pending", "running", "succeeded")


class Raw(str):
    """A status word sent exactly as given, even one the API's profile does not know."""

    __slots__ = ()


class SimulatedApi:
    """A profile, with its shape resolved."""

    def __init__(self, profile: JobProfile, shape: ApiShape) -> None:
        self.profile = profile
        self.shape = shape
        models = response_models(profile)

        def model_of(endpoint: Endpoint | None) -> type[pydantic.BaseModel] | None:
            return None if endpoint is None else models.get((endpoint.method, endpoint.path))

        envelope = profile.envelope
        in_create = model_field(model_of(profile.create), envelope) if envelope else ABSENT
        list_model = model_of(profile.list)
        self.create_array = (
            shape.create_array
            if shape.create_array is not None
            else in_create is not ABSENT and is_list(in_create)
        )
        self.paginated = (
            shape.paginated
            if shape.paginated is not None
            else model_field(list_model, "links") is not ABSENT
        )
        self.list_meta = (
            shape.list_meta
            if shape.list_meta is not None
            else model_field(list_model, "meta") is not ABSENT
        )
        self.error_status = shape.error_status or error_status_type(profile) or "int"
        self.words: dict[JobStatus, str] = {}
        for raw, status in profile.statuses.items():
            self.words.setdefault(status, raw)
        for rule in profile.state:  # no status field: the steps are canonical statuses
            self.words.setdefault(rule.status, rule.status.value)

    @property
    def name(self) -> str:
        """The job family's name (what tests and `client.jobs` call it)."""
        return self.profile.name

    def status_of(self, raw: str) -> JobStatus:
        """The canonical status of a script step (an unknown word counts as running)."""
        if self.profile.state:
            return JobStatus(raw) if raw in set(JobStatus) else JobStatus.RUNNING
        return self.profile.status_of(raw) or JobStatus.RUNNING

    def raw_word(self, word: str) -> str:
        """The API's own status word for a script step (see the package docstring)."""
        if isinstance(word, Raw):
            return str(word)
        wanted = status_key(word)
        for raw in self.profile.statuses:
            if status_key(raw) == wanted:
                return raw
        known = ", ".join(self.profile.statuses or (w.value for w in self.words))
        try:
            status = JobStatus(wanted)
        except ValueError:
            raise ValueError(
                f"{word!r} is neither a {self.name} status ({known}) "
                f"nor a canonical one ({', '.join(s.value for s in JobStatus)}); wrap it in "
                "Raw(...) to send an unknown status on purpose"
            ) from None
        if status not in self.words:
            raise ValueError(f"the {self.name} API has no status word for {status.value!r}")
        return self.words[status]

    def script(self, steps: Sequence[str] | None) -> list[str]:
        if steps is None:  # the default: the canonical steps this API has
            return [self.words[JobStatus(s)] for s in _DEFAULT_SCRIPT if JobStatus(s) in self.words]
        if isinstance(steps, str) or not steps:
            raise ValueError("a status script is a non-empty sequence of status words")
        return [self.raw_word(step) for step in steps]

    def timestamp(self, moment: datetime) -> str:
        digits = self.shape.timestamp_digits
        fraction = (f"{moment.microsecond:06d}" + "999")[:digits]
        return moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if digits else "") + "Z"

    def error_body(self, status: int, detail: str | None = None) -> Any:
        error: dict[str, object] = {
            "status": status if self.error_status == "int" else str(status),
            "title": phrase(status),
        }
        if detail:
            error["detail"] = detail
        if status == 404 and self.shape.bare_not_found:
            return error
        return {"errors": error if self.shape.errors_as_object else [error]}
