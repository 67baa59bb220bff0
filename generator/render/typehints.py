"""The Python annotation of an IR type, as `Code` (its text and the names it reads)."""

from __future__ import annotations

from functools import cache

from .. import ir
from .pysource import Code, code, names_of, py_str, py_value

ANY = Code("Any", frozenset({"Any"}), none_last=True)
NONE = Code("None", none_last=True)

_PRIMITIVES = {
    "str": code("str"),
    "int": code("int"),
    "float": code("float"),
    "bool": code("bool"),
    "any": ANY,
    "none": NONE,
    "date": code("datetime.date", "datetime"),
    "datetime": code("datetime.datetime", "datetime"),
    "bytes": code("bytes"),
}


def annotation(type_: ir.TypeRef, module: str | None = None) -> Code:
    """The annotation of an IR type; with `module`, class names are read from it (`models.Job`)."""
    if isinstance(type_, ir.PrimitiveType):
        return _PRIMITIVES[type_.name]
    if isinstance(type_, ir.ModelRef | ir.EnumRef):
        return Code(f"{module}.{type_.name}", _reads(module)) if module else Code(type_.name)
    if isinstance(type_, ir.ListType):
        item = annotation(type_.item, module)
        return Code(f"list[{item.text}]", item.names)
    if isinstance(type_, ir.DictType):
        value = annotation(type_.value, module)
        return Code(f"dict[str, {value.text}]", value.names)
    if isinstance(type_, ir.LiteralType):
        return code("Literal[" + ", ".join(py_value(v) for v in type_.values) + "]", "Literal")
    if isinstance(type_, ir.NullableType):
        inner = annotation(type_.inner, module)
        return inner if inner in (ANY, NONE) else Code(f"{inner.text} | None", inner.names, True)
    if isinstance(type_, ir.UnionType):
        parts: list[Code] = []
        for option in type_.options:
            part = annotation(option, module)
            if all(part.text != seen.text for seen in parts):
                parts.append(part)
        if any(part.text == ANY.text for part in parts):
            return ANY
        members = " | ".join(part.text for part in parts)
        names = frozenset(names_of(parts))
        if type_.discriminator is not None and type_.discriminator.py_name is not None:
            discriminator = f"Field(discriminator={py_str(type_.discriminator.py_name)})"
            return Code(f"Annotated[{members}, {discriminator}]", names | {"Annotated", "Field"})
        return Code(members, names, none_last=parts[-1].none_last)
    raise TypeError(type_)  # pragma: no cover - the IR is closed


@cache
def _reads(module: str) -> frozenset[str]:
    return frozenset((module,))


def optional(type_: Code) -> Code:
    """`type_ | None`, unless it already ends in `None`."""
    if type_.none_last:
        return type_
    return Code(f"{type_.text} | None", type_.names, none_last=True)


def union(*members: Code) -> Code:
    """`A | B | ...` of annotations."""
    return Code(
        " | ".join(member.text for member in members),
        frozenset(names_of(members)),
        none_last=members[-1].none_last,
    )
