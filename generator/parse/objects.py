"""Object schemas: models (properties merged through `allOf`), maps (`additionalProperties`), and
`allOf` compositions that are not objects of their own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import ir, naming
from ..diagnostics import InputError, join_pointer
from ..load import Document
from .common import description, skip
from .defaults import default
from .enums import is_enum_class

if TYPE_CHECKING:
    from .schemas import SchemaParser

# An object's properties, by wire name: (schema, its document, its pointer).
Properties = dict[str, tuple[Any, Document, str]]

# Keywords that describe a schema without constraining it.
_ANNOTATIONS = frozenset(
    {
        "description",
        "title",
        "example",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "default",
        "contentMediaType",
        "externalDocs",
        "xml",
    }
)


def is_object(schema: dict[str, Any]) -> bool:
    """Is `schema` an object (by its type, or by its object keywords when it names none)?"""
    kind = schema.get("type")
    return (
        kind == "object"
        or (kind is None and ("properties" in schema or "additionalProperties" in schema))
        or (
            isinstance(kind, list)
            and "object" in kind
            and len([k for k in kind if k != "null"]) == 1
        )
        or (kind is None and "allOf" in schema)
    )


def becomes_class(schema: dict[str, Any]) -> bool:
    """Does `schema` become a class of its own (an enum of strings or integers, or an object with
    properties), so that a component schema reserves its name before anything is parsed?"""
    if "enum" in schema:
        values = (
            [v for v in schema["enum"] if v is not None] if isinstance(schema["enum"], list) else []
        )
        return is_enum_class(values)
    return is_object(schema) and (
        bool(schema.get("properties"))
        or bool(schema.get("allOf") and _all_of_has_properties(schema))
    )


def _all_of_has_properties(schema: dict[str, Any]) -> bool:
    parts = schema.get("allOf") or []
    return (
        any(isinstance(p, dict) and "$ref" not in p and bool(p.get("properties")) for p in parts)
        or sum(1 for p in parts if isinstance(p, dict) and "$ref" in p) > 1
    )


def _is_meaningful(schema: dict[str, Any]) -> bool:
    """Does this allOf part constrain anything (rather than only carry examples or a description)?"""
    return any(k not in _ANNOTATIONS and not k.startswith("x-") for k in schema)


def parse_all_of(
    parser: SchemaParser, schema: dict[str, Any], doc: Document, at: str, hint: str
) -> ir.TypeRef:
    """`allOf`: one `$ref` alone (or one inline part alone) is that schema; anything else is an
    object whose properties are merged from every part."""
    parts = [p for p in schema["allOf"] if isinstance(p, dict)]
    refs = [p for p in parts if "$ref" in p]
    inline = [p for p in parts if "$ref" not in p and _is_meaningful(p)]
    own = {k: v for k, v in schema.items() if k != "allOf"}
    if len(refs) == 1 and not inline and not own.get("properties"):
        index = parts.index(refs[0])
        return parser.type(refs[0], doc, join_pointer(at, "allOf", index), hint)
    if not refs and len(inline) == 1 and not own.get("properties"):
        index = parts.index(inline[0])
        return parser.type({**own, **inline[0]}, doc, join_pointer(at, "allOf", index), hint)
    return parse_object(parser, schema, doc, at, hint)


def object_parts(
    parser: SchemaParser, schema: dict[str, Any], doc: Document, at: str
) -> tuple[Properties, set[str], Any]:
    """Properties (merged through allOf), required names and additionalProperties of an object."""
    properties: Properties = {}
    required: set[str] = set()
    additional: Any = None
    for index, part in enumerate(schema.get("allOf") or []):
        part_doc, part_at = doc, join_pointer(at, "allOf", index)
        if isinstance(part, dict) and "$ref" in part:
            part_doc, part_at, part = parser.resolver.resolve(
                part["$ref"], doc, join_pointer(part_at, "$ref")
            )
            key = (part_doc.path, part_at)
            if key in parser.merging:
                raise InputError(
                    "circular $ref: allOf refers back to the schema it is part of: "
                    + parser.cycle(key),
                    doc.location(join_pointer(at, "allOf", index)),
                    "ref-cycle",
                )
            parser.merging.append(key)
        else:
            key = None
        try:
            if isinstance(part, dict):
                sub_props, sub_required, sub_additional = object_parts(
                    parser, part, part_doc, part_at
                )
                properties.update(sub_props)
                required |= sub_required
                additional = sub_additional if sub_additional is not None else additional
        finally:
            if key is not None:
                parser.merging.pop()
    own = schema.get("properties")
    if isinstance(own, dict):
        for name, prop in own.items():
            properties[str(name)] = (prop, doc, join_pointer(at, "properties", name))
    elif own is not None:
        raise InputError(
            "`properties` must be a mapping",
            doc.location(join_pointer(at, "properties")),
            "invalid",
        )
    names = schema.get("required")
    if isinstance(names, list):
        required |= {str(n) for n in names}
    for name, (prop, _, _) in properties.items():
        if isinstance(prop, dict) and prop.get("required") is True:  # a 3.0-era habit
            required.add(name)
    if "additionalProperties" in schema:
        additional = schema["additionalProperties"]
    return properties, required, additional


def parse_object(
    parser: SchemaParser, schema: dict[str, Any], doc: Document, at: str, hint: str
) -> ir.TypeRef:
    """An object with properties is a model; one without is a dict (of its typed
    `additionalProperties`, or of anything)."""
    properties, required, additional = object_parts(parser, schema, doc, at)
    if not properties:
        if isinstance(additional, dict) and additional:
            value_at = join_pointer(at, "additionalProperties")
            value = parser.type(additional, doc, value_at, hint + "Value")
            return ir.DictType(parser.shallow(value, doc, value_at))
        return ir.DictType(ir.ANY)
    key = (doc.path, at)
    named = parser.registry.named.get(key)
    if named is not None and named.kind == "model":
        return ir.ModelRef(named.name)
    name = parser.registry.claim(key, hint, "model")
    scope = naming.Scope()
    fields: list[ir.Field] = []
    for wire, (prop, prop_doc, prop_at) in properties.items():
        try:
            type_ = parser.type(prop, prop_doc, prop_at, name + naming.class_name(wire))
        except InputError as error:
            skip(parser.report, error, f"the property {wire!r} of {name}")
            continue
        py_name = scope.claim(naming.field_name(wire))
        flags = prop if isinstance(prop, dict) else {}
        fields.append(
            ir.Field(
                wire_name=wire,
                py_name=py_name,
                type=type_,
                required=wire in required,
                description=description(prop),
                deprecated=flags.get("deprecated") is True,
                read_only=flags.get("readOnly") is True,
                write_only=flags.get("writeOnly") is True,
                default=default(parser, prop, prop_doc, prop_at, f"property {wire!r}"),
            )
        )
    additional_type = None
    if isinstance(additional, dict) and additional:
        additional_type = parser.type(
            additional, doc, join_pointer(at, "additionalProperties"), name + "Value"
        )
    parser.registry.add_model(
        ir.Model(
            name=name,
            fields=tuple(fields),
            location=doc.location(at),
            description=description(schema),
            additional=additional_type,
        )
    )
    return ir.ModelRef(name)
