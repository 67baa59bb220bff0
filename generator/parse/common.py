"""Small readings of a document's values that more than one parser needs."""

from __future__ import annotations

from typing import Any


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
