"""Argument values as the wire text OpenAPI describes: parameter styles and request bodies.

Parameters follow the `style`/`explode` rules of OpenAPI 3.0 and 3.1 (RFC 6570 expansions, plus
OpenAPI's own `spaceDelimited`, `pipeDelimited` and `deepObject`), as the "Style Examples" table of
OpenAPI 3.1.1 gives them:

| style | explode | string | array | object |
|---|---|---|---|---|
| matrix | false | `;color=blue` | `;color=blue,black,brown` | `;color=R,100,G,200,B,150` |
| matrix | true | `;color=blue` | `;color=blue;color=black;color=brown` | `;R=100;G=200;B=150` |
| label | false | `.blue` | `.blue,black,brown` | `.R,100,G,200,B,150` |
| label | true | `.blue` | `.blue.black.brown` | `.R=100.G=200.B=150` |
| simple | false | `blue` | `blue,black,brown` | `R,100,G,200,B,150` |
| simple | true | `blue` | `blue,black,brown` | `R=100,G=200,B=150` |
| form | false | `color=blue` | `color=blue,black,brown` | `color=R,100,G,200,B,150` |
| form | true | `color=blue` | `color=blue&color=black&color=brown` | `R=100&G=200&B=150` |
| spaceDelimited | false | | `color=blue%20black%20brown` | `color=R%20100%20G%20200%20B%20150` |
| pipeDelimited | false | | `color=blue%7Cblack%7Cbrown` | `color=R%7C100%7CG%7C200%7CB%7C150` |
| deepObject | true | | | `color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150` |

(OpenAPI 3.0.3 and 3.1.0 printed `label`/false arrays as `.blue.black.brown`, against RFC 6570,
and left `|` and `[]` unencoded, which RFC 3986 does not allow in a query: 3.1.1 corrected both.)

What the table leaves open is settled so:

- None (an argument not given) sends nothing; None inside an array or object is left out.
- An empty string or an empty array or object is the table's "undefined" column: `color=` (form and
  the delimited styles), `;color` (matrix), `.` (label), an empty value (simple); a `deepObject`
  with no properties sends nothing, having no key to carry.
- `spaceDelimited`/`pipeDelimited` with `explode: true`, and `deepObject` given an array or a
  primitive, fall back to `form` with `explode: true` (repeated keys).
- `deepObject` nests: `filter[a][b]=1`; an array inside it repeats its key.
- In the flat styles, an array or object inside an array or object is sent as JSON text.
- Primitives: booleans as `true`/`false`, enum members by value, dates and datetimes in ISO 8601.
  A naive datetime (no zone) is refused with `NaiveDatetimeError` (a `ValueError`): the server
  would read it in a zone of its own choosing, while Python's naive datetimes are usually local.
  (Inside a model, pydantic writes a datetime field; `_models.UTCDateTime` fields refuse naive
  values when the model is built.)
- Percent-encoding: every character outside RFC 3986's unreserved set is encoded in names and
  values (spaces as `%20`); delimiters the style adds are not. With `allowReserved`, a query value
  keeps RFC 3986's reserved characters and any `%XX` as they are, except those that would change
  the query's structure (`#`, `&`, `+`) or that RFC 3986 forbids in it (`[`, `]`). Header values
  are never percent-encoded (RFC 6570 encoding was never meant for headers); cookie values are.
- Cookies are `name=value` pairs joined by `; ` (an exploded array repeats the name), all of an
  operation's cookie parameters in one `Cookie` header.
- A model is sent by alias with the fields that were set, except those the spec marks `readOnly`
  (`json_schema_extra={"readOnly": True}`): the server sets them, so a model read from a response
  can be sent back as it is.

Bodies: `application/x-www-form-urlencoded` fields use the query rules (each field's encoding
style, `form` with `explode: true` by default); `multipart/form-data` fields become parts (see
`multipart_parts`).
"""

from __future__ import annotations

import datetime
import enum
import functools
import json
import mimetypes
import os
import re
import urllib.parse
from collections.abc import Iterator, Mapping
from typing import IO, Any, Final

import pydantic
import pydantic_core

__all__ = [
    "NaiveDatetimeError",
    "PartFile",
    "aware_datetime",
    "cookie_pairs",
    "form_pairs",
    "header_value",
    "is_json_media_type",
    "json_bytes",
    "json_text",
    "multipart_parts",
    "path_segment",
    "pct",
    "pct_reserved",
    "read_content",
    "request_data",
    "scalar",
    "to_json",
]

