"""Small readings of a document's values that more than one parser needs."""

from __future__ import annotations

from typing import Any

from ..diagnostics import Collector, InputError


def description(schema: Any) -> str:
    """A schema's `description` (or `title`), stripped; "" when it has none."""
    if isinstance(schema, dict):
        text = schema.get("description") or schema.get("title") or ""
        return str(text).strip()
    return ""


def text(value: Any) -> str:
    """A string the spec gives, or "" when absent (or not a string: the validation says so)."""
    return value if isinstance(value, str) else ""


def dedupe(items: list[Any]) -> list[Any]:
    """`items` without repeats, each where it first stands."""
    result: list[Any] = []
    for item in items:
        if item not in result:
            result.append(item)
    return result


def skip(report: Collector, error: InputError, what: str) -> None:
    """`what` (`the property 'id'`) cannot be read, for `error`: it is left out, and the problem
    reported where it is."""
    problem = error.diagnostic
    report.skip(
        f"{problem.message}; {what} is left out", problem.location, problem.code or "invalid"
    )
