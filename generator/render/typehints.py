"""The Python annotation of an IR type."""

from __future__ import annotations

from .. import ir
from .pysource import py_str, py_value

_PRIMITIVES = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "any": "Any",
    "none": "None",
    "date": "datetime.date",
    "datetime": "datetime.datetime",
    "bytes": "bytes",
    "object": "dict[str, Any]",
}


def annotation(type_: ir.TypeRef, prefix: str = "") -> str:
    """The Python annotation for an IR type; `prefix` qualifies class names (e.g. `models.`)."""
    if isinstance(type_, ir.PrimitiveType):
        return _PRIMITIVES[type_.name]
    if isinstance(type_, ir.ModelRef | ir.EnumRef):
        return prefix + type_.name
    if isinstance(type_, ir.ListType):
        return f"list[{annotation(type_.item, prefix)}]"
    if isinstance(type_, ir.DictType):
        return f"dict[str, {annotation(type_.value, prefix)}]"
    if isinstance(type_, ir.LiteralType):
        return "Literal[" + ", ".join(py_value(v) for v in type_.values) + "]"
    if isinstance(type_, ir.NullableType):
        inner = annotation(type_.inner, prefix)
        return inner if inner in ("Any", "None") else f"{inner} | None"
    if isinstance(type_, ir.UnionType):
        parts: list[str] = []
        for option in type_.options:
            text = annotation(option, prefix)
            if text not in parts:
                parts.append(text)
        if "Any" in parts:
            return "Any"
        if type_.discriminator is not None:
            return f"Annotated[{' | '.join(parts)}, Field(discriminator={py_str(type_.discriminator)})]"
        return " | ".join(parts)
    raise TypeError(type_)  # pragma: no cover - the IR is closed


def optional(text: str) -> str:
    """`text | None`, unless `None` is already allowed."""
    return text if text in ("Any", "None") or text.endswith("| None") else f"{text} | None"