# What RFC 3986 calls unreserved (`urllib.parse.quote` never encodes these): a value made only of
# them is its own encoding, so most values skip `quote` altogether.
_UNRESERVED: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~"
# Reserved characters `allowReserved` keeps in a query value: all of RFC 3986's but `#` (it would
# end the query), `&` and `+` (form decoding reads them as a separator and a space), and `[` `]`
# (not allowed in a query); `%` too, for the `%XX` triplets the caller encoded.
_KEPT_RESERVED: Final = ":/?@!$'()*,;=%"
_LONE_PERCENT: Final = re.compile(r"%(?![0-9A-Fa-f]{2})")

#: One multipart part: (filename or None for a plain field, content, content type or None).
PartFile = tuple[str | None, bytes, str | None]


class NaiveDatetimeError(ValueError):
    """A datetime without a timezone was given where the wire needs an instant."""


def pct(text: str) -> str:
    """`text` percent-encoded: everything but RFC 3986's unreserved characters."""
    return text if not text.strip(_UNRESERVED) else urllib.parse.quote(text, safe="")


def pct_reserved(text: str) -> str:
    """`text` percent-encoded for a query value with `allowReserved: true`."""
    if not text.strip(_UNRESERVED):
        return text
    return urllib.parse.quote(_LONE_PERCENT.sub("%25", text), safe=_KEPT_RESERVED)


# -- primitives ------------------------------------------------------------------------------------


def scalar(value: object) -> str:
    """A primitive as wire text: bools as true/false, enums by value, dates in ISO 8601."""
    if type(value) is str:
        return value
    if isinstance(value, enum.Enum):
        return scalar(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return aware_datetime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)  # str subclasses, numbers, UUIDs, and `Filter` (whose str() is its wire form)


def aware_datetime(value: datetime.datetime) -> datetime.datetime:
    """`value`, if it has a timezone; else `NaiveDatetimeError`."""
    if value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"the datetime {value.isoformat()} has no timezone, so the server cannot tell which "
            "instant it means; give it one (datetime.now(datetime.UTC), dt.astimezone(), "
            "dt.replace(tzinfo=...))"
        )
    return value


def to_json(value: Any) -> Any:
    """A value as JSON-ready data: models by alias without unset or read-only fields, enums by
    value, dates in ISO 8601 (a naive datetime raises `NaiveDatetimeError`), other types as pydantic
    writes them."""
    if isinstance(value, pydantic.BaseModel):
        return request_data(value, json=True)
    # bool is an int; enums with a str or int mixin are handled below
    if isinstance(value, str | int | float | None) and not isinstance(value, enum.Enum):
        return value
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, enum.Enum):
        return to_json(value.value)
    if isinstance(value, datetime.datetime):
        return aware_datetime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return pydantic_core.to_jsonable_python(value)  # UUID, Decimal, sets, dataclasses, ...


def request_data(
    model: pydantic.BaseModel, *, json: bool = False, exclude_none: bool = False
) -> dict[str, Any]:
    """What a request sends of `model`: its fields by alias, those never set and those the server
    sets (`readOnly`) left out, nested models included; JSON-ready with `json`."""
    return model.model_dump(
        mode="json" if json else "python",
        by_alias=True,
        exclude_unset=True,
        exclude_none=exclude_none,
        exclude=_read_only_set(model),
    )


def _read_only_set(model: pydantic.BaseModel) -> dict[Any, Any] | None:
    """pydantic's `exclude` for the read-only fields set in `model` and in the values under it."""
    read_only = _read_only_fields(type(model))
    found: dict[Any, Any] = {}
    for name in model.model_fields_set:
        if name in read_only:
            found[name] = True
        else:
            nested = _read_only_under(getattr(model, name, None))
            if nested:
                found[name] = nested
    return found or None


def _read_only_under(value: object) -> dict[Any, Any] | None:
    if isinstance(value, pydantic.BaseModel):
        return _read_only_set(value)
    if isinstance(value, list | tuple):
        items = {index: _read_only_under(item) for index, item in enumerate(value)}
    elif isinstance(value, dict):
        items = {key: _read_only_under(item) for key, item in value.items()}
    else:
        return None
    return {key: nested for key, nested in items.items() if nested} or None


