"""Field types the generated models use beside the standard ones."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Annotated, Any

import pydantic
from pydantic_core import core_schema

from ._serialize import aware_datetime

__all__ = ["PrefixItems", "UTCDateTime", "by_property"]


def _given_datetime(
    value: object, handler: pydantic.ValidatorFunctionWrapHandler
) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return aware_datetime(value)
    return _assume_utc(handler(value))


def _assume_utc(value: datetime.datetime) -> datetime.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)


class _UTCDateTime:
    """`UTCDateTime`'s validation: JSON through pydantic's own datetime parser, then a zone-less
    value made UTC (one call of a small function: a wrap validator, which also sees the input,
    made parsing a list of 1,000 jobs with four timestamps each about half again as slow); Python
    values through the check that refuses a naive `datetime`."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: pydantic.GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        parsed = handler(source)
        return core_schema.json_or_python_schema(
            json_schema=core_schema.no_info_after_validator_function(_assume_utc, parsed),
            python_schema=core_schema.no_info_wrap_validator_function(_given_datetime, parsed),
        )


#: A `format: date-time` value. A timestamp read without a zone (Elastic Path writes some so) is
#: UTC, as the platform means it and as the jobs facade reads it; a `datetime` given in Python
#: without a zone is refused (`NaiveDatetimeError`, a `ValueError`), since Python's naive
#: datetimes are usually local time, which the server cannot know. So a model read from a
#: response can always be sent back.
UTCDateTime = Annotated[datetime.datetime, _UTCDateTime()]


class PrefixItems:
    """How pydantic validates a JSON Schema tuple that allows more items (`prefixItems` with
    `items` other than `false`): one item of each type in turn, then any number of `rest`.

    Type checkers read the annotation it stands in, `tuple[A, B, *tuple[C, ...]]`, which pydantic
    cannot build a validator for by itself:
    `Annotated[tuple[A, B, *tuple[C, ...]], PrefixItems(A, B, rest=C)]`.
    """

    __slots__ = ("items", "rest")

    def __init__(self, *items: Any, rest: Any) -> None:
        self.items = items
        self.rest = rest

    def __get_pydantic_core_schema__(
        self, source: Any, handler: pydantic.GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        schemas = [handler.generate_schema(item) for item in (*self.items, self.rest)]
        return core_schema.tuple_schema(schemas, variadic_item_index=len(self.items))


def by_property(wire_name: str, mapping: Mapping[str, str]) -> pydantic.Discriminator:
    """A union's discriminator read from the property `wire_name`, whose value names the option
    by `mapping` (value -> the option's `Tag`, its class name), as the spec's `discriminator`
    says. Used where pydantic cannot find the value itself (the property is not a required literal
    of every option); a model given in Python is its own option."""
    values = dict(mapping)
    tags = frozenset(values.values())

    def tag_of(value: Any) -> str | None:
        if isinstance(value, Mapping):
            found = value.get(wire_name)
            return values.get(found) if isinstance(found, str) else None
        name = type(value).__name__
        return name if name in tags else None

    return pydantic.Discriminator(
        tag_of,
        custom_error_type="union_tag_unknown",
        custom_error_message=f"the property {wire_name!r} names none of "
        + ", ".join(repr(value) for value in values),
    )
