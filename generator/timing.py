"""How long each stage of a run took, for `--verbose`: each stage's time, added up over the specs."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar

# The stages in the order a run goes through them (the README's pipeline), as `--verbose` lists them.
STAGES = ("load", "repair", "validate", "parse", "normalise", "render", "format", "output")

_TIMINGS: ContextVar[dict[str, float] | None] = ContextVar("jobgen_timings", default=None)


@contextlib.contextmanager
def recording(timings: dict[str, float]) -> Iterator[dict[str, float]]:
    """Add the time of every `stage` inside the block to `timings`."""
    token = _TIMINGS.set(timings)
    try:
        yield timings
    finally:
        _TIMINGS.reset(token)


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    """Count the block's time to the stage `name` (nothing when no recording is active)."""
    timings = _TIMINGS.get()
    if timings is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - started


def add(name: str, seconds: float) -> None:
    """Count `seconds` to the stage `name` (measured elsewhere)."""
    timings = _TIMINGS.get()
    if timings is not None:
        timings[name] = timings.get(name, 0.0) + seconds
