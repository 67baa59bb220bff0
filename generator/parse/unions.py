"""`oneOf` and `anyOf`: a union of the options' types (`null` among them makes it nullable), with
the discriminating property when the schema names one and every option is a model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import ir
from ..diagnostics import join_pointer
from ..load import Document
from .common import dedupe, text
from .objects import is_object

if TYPE_CHECKING:
    from .schemas import SchemaParser


def parse_union(
    parser: SchemaParser, schema: dict[str, Any], combiner: str, doc: Document, at: str, hint: str
) -> ir.TypeRef:
    options: list[ir.TypeRef] = []
    nullable = False
    for index, option in enumerate(schema[combiner]):
        type_ = parser.type(
            option,
            doc,
            join_pointer(at, combiner, index),
            f"{hint}{index + 1}" if index else hint + "Option",
        )
        if type_ == ir.PrimitiveType("none"):
            nullable = True
        elif isinstance(type_, ir.NullableType):
            nullable = True
            options.append(type_.inner)
        else:
            options.append(type_)
    if is_object(schema) and schema.get("properties"):
        parser.report.warn(
            f"properties beside {combiner} are ignored",
            doc.location(join_pointer(at, "properties")),
            "union-properties",
        )
    options = dedupe(options)
    if not options:
        return ir.PrimitiveType("none")
    if len(options) == 1:
        return ir.NullableType(options[0]) if nullable else options[0]
    discriminator = _discriminator(schema, options)
    parser.discriminated |= discriminator is not None
    union = ir.UnionType(tuple(options), discriminator)
    return ir.NullableType(union) if nullable else union


def _discriminator(schema: dict[str, Any], options: list[ir.TypeRef]) -> ir.Discriminator | None:
    """The schema's discriminating property, when it names one and every option is a model (whether
    pydantic can use it is settled once every model is known: `settle_discriminators`)."""
    given = schema.get("discriminator")
    prop = text(given.get("propertyName")) if isinstance(given, dict) else ""
    if not prop or not all(isinstance(o, ir.ModelRef) for o in options):
        return None
    return ir.Discriminator(prop)
