"""`enum` and `const`: enum classes (of strings, integers or floats) and `Literal`s.

An enum of two or more strings, or of integers, or of numbers with a float among them, is a class;
anything else (one value, or values of mixed kinds) is a `Literal`. A float cannot stand in a
`Literal`, so it is typed `float` beside one, with a warning; NaN equals nothing and is left out.
pydantic compares enum and literal integers as signed 64-bit numbers and refuses a wider one even
when it is listed, so such an integer is typed `int` beside the rest, with a warning.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal

from .. import ir, naming
from ..diagnostics import InputError, Location, join_pointer
from ..load import Document
from .common import description

if TYPE_CHECKING:
    from .schemas import SchemaParser


def parse_enum(
    parser: SchemaParser, schema: dict[str, Any], doc: Document, at: str, hint: str
) -> ir.TypeRef:
    values = schema["enum"]
    if not isinstance(values, list) or not values:
        raise InputError(
            "`enum` must be a non-empty list", doc.location(join_pointer(at, "enum")), "invalid"
        )
    where = doc.location(join_pointer(at, "enum"))
    present = [v for v in values if v is not None]
    nullable = len(present) != len(values)
    if any(_is_nan(v) for v in present):
        # No value, NaN itself included, equals NaN: it can never match, and JSON cannot carry it.
        present = [v for v in present if not _is_nan(v)]
        parser.report.warn(
            "enum value nan equals no number, itself included: "
            + (
                "it is left out"
                if present
                else "the client types it as float and does not check it"
            ),
            where,
            "enum-nan",
        )
        if not present:
            number = ir.PrimitiveType("float")
            return ir.NullableType(number) if nullable else number
    wide = [v for v in present if _is_wide_int(v)]
    if wide:
        # Not a class: a wide integer cannot be a member pydantic checks (see the module docstring).
        _warn_wide(parser, wide, where, "enum")
        rest = [v for v in present if not _is_wide_int(v)]
        integer = ir.PrimitiveType("int")
        narrower = parse_literal(parser, rest, where, "enum") if rest else None
        if narrower is None:
            type_: ir.TypeRef = integer
        else:
            options = narrower.options if isinstance(narrower, ir.UnionType) else (narrower,)
            type_ = ir.UnionType((integer, *options))
        return ir.NullableType(type_) if nullable else type_
    kinds = {type(v) for v in present}
    # Numbers with a float among them: a `float, Enum` (when every integer is a float exactly).
    floats = float in kinds and kinds <= {int, float} and all(map(_exact_float, present))
    if len(present) <= 1 or not (kinds <= {str} or kinds <= {int} or floats):
        literal = (
            parse_literal(parser, present, where, "enum") if present else ir.PrimitiveType("none")
        )
        return ir.NullableType(literal) if nullable and present else literal
    key = (doc.path, at)
    name = parser.registry.claim(key, hint, "enum")
    members: list[ir.EnumMember] = []
    scope = naming.Scope()
    seen: set[object] = set()
    for value in present:
        if value in seen:
            parser.report.warn(f"enum value {value!r} is listed twice", where, "enum-duplicate")
            continue
        seen.add(value)
        member = naming.enum_member(value)
        claimed = scope.claim(member)
        if claimed != member:
            parser.report.warn(
                f"enum values collide as Python names; {value!r} becomes {claimed}",
                where,
                "enum-collision",
            )
        members.append(ir.EnumMember(claimed, float(value) if floats else value))
    value_kind: Literal["str", "int", "float"] = (
        "str" if kinds <= {str} else "float" if floats else "int"
    )
    parser.registry.add_enum(
        ir.Enum(name, tuple(members), value_kind, doc.location(at), description(schema))
    )
    return ir.NullableType(ir.EnumRef(name)) if nullable else ir.EnumRef(name)


def parse_literal(
    parser: SchemaParser, values: list[Any], where: Location, keyword: str
) -> ir.TypeRef:
    """`Literal[values]`; floats, which a Literal cannot hold, are typed `float` beside it, and so
    are integers wider than 64 bits, which pydantic cannot check in one, typed `int`."""
    wide = [v for v in values if _is_wide_int(v)]
    if wide:
        _warn_wide(parser, wide, where, keyword)
        rest = [v for v in values if not _is_wide_int(v)]
        integer = ir.PrimitiveType("int")
        if not rest:
            return integer
        narrower = parse_literal(parser, rest, where, keyword)
        options = narrower.options if isinstance(narrower, ir.UnionType) else (narrower,)
        return ir.UnionType((integer, *options))
    floats = [v for v in values if isinstance(v, float)]
    # Deduplicated by type as well as value: `1 == True`, but JSON's 1 and true differ.
    others = list({(type(v), v): v for v in values if not isinstance(v, float)}.values())
    if not floats:
        return ir.LiteralType(tuple(others))
    one = len(floats) == 1
    parser.report.warn(
        f"{keyword} value{'' if one else 's'} {', '.join(map(repr, floats))} "
        f"{'is a float' if one else 'are floats'}, which a Literal cannot hold: "
        f"the client types {'it' if one else 'them'} as float "
        f"and does not check {'it' if one else 'them'}",
        where,
        "enum-float",
    )
    number = ir.PrimitiveType("float")
    return ir.UnionType((number, ir.LiteralType(tuple(others)))) if others else number


_INT64 = range(-(2**63), 2**63)


def is_enum_class(values: list[Any]) -> bool:
    """Do these enum values (None left out) make an enum class of strings or of integers?"""
    kinds = {type(v) for v in values}
    return (
        len(values) > 1
        and (kinds <= {str} or kinds <= {int})
        and not any(map(_is_wide_int, values))
    )


def _is_wide_int(value: object) -> bool:
    return type(value) is int and value not in _INT64


def _warn_wide(parser: SchemaParser, wide: list[int], where: Location, keyword: str) -> None:
    shown = ", ".join(
        repr(v) if len(repr(v)) <= 24 else f"{repr(v)[:12]}... ({len(repr(v))} digits)"
        for v in wide
    )
    one = len(wide) == 1
    parser.report.warn(
        f"{keyword} value{'' if one else 's'} {shown} {'is' if one else 'are'} wider than 64 bits, "
        f"which the client's validation cannot compare: the client types "
        f"{'it' if one else 'them'} as int and does not check {'it' if one else 'them'}",
        where,
        "enum-int-range",
    )


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _exact_float(value: float) -> bool:
    """Does `float(value)` give the same number (an integer beyond 2**53, or 10**400, does not)?"""
    try:
        return float(value) == value
    except OverflowError:
        return False
