"""The walker the IR passes share: rebuild a frozen IR value with every type in it changed."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from .. import ir
from ..diagnostics import Location

_V = TypeVar("_V")
TypeChange = Callable[[ir.TypeRef], ir.TypeRef]


def map_types(value: _V, change: TypeChange) -> _V:
    """Rebuild frozen IR `value`, passing every type in it (innermost first) through `change`.

    Parts that no change touched are kept as they are (not copied), so a walk that changes nothing
    allocates nothing (copying the whole IR of a large spec is slow).
    """
    result: _V = _map(value, change)
    return result


def _map(value: Any, change: TypeChange) -> Any:
    if value is None or isinstance(value, str | int | float | Location):
        return value
    if isinstance(value, ir.ListType):
        item = _map(value.item, change)
        shape = value.as_tuple if value.as_tuple is None else _map(value.as_tuple, change)
        same = item is value.item and shape is value.as_tuple
        return change(value if same else ir.ListType(item, shape))
    if isinstance(value, ir.DictType):
        inner = _map(value.value, change)
        return change(value if inner is value.value else ir.DictType(inner))
    if isinstance(value, ir.NullableType):
        inner = _map(value.inner, change)
        return change(value if inner is value.inner else ir.NullableType(inner))
    if isinstance(value, ir.UnionType):
        options = _map_tuple(value.options, change)
        same = options is value.options
        return change(value if same else ir.UnionType(options, value.discriminator))
    if isinstance(value, ir.PrimitiveType | ir.ModelRef | ir.EnumRef | ir.LiteralType):
        return change(value)
    if isinstance(value, tuple):
        return _map_tuple(value, change)
    names = _dataclass_fields(type(value))
    if not names:
        return value
    changes = {}
    for name in names:
        old = getattr(value, name)
        new = _map(old, change)
        if new is not old:
            changes[name] = new
    return dataclasses.replace(value, **changes) if changes else value


def _map_tuple(values: tuple[Any, ...], change: TypeChange) -> tuple[Any, ...]:
    mapped = tuple(_map(v, change) for v in values)
    return values if all(a is b for a, b in zip(mapped, values, strict=True)) else mapped


_FIELDS: dict[type, tuple[str, ...]] = {}


def _dataclass_fields(cls: type) -> tuple[str, ...]:
    """The field names of a dataclass type (cached); () for any other type."""
    names = _FIELDS.get(cls)
    if names is None:
        names = (
            tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else ()
        )
        _FIELDS[cls] = names
    return names
