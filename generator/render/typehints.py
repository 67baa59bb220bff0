"""The Python annotation of an IR type, as `Code` (its text and the names it reads).

Two forms: the one pydantic validates with (`validated`, for model fields and response types:
datetimes read as UTC, tuples that allow more items, unions told apart by a discriminator), and
the plain one a type checker reads in a method's signature (arguments are sent, not validated).
"""

from __future__ import annotations

from functools import cache

from .. import ir
from .pysource import Code, code, names_of, py_str, py_value

ANY = Code("Any", frozenset({"Any"}), none_last=True)
NONE = Code("None", none_last=True)

_UTC_DATETIME = code("UTCDateTime", "UTCDateTime")
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


def annotation(type_: ir.TypeRef, module: str | None = None, *, validated: bool = True) -> Code:
    """The annotation of an IR type; with `module`, class names are read from it (`models.Job`);
    `validated`: the form pydantic validates with, else the plain form (see the module docstring)."""
    if isinstance(type_, ir.PrimitiveType):
        if type_.name == "datetime" and validated:
            return _UTC_DATETIME
        return _PRIMITIVES[type_.name]
    if isinstance(type_, ir.ModelRef | ir.EnumRef):
        return Code(f"{module}.{type_.name}", _reads(module)) if module else Code(type_.name)
    if isinstance(type_, ir.ListType):
        if type_.as_tuple is not None:
            return _tuple(type_.as_tuple, module, validated)
        item = annotation(type_.item, module, validated=validated)
        return Code(f"list[{item.text}]", item.names)
    if isinstance(type_, ir.DictType):
        value = annotation(type_.value, module, validated=validated)
        return Code(f"dict[str, {value.text}]", value.names)
    if isinstance(type_, ir.LiteralType):
        return code("Literal[" + ", ".join(py_value(v) for v in type_.values) + "]", "Literal")
    if isinstance(type_, ir.NullableType):
        inner = annotation(type_.inner, module, validated=validated)
        return inner if inner in (ANY, NONE) else Code(f"{inner.text} | None", inner.names, True)
    if isinstance(type_, ir.UnionType):
        parts: list[Code] = []
        for option in type_.options:
            part = annotation(option, module, validated=validated)
            if all(part.text != seen.text for seen in parts):
                parts.append(part)
        if any(part.text == ANY.text for part in parts):
            return ANY
        members = " | ".join(part.text for part in parts)
        names = frozenset(names_of(parts))
        given = type_.discriminator
        if given is not None and validated:
            if given.py_name is not None:
                discriminator = f"Field(discriminator={py_str(given.py_name)})"
                return Code(
                    f"Annotated[{members}, {discriminator}]", names | {"Annotated", "Field"}
                )
            if given.mapping:
                return _tagged_union(type_, given, module)
        return Code(members, names, none_last=parts[-1].none_last)
    raise TypeError(type_)  # pragma: no cover - the IR is closed


def _tuple(tuple_: ir.TupleType, module: str | None, validated: bool) -> Code:
    """`tuple[A, B]` (closed), or `tuple[A, B, *tuple[R, ...]]` (more items allowed), which
    pydantic validates through `PrefixItems(A, B, rest=R)`."""
    items = [annotation(item, module, validated=validated) for item in tuple_.items]
    names = frozenset(names_of(items))
    listed = ", ".join(item.text for item in items)
    if tuple_.rest is None:
        return Code(f"tuple[{listed or '()'}]", names)
    rest = annotation(tuple_.rest, module, validated=validated)
    names |= rest.names
    if not items:
        return Code(f"tuple[{rest.text}, ...]", names)
    plain = f"tuple[{listed}, *tuple[{rest.text}, ...]]"
    if not validated:
        return Code(plain, names)
    prefix = f"PrefixItems({listed}, rest={rest.text})"
    return Code(f"Annotated[{plain}, {prefix}]", names | {"Annotated", "PrefixItems"})


def _tagged_union(union: ir.UnionType, given: ir.Discriminator, module: str | None) -> Code:
    """A union whose option the discriminating property's value names through the mapping
    (pydantic cannot read it itself: the property is not a required literal of every option):
    each option tagged with its class name, chosen by `by_property`."""
    options: list[str] = []
    # `pydantic.Tag`: a schema named `Tag` is common, and keeps its name.
    names: set[str] = {"Annotated", "pydantic", "by_property"}
    for option in union.options:
        assert isinstance(option, ir.ModelRef)  # a discriminator is given only for models
        part = annotation(option, module)
        names |= part.names
        options.append(f"Annotated[{part.text}, pydantic.Tag({py_str(option.name)})]")
    mapping = ", ".join(f"{py_str(value)}: {py_str(name)}" for value, name in given.mapping)
    chooser = f"by_property({py_str(given.wire_name)}, {{{mapping}}})"
    return Code(f"Annotated[{' | '.join(options)}, {chooser}]", frozenset(names))


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
