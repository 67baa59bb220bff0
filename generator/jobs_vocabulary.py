"""The job vocabulary the generated runtime defines, read from that very file.

`templates/runtime/_job_vocabulary.py` is the one definition of canonical statuses, job fields,
operation roles, state-rule conditions and the rule for matching status words. It is copied into
every generated package; jobgen loads the same file here to check profiles, so the checker and the
runtime can never disagree.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import cast

from .inputs import template_dir


def _load() -> ModuleType:
    path = template_dir() / "runtime" / "_job_vocabulary.py"
    spec = importlib.util.spec_from_file_location("generator._runtime_job_vocabulary", path)
    if spec is None or spec.loader is None:  # pragma: no cover - the file ships with jobgen
        raise ImportError(f"cannot load the job vocabulary from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_VOCABULARY = _load()

#: The canonical statuses' words, in order (pending ... cancelled).
CANONICAL_STATUSES: tuple[str, ...] = tuple(status.value for status in _VOCABULARY.JobStatus)
TERMINAL_STATUSES: frozenset[str] = frozenset(
    status.value for status in _VOCABULARY.TERMINAL_STATUSES
)
FIELD_NAMES: tuple[str, ...] = tuple(_VOCABULARY.FIELD_NAMES)
TIME_FIELDS: tuple[str, ...] = tuple(_VOCABULARY.TIME_FIELDS)
DEFAULT_WHEN: Mapping[str, frozenset[str]] = {
    name: frozenset(status.value for status in statuses)
    for name, statuses in _VOCABULARY.DEFAULT_WHEN.items()
}
OPERATION_ROLES: tuple[str, ...] = tuple(_VOCABULARY.OPERATION_ROLES)
JOB_ROLES: frozenset[str] = frozenset(_VOCABULARY.JOB_ROLES)
CANCEL_EFFECTS: tuple[str, ...] = tuple(_VOCABULARY.CANCEL_EFFECTS)
CONDITION_KINDS: tuple[str, ...] = tuple(_VOCABULARY.CONDITION_KINDS)
status_key = cast(Callable[[str], str], _VOCABULARY.status_key)


def guess_status(word: str) -> str | None:
    """The canonical status a status word plainly means (the vocabulary's `KNOWN_WORDS`), or None."""
    guessed = _VOCABULARY.guess_status(word)
    return None if guessed is None else str(guessed.value)
