"""A small typed builder for Elastic Path's `filter` query parameter.

    >>> str(eq("status", "pending") & gt("created_at", "2024-01-01"))
    'eq(status,pending):gt(created_at,2024-01-01)'

Clauses are `op(field,value)`; `:` joins them and all must hold. The operators are those the
Elastic Path docs list: `eq`, `like` (with `*` wildcards), `in` (several values), `gt`, `ge`, `lt`,
`le`, and `is_null` where an endpoint supports it; each endpoint documents which fields take which
operators. A value holding a character of the syntax itself (`,` `:` `(` `)` `"` `\\`) or whitespace
is sent double-quoted, with `"` and `\\` escaped by a backslash. A raw string is accepted anywhere a
`Filter` is (`eq("a", 1) & "like(name,*shoe*)"`), and is sent as written.
"""

from __future__ import annotations

import datetime
import enum
import re
from typing import Final

__all__ = ["Filter", "FilterValue", "eq", "ge", "gt", "in_", "is_null", "le", "like", "lt"]

#: What a filter value can be: text, a number, a bool, a date or datetime, or an enum member.
FilterValue = str | int | float | bool | datetime.date | enum.Enum

_NEEDS_QUOTES: Final = re.compile(r'[\s,:()"\\]')
_FIELD: Final = re.compile(r"[A-Za-z0-9_.\-\[\]]+")


class Filter:
    """One or more filter clauses that must all hold; `str(filter)` is the wire form."""

    __slots__ = ("_clauses",)

    def __init__(self, *clauses: Filter | str) -> None:
        """Join `clauses`: `Filter`s, or raw clause strings sent as written (empty ones dropped)."""
        flat: list[str] = []
        for clause in clauses:
            if isinstance(clause, Filter):
                flat.extend(clause._clauses)
            elif isinstance(clause, str):
                if clause.strip():
                    flat.append(clause.strip())
            else:
                kind = type(clause).__name__
                raise TypeError(f"a filter clause is a Filter or a str, not {kind}")
        self._clauses: tuple[str, ...] = tuple(flat)

    @property
    def clauses(self) -> tuple[str, ...]:
        return self._clauses

    def __and__(self, other: Filter | str) -> Filter:
        if not isinstance(other, Filter | str):
            return NotImplemented
        return Filter(self, other)

    def __rand__(self, other: str) -> Filter:
        if not isinstance(other, str):
            return NotImplemented
        return Filter(other, self)

    def __str__(self) -> str:
        return ":".join(self._clauses)

    def __repr__(self) -> str:
        return f"Filter({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Filter):
            return self._clauses == other._clauses
        if isinstance(other, str):
            return str(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))

    def __bool__(self) -> bool:
        return bool(self._clauses)


def eq(field: str, value: FilterValue) -> Filter:
    """`field` equals `value`."""
    return _clause("eq", field, value)


def like(field: str, value: FilterValue) -> Filter:
    """`field` matches `value`, where `*` is a wildcard (`like("name", "*shoe*")`)."""
    return _clause("like", field, value)


def gt(field: str, value: FilterValue) -> Filter:
    """`field` is greater than `value`."""
    return _clause("gt", field, value)


def ge(field: str, value: FilterValue) -> Filter:
    """`field` is greater than or equal to `value`."""
    return _clause("ge", field, value)


def lt(field: str, value: FilterValue) -> Filter:
    """`field` is less than `value`."""
    return _clause("lt", field, value)


def le(field: str, value: FilterValue) -> Filter:
    """`field` is less than or equal to `value`."""
    return _clause("le", field, value)


def in_(field: str, *values: FilterValue) -> Filter:
    """`field` is one of `values`: `in_("id", a, b)` is `in(id,a,b)`."""
    if not values:
        raise ValueError(f"in_({field!r}) needs at least one value")
    return _clause("in", field, *values)


def is_null(field: str) -> Filter:
    """`field` has no value (only on endpoints that document `is_null`)."""
    return Filter(f"is_null({_field(field)})")


def _clause(operator: str, field: str, *values: FilterValue) -> Filter:
    return Filter(f"{operator}({','.join([_field(field), *map(_value, values)])})")


def _field(field: str) -> str:
    if not _FIELD.fullmatch(field):
        raise ValueError(f"not a filterable field name: {field!r}")
    return field


def _value(value: FilterValue) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, datetime.date):  # datetimes included
        text = value.isoformat()
    else:
        text = str(value)
    if text and not _NEEDS_QUOTES.search(text):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
