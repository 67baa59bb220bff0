"""A schema's `default`, checked against the schema: a valid one is carried in the IR (a signature's
default value), an invalid one is dropped with a located warning.

Checked: the JSON type (`type`, a type array, 3.0 `nullable`), `enum`, `const`, and the formats whose
values a client parses (`uuid`, `date`, `date-time`); array items, object properties and `allOf`
parts recursively, through `$ref`s. What the check does not understand (`oneOf`, `anyOf`, `not`,
bounds, patterns) passes.
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any

from .. import ir
from ..diagnostics import InputError, join_pointer
from ..load import Document

if TYPE_CHECKING:
    from .schemas import SchemaParser

_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}
# Bounds the walk through `$ref`s and nested items (a default is small; a schema may be cyclic).
_MAX_DEPTH = 32


def default(
    parser: SchemaParser, schema: Any, doc: Document, at: str, what: str
) -> ir.Default | None:
    """The valid `default` of `schema` (at `at` in `doc`), or None; `what` names its owner in the
    warning for an invalid one (`parameter 'limit'`, `property 'id'`)."""
    if not isinstance(schema, dict):
        return None
    if "default" not in schema:
        if "$ref" not in schema:
            return None
        try:  # a default given by the schema a property refers to
            doc, at, schema = parser.resolver.follow(schema, doc, at)
        except InputError:
            return None  # reported where the schema is parsed
        if not isinstance(schema, dict) or "default" not in schema:
            return None
    value = schema["default"]
    problem = _problem(parser, schema, doc, value, 0)
    if problem is not None:
        parser.report.warn(
            f"invalid default {_show(value)} of {what}: {problem}; the client has no default",
            doc.location(join_pointer(at, "default")),
            "invalid-default",
        )
        return None
    return ir.Default(frozen(value))


def frozen(value: Any) -> ir.JsonValue:
    """A JSON value as the IR holds it (arrays as tuples, objects as `JsonObject`s)."""
    if isinstance(value, list):
        return tuple(frozen(v) for v in value)
    if isinstance(value, dict):
        return ir.JsonObject(tuple((str(k), frozen(v)) for k, v in value.items()))
    result: ir.JsonValue = value
    return result


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _problem(
    parser: SchemaParser, schema: dict[str, Any], doc: Document, value: Any, depth: int
) -> str | None:
    """What is wrong with `value` as an instance of `schema`, or None."""
    if depth > _MAX_DEPTH:
        return None
    if "$ref" in schema:
        try:
            doc, _, target = parser.resolver.follow(schema, doc, "")
        except InputError:
            return None
        return _problem(parser, target, doc, value, depth + 1) if isinstance(target, dict) else None
    if value is None and schema.get("nullable") is True:
        return None
    for part in schema.get("allOf") or []:  # (a `$ref` with a sibling `default` is wrapped so)
        problem = _problem(parser, part, doc, value, depth + 1) if isinstance(part, dict) else None
        if problem is not None:
            return problem
    kinds = schema.get("type")
    names = [kinds] if isinstance(kinds, str) else kinds if isinstance(kinds, list) else []
    known = [k for k in names if isinstance(k, str) and k in _JSON_TYPES]
    if known and not any(_is(value, k) for k in known):
        return f"not {' or '.join(_article(k) for k in known)}"
    if "enum" in schema and isinstance(schema["enum"], list) and not _among(value, schema["enum"]):
        return "not one of the enum's values"
    if "const" in schema and not _among(value, [schema["const"]]):
        return f"not the const value {_show(schema['const'])}"
    if isinstance(value, str):
        return _format_problem(str(schema.get("format") or ""), value)
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            problem = _problem(parser, schema["items"], doc, item, depth + 1)
            if problem is not None:
                return f"item {index}: {problem}"
    if isinstance(value, dict) and isinstance(schema.get("properties"), dict):
        for name, item in value.items():
            prop = schema["properties"].get(name)
            if isinstance(prop, dict):
                problem = _problem(parser, prop, doc, item, depth + 1)
                if problem is not None:
                    return f"property {name!r}: {problem}"
    return None


def _is(value: Any, kind: str) -> bool:
    if isinstance(value, bool):
        return kind == "boolean"
    if kind == "integer" and isinstance(value, float):
        return value.is_integer()  # JSON Schema: 1.0 is an integer
    return isinstance(value, _JSON_TYPES[kind])


def _article(kind: str) -> str:
    return {
        "integer": "an integer",
        "array": "an array",
        "object": "an object",
        "null": "null",
    }.get(kind, f"a {kind}")


def _among(value: Any, allowed: list[Any]) -> bool:
    # By JSON type as well as value: `1 == True` in Python, but JSON's 1 and true differ.
    return any(type(value) is type(a) and value == a for a in allowed) or any(
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and isinstance(a, int | float)
        and not isinstance(a, bool)
        and value == a
        for a in allowed
    )


def _format_problem(format_: str, value: str) -> str | None:
    if format_ == "uuid" and not _UUID.match(value):
        return "not a UUID (format: uuid)"
    if format_ == "date" and not (
        _DATE.match(value) and _parses(datetime.date.fromisoformat, value)
    ):
        return "not a date, YYYY-MM-DD (format: date)"
    if format_ == "date-time" and not (
        _DATE_TIME.match(value)
        and _parses(datetime.datetime.fromisoformat, value.replace("z", "Z"))
    ):
        return "not an RFC 3339 date-time with a time zone (format: date-time)"
    return None


def _parses(parse: Any, value: str) -> bool:
    try:
        parse(value)
    except ValueError:
        return False
    return True