@functools.cache
def _read_only_fields(model: type[pydantic.BaseModel]) -> frozenset[str]:
    return frozenset(
        name
        for name, info in model.model_fields.items()
        if isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get("readOnly")
    )


def json_text(value: object) -> str:
    """`value` as compact JSON text (as httpx writes a JSON body)."""
    return json.dumps(to_json(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def json_bytes(value: object) -> bytes:
    return json_text(value).encode()


def is_json_media_type(media_type: str) -> bool:
    """`application/json`, `text/json` and every `+json` type (`application/vnd.api+json`)."""
    essence = media_type.partition(";")[0].strip().lower()
    return essence.endswith(("/json", "+json"))


# -- shapes: a value as a primitive, an array or an object ------------------------------------------


def _is_object(value: object) -> bool:
    return isinstance(value, Mapping | pydantic.BaseModel)


def _is_array(value: object) -> bool:
    return isinstance(value, list | tuple | set | frozenset)


def _properties(value: object) -> Iterator[tuple[str, object]]:
    """An object's properties by wire name, None values left out."""
    items: Mapping[Any, Any]
    if isinstance(value, pydantic.BaseModel):
        items = request_data(value, exclude_none=True)
    else:
        items = value  # type: ignore[assignment]
    for key, item in items.items():
        if item is not None:
            yield scalar(key), item


def _member(value: object) -> str:
    """An array item or property value in a flat style: nested structures as JSON text."""
    if _is_object(value) or _is_array(value):
        return json_text(value)
    return scalar(value)


def _array(value: Any) -> list[str]:
    return [_member(item) for item in value if item is not None]


def _object(value: object) -> list[tuple[str, str]]:
    return [(key, _member(item)) for key, item in _properties(value)]


# -- query and form bodies -------------------------------------------------------------------------

_DELIMITERS: Final = {"form": ",", "spaceDelimited": "%20", "pipeDelimited": "%7C"}


def form_pairs(
    name: str, value: object, *, style: str = "form", explode: bool = True, reserved: bool = False
) -> list[tuple[str, str]]:
    """A query parameter (or form body field) as percent-encoded `(name, value)` pairs."""
    if value is None:
        return []
    quote = pct_reserved if reserved else pct
    if type(value) is str:  # the common case first
        return [(pct(name), quote(value))]
    if style == "deepObject" and _is_object(value):
        return [(pct(key), quote(text)) for key, text in _deep(name, value)]
    if _is_object(value):
        properties = _object(value)
        if not properties:
            return [(pct(name), "")]
        if explode:
            return [(pct(key), quote(text)) for key, text in properties]
        delimiter = _DELIMITERS.get(style, ",")
        flat = [quote(part) for pair in properties for part in pair]
        return [(pct(name), delimiter.join(flat))]
    if _is_array(value):
        items = _array(value)
        if not items:
            return [(pct(name), "")]
        encoded = pct(name)
        if explode or style == "deepObject":
            return [(encoded, quote(item)) for item in items]
        delimiter = _DELIMITERS.get(style, ",")
        return [(encoded, delimiter.join(quote(item) for item in items))]
    return [(pct(name), quote(scalar(value)))]


def _deep(name: str, value: object) -> Iterator[tuple[str, str]]:
    """deepObject: `name[key]=value`, nesting into objects; an array repeats its key."""
    for key, item in _properties(value):
        inner = f"{name}[{key}]"
        if _is_object(item):
            yield from _deep(inner, item)
        elif _is_array(item):
            for member in _array(item):
                yield inner, member
        else:
            yield inner, scalar(item)


# -- path, header, cookie --------------------------------------------------------------------------


def path_segment(name: str, value: object, *, style: str = "simple", explode: bool = False) -> str:
    """A path parameter's expansion (`simple`, `label` or `matrix`), percent-encoded."""
    if type(value) is str and style == "simple":
        return pct(value)
    if _is_object(value):
        pairs = [(pct(key), pct(text)) for key, text in _object(value)]
        if style == "matrix":
            if not pairs:
                return f";{pct(name)}"
            if explode:
                return "".join(f";{key}={text}" for key, text in pairs)
            return f";{pct(name)}=" + ",".join(part for pair in pairs for part in pair)
        if explode:
            joined = ("." if style == "label" else ",").join(f"{k}={v}" for k, v in pairs)
        else:
            joined = ",".join(part for pair in pairs for part in pair)
        return "." + joined if style == "label" else joined
    if _is_array(value):
        items = [pct(item) for item in _array(value)]
        if style == "matrix":
            if not items:
                return f";{pct(name)}"
            if explode:
                return "".join(f";{pct(name)}={item}" for item in items)
            return f";{pct(name)}=" + ",".join(items)
        if style == "label":
            return "." + ("." if explode else ",").join(items)
        return ",".join(items)
    text = pct(scalar(value))
    if style == "matrix":
        return f";{pct(name)}={text}" if text else f";{pct(name)}"
    return "." + text if style == "label" else text


def header_value(value: object, *, explode: bool = False) -> str:
    """A header parameter (`simple` style), not percent-encoded."""
    if type(value) is str:
        return value
    if _is_object(value):
        pairs = _object(value)
        if explode:
            return ",".join(f"{key}={text}" for key, text in pairs)
        return ",".join(part for pair in pairs for part in pair)
    if _is_array(value):
        return ",".join(_array(value))
    return scalar(value)


def cookie_pairs(name: str, value: object, *, explode: bool = True) -> list[str]:
    """A cookie parameter (`form` style) as `name=value` strings, to be joined by `; `."""
    if value is None:
        return []
    return [f"{key}={text}" for key, text in form_pairs(name, value, explode=explode)]


# -- multipart -------------------------------------------------------------------------------------


def multipart_parts(
    fields: Mapping[str, object], part_types: Mapping[str, str]
) -> list[tuple[str, PartFile]]:
    """The parts of a `multipart/form-data` body, in the fields' order.

    A None field is left out. An array (a list, or a tuple that is not a file) is one part per item
    (same name). A file (bytes, an open binary file, or `(filename, content[, content type])`) is a
    part with a filename (the file's own name, else `upload`, as servers tell files from fields by
    it) and the content type given, else the field's declared one (`part_types`, from the spec's
    `encoding`) when it names one type, else guessed from the filename, else
    `application/octet-stream`. An object (a mapping or a
    model) is JSON text with `Content-Type: application/json` (or the declared JSON type). Any
    other value is text, with a content type only when one is declared.
    """
    parts: list[tuple[str, PartFile]] = []
    for name, value in fields.items():
        if value is None:
            continue
        declared = part_types.get(name)
        items: list[Any] | tuple[Any, ...] = (value,)
        if isinstance(value, list) or (isinstance(value, tuple) and not _is_file_tuple(value)):
            items = value
        for item in items:
            if item is not None:
                parts.append((name, _part(item, declared)))
    return parts


def _is_file_tuple(value: tuple[Any, ...]) -> bool:
    """A `(filename, content[, type])` file, rather than a tuple of values (repeated parts)."""
    return (
        len(value) in (2, 3)
        and isinstance(value[0], str | None)
        and (isinstance(value[1], bytes | bytearray | memoryview) or _is_readable(value[1]))
    )


def _is_readable(value: object) -> bool:
    return callable(getattr(value, "read", None))


def _part(value: object, declared: str | None) -> PartFile:
    if isinstance(value, bytes | bytearray | memoryview):
        return "upload", bytes(value), _file_type(declared, "upload")
    if _is_readable(value):
        filename = os.path.basename(str(getattr(value, "name", "") or "upload"))
        return filename, read_content(value), _file_type(declared, filename)  # type: ignore[arg-type]
    if isinstance(value, tuple) and _is_file_tuple(value):
        filename = value[0]
        content = value[1] if not _is_readable(value[1]) else read_content(value[1])
        given = value[2] if len(value) == 3 else None
        return filename, bytes(content), given or _file_type(declared, filename)
    if _is_object(value) or _is_array(value):
        json_type = declared if declared and is_json_media_type(declared) else "application/json"
        return None, json_bytes(value), json_type
    return None, scalar(value).encode(), declared


def _file_type(declared: str | None, filename: str | None) -> str:
    """A file part's content type: the declared one when it names one type, else guessed."""
    if declared and "," not in declared and "*" not in declared:
        return declared
    guessed = mimetypes.guess_type(filename)[0] if filename else None
    return guessed or "application/octet-stream"


def read_content(file: IO[bytes] | IO[str]) -> bytes:
    """An open file's content as bytes: a retry must be able to send it again, and httpx's async
    client cannot read a plain (blocking) file."""
    content = file.read()
    return content.encode() if isinstance(content, str) else bytes(content)
