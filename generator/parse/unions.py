"""`oneOf` and `anyOf`: a union of the options' types (`null` among them makes it nullable), with
the discriminating property when the schema names one and every option is a model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import ir
from ..diagnostics import InputError, join_pointer, unescape_pointer_token
from ..load import Document
from .common import dedupe, text
from .objects import is_object

if TYPE_CHECKING:
    from .schemas import SchemaParser


def parse_union(
    parser: SchemaParser, schema: dict[str, Any], combiner: str, doc: Document, at: str, hint: str
) -> ir.TypeRef:
    options: list[ir.TypeRef] = []
    refs: list[tuple[Any, ir.TypeRef]] = []  # (each option's schema, its type)
    nullable = False
    for index, option in enumerate(schema[combiner]):
        type_ = parser.type(
            option,
            doc,
            join_pointer(at, combiner, index),
            f"{hint}{index + 1}" if index else hint + "Option",
        )
        refs.append((option, type_))
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
    discriminator = _discriminator(parser, schema, combiner, options, refs, doc, at)
    parser.discriminated |= discriminator is not None
    union = ir.UnionType(tuple(options), discriminator)
    return ir.NullableType(union) if nullable else union


def _discriminator(
    parser: SchemaParser,
    schema: dict[str, Any],
    combiner: str,
    options: list[ir.TypeRef],
    refs: list[tuple[Any, ir.TypeRef]],
    doc: Document,
    at: str,
) -> ir.Discriminator | None:
    """The schema's discriminating property, when it names one and every option is a model, with
    the values its `mapping` gives (then the implicit ones: each option's component schema name).
    Whether pydantic can use the property itself is settled once every model is known
    (`settle_discriminators`)."""
    given = schema.get("discriminator")
    prop = text(given.get("propertyName")) if isinstance(given, dict) else ""
    if not prop or not all(isinstance(o, ir.ModelRef) for o in options):
        return None
    assert isinstance(given, dict)
    classes = {o.name for o in options if isinstance(o, ir.ModelRef)}
    mapping: dict[str, str] = {}
    given_mapping = given.get("mapping")
    for value, target in given_mapping.items() if isinstance(given_mapping, dict) else ():
        entry_at = join_pointer(at, "discriminator", "mapping", value)
        name = _mapped_class(parser, target, doc, entry_at)
        if name is None or name not in classes:
            parser.report.warn(
                f"discriminator mapping {value!r} -> {target!r} is not one of the {combiner} "
                "options; ignored",
                doc.location(entry_at),
                "discriminator-mapping",
            )
            continue
        mapping.setdefault(str(value), name)
    for option, type_ in refs:
        ref = option.get("$ref") if isinstance(option, dict) else None
        if (
            isinstance(ref, str)
            and "/components/schemas/" in ref
            and isinstance(type_, ir.ModelRef)
        ):
            implicit = unescape_pointer_token(ref.rsplit("/", 1)[-1])
            mapping.setdefault(implicit, type_.name)
    return ir.Discriminator(prop, mapping=tuple(mapping.items()))


def _mapped_class(parser: SchemaParser, target: Any, doc: Document, at: str) -> str | None:
    """The class of the schema a mapping value names: a component schema's name, or a `$ref`."""
    if not isinstance(target, str):
        return None
    schemas = (parser.doc.data.get("components") or {}).get("schemas") or {}
    ref = f"#/components/schemas/{target}" if target in schemas else target
    try:
        type_ = parser.type({"$ref": ref}, doc, at, "")
    except InputError:
        return None
    return type_.name if isinstance(type_, ir.ModelRef) else None
