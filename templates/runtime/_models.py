"""The bases of the generated models, and the helpers generated methods use beside `_call`."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import IO, Any

import pydantic
import pydantic_core

from ._base_client import RequestOptions
from ._serialize import to_json

__all__ = ["APIModel", "APIRequestModel", "FileContent", "to_json", "to_page_size", "with_query"]

#: What a multipart file field accepts: bytes, an open binary file, or (filename, content[, type]).
FileContent = bytes | IO[bytes] | tuple[str, bytes | IO[bytes]] | tuple[str, bytes | IO[bytes], str]


class APIModel(pydantic.BaseModel):
    """Base of the generated models.

    Unknown fields read from the server are kept (`model_extra`: servers add fields before specs
    catch up), but the constructor refuses keyword arguments that are no field of the model, so a
    misspelt or renamed field fails loudly instead of being sent under a name the server ignores
    (`pydantic.ValidationError`, as for any other invalid argument; a model whose schema allows
    more properties, `additionalProperties`, takes any). Fields can be given by their Python name
    or their wire name, and `to_dict()` gives back the wire form.
    """

    model_config = pydantic.ConfigDict(
        extra="allow",
        populate_by_name=True,
        protected_namespaces=(),
        use_enum_values=False,
        # JSON parsing caches the strings it makes only for object keys, which repeat in every
        # item: the string values of API payloads (ids, request ids, links, messages) rarely do, and
        # caching them costs more than it saves (pydantic's own advice; measured about 5% faster on a
        # 1,000-job list). Enum and literal values are not new strings either way.
        cache_strings="keys",
    )

    def __init__(self, /, **data: Any) -> None:
        known = _known_names(type(self))
        unknown = [name for name in data if name not in known]
        if unknown and _declares_fields_only(type(self)):
            raise pydantic_core.ValidationError.from_exception_data(
                type(self).__name__,
                [
                    {"type": "extra_forbidden", "loc": (name,), "input": data[name]}
                    for name in unknown
                ],
            )
        super().__init__(**data)

    # pydantic calls a model's own `__init__` when it validates data unless it is marked as the
    # base one: the check above is for the constructor only, never for what the server sends.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready wire form, without fields that were never set."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class APIRequestModel(APIModel):
    """Base of the generated models that only requests carry: a field that is not in the model is
    refused however it is given (constructor, nested data, `model_validate`)."""

    model_config = pydantic.ConfigDict(extra="forbid")


@functools.cache
def _known_names(model: type[pydantic.BaseModel]) -> frozenset[str]:
    """The fields of `model` by Python name and by wire name."""
    names = set(model.model_fields)
    names.update(info.alias for info in model.model_fields.values() if info.alias)
    return frozenset(names)


@functools.cache
def _declares_fields_only(model: type[pydantic.BaseModel]) -> bool:
    """Whether `model` takes no properties besides its fields (a model with typed
    `additionalProperties` declares `__pydantic_extra__`)."""
    return not any(
        "__pydantic_extra__" in vars(cls).get("__annotations__", {}) for cls in model.__mro__
    )


def with_query(options: RequestOptions | None, query: Mapping[str, object]) -> RequestOptions:
    """Per-call options with extra query parameters added (used by the auto-pagers)."""
    merged: RequestOptions = dict(options or {})  # type: ignore[assignment]
    extra = dict(merged.get("extra_query") or {})
    extra.update(query)
    merged["extra_query"] = extra
    return merged


def to_page_size(value: object) -> int | None:
    """A page-size argument as an int (some specs type `page[limit]` as a string)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"page size must be an integer, not {type(value).__name__}")
    return int(value)
