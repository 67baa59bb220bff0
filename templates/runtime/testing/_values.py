"""Values of a typed model's fields, made from their types: what fills the fields a spec requires
of a job object that the profile does not set, and where the spec's own spelling of a status word
is found (the enum at the status path)."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import functools
import types
import typing
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Final

import pydantic

#: The moment a made-up timestamp or date stands for (the fake's epoch).
_MOMENT: Final = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


def _unwrapped(annotation: object) -> object:
    """`annotation` without `Annotated[...]` (the generated `UTCDateTime` is one)."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _choices(annotation: object) -> list[object]:
    """The types a value may take: the members of a union (None last), else the type itself."""
    annotation = _unwrapped(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [_unwrapped(arg) for arg in typing.get_args(annotation)]
        return sorted(members, key=lambda member: member is type(None))
    return [annotation]


def model_of(annotation: object) -> type[pydantic.BaseModel] | None:
    """The model a field holds (directly, or as the non-null member of a union), or None."""
    for choice in _choices(annotation):
        if isinstance(choice, type) and issubclass(choice, pydantic.BaseModel):
            return choice
    return None


def item_model_of(annotation: object) -> type[pydantic.BaseModel] | None:
    """The model of the items of a list field, or None."""
    for choice in _choices(annotation):
        if typing.get_origin(choice) is list:
            (item,) = typing.get_args(choice) or (Any,)
            return model_of(item)
    return None


def annotation_at(model: type[pydantic.BaseModel] | None, path: str) -> object | None:
    """The type of the value at dotted `path` of `model` (a segment ending in `[]`: of its items),
    or None when the model has no such field."""
    annotation: object = model
    for segment in path.split("."):
        current = model_of(annotation) if segment else None
        if current is None:
            current = item_model_of(annotation)
        field = _field(current, segment.removesuffix("[]")) if current is not None else None
        if field is None:
            return None
        annotation = field.annotation
        if segment.endswith("[]"):
            annotation = next(
                (typing.get_args(c)[0] for c in _choices(annotation) if typing.get_args(c)), Any
            )
    return annotation


def words_at(model: type[pydantic.BaseModel] | None, path: str) -> list[str]:
    """The string values an enum or `Literal` at dotted `path` of `model` allows, in the spec's
    order and spelling (empty: no such field, or it is not an enum)."""
    annotation = annotation_at(model, path)
    words: list[str] = []
    for choice in _choices(annotation) if annotation is not None else []:
        if isinstance(choice, type) and issubclass(choice, enum.Enum):
            words.extend(str(member.value) for member in choice)
        elif typing.get_origin(choice) is typing.Literal:
            words.extend(str(value) for value in typing.get_args(choice) if isinstance(value, str))
    return words


def field_keys(model: type[pydantic.BaseModel] | None) -> list[str]:
    """The wire names of a model's fields (none for None)."""
    return [slot.key for slot in _slots(model)] if model is not None else []


def _field(model: type[pydantic.BaseModel], key: str) -> pydantic.fields.FieldInfo | None:
    for name, info in model.model_fields.items():
        if (info.alias or name) == key:
            return info
    return None


@dataclasses.dataclass(frozen=True, slots=True)
class _Slot:
    """One field of a model, as `complete` needs it (worked out once per model)."""

    key: str
    required: bool
    annotation: object
    model: type[pydantic.BaseModel] | None
    item_model: type[pydantic.BaseModel] | None


@functools.cache
def _slots(model: type[pydantic.BaseModel]) -> tuple[_Slot, ...]:
    return tuple(
        _Slot(
            info.alias or name,
            info.is_required(),
            info.annotation,
            model_of(info.annotation),
            item_model_of(info.annotation),
        )
        for name, info in model.model_fields.items()
    )


def complete(
    model: type[pydantic.BaseModel],
    obj: dict[str, Any],
    *,
    timestamp: Callable[[datetime.datetime], str],
    seed: str,
) -> None:
    """Fill in place every field `model` requires that `obj` lacks, with a value of the field's
    type (a string named `..._at` gets a timestamp: specs often leave out its `format`), and do
    the same inside the nested objects `obj` has (so values set at a profile's paths sit in
    complete objects). `seed` makes ids differ from job to job; `timestamp` writes
    times as the API does."""
    for slot in _slots(model):
        key = slot.key
        if key not in obj:
            if slot.required:
                obj[key] = (
                    timestamp(_MOMENT)
                    if key.endswith("_at") and _choices(slot.annotation)[0] is str
                    else example(slot.annotation, timestamp=timestamp, seed=f"{seed}/{key}")
                )
            continue
        value = obj[key]
        if slot.model is not None and isinstance(value, dict):
            complete(slot.model, value, timestamp=timestamp, seed=f"{seed}/{key}")
        elif slot.item_model is not None and isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    complete(
                        slot.item_model, item, timestamp=timestamp, seed=f"{seed}/{key}/{index}"
                    )


def example(annotation: object, *, timestamp: Callable[[datetime.datetime], str], seed: str) -> Any:
    """A JSON value of type `annotation`: the first value of an enum or `Literal`, a timestamp for
    a datetime, a UUID for a string (made from `seed`), zero, false, an empty array, or an object
    with the required fields of a model. A field that may only be null is null."""
    choices = _choices(annotation)
    for choice in choices:
        if choice is type(None):
            return None
        made = _example_of(choice, timestamp=timestamp, seed=seed)
        if made is not _NO_EXAMPLE:
            return made
    return None


_NO_EXAMPLE: Final = object()


def _example_of(
    kind: object, *, timestamp: Callable[[datetime.datetime], str], seed: str
) -> object:
    origin = typing.get_origin(kind)
    if origin is typing.Literal:
        return typing.get_args(kind)[0]
    if origin is list or kind is list:
        return []
    if origin in (dict, Mapping) or kind is dict:
        return {}
    if not isinstance(kind, type):
        return "" if kind is Any else _NO_EXAMPLE
    if issubclass(kind, enum.Enum):
        return next(iter(kind)).value
    if issubclass(kind, pydantic.BaseModel):
        obj: dict[str, Any] = {}
        complete(kind, obj, timestamp=timestamp, seed=seed)
        return obj
    if issubclass(kind, datetime.datetime):
        return timestamp(_MOMENT)
    if issubclass(kind, datetime.date):
        return _MOMENT.date().isoformat()
    if issubclass(kind, uuid.UUID | str):
        # A string's format is not in its type: an id in UUID form passes a `format: uuid` and is
        # a harmless value for any other string (and differs from job to job).
        return str(uuid.uuid5(uuid.NAMESPACE_URL, seed))
    if issubclass(kind, bool):
        return False
    if issubclass(kind, int | float):
        return 0
    if issubclass(kind, bytes):
        return ""
    if dataclasses.is_dataclass(kind):
        return {}
    return _NO_EXAMPLE
