"""The JSON-Schema -> IR type parser: which kind a schema is, and the kinds that need no class.

`SchemaParser.type` follows `$ref`s (with a guard against cycles), applies `nullable`, splits type
arrays, and hands each kind to its parser: objects and `allOf` (`objects.py`), enums and constants
(`enums.py`), `oneOf`/`anyOf` (`unions.py`); arrays, primitives and free-form schemas are read here.
Schemas are read as JSON Schema, straight from the document's data: every keyword (`nullable`,
`const`, `discriminator`, type arrays) keeps its JSON pointer for messages.

Until the validation's verdict is in, the data may be anything: the parser must not assume it is
valid OpenAPI, only fail cleanly (the pipeline then reports the validation's error instead).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import ir, naming
from ..diagnostics import Collector, InputError, join_pointer, unescape_pointer_token
from ..load import Document
from . import enums, objects, unions
from .common import dedupe, skip
from .registry import ClassRegistry, SchemaKey
from .resolver import Resolver, describe_cycle

_FORMATS: dict[str, ir.Primitive] = {
    "date-time": "datetime",
    "date": "date",
    "binary": "bytes",
}
_PRIMITIVES: dict[str, ir.Primitive] = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "null": "none",
}
# list[...] and dict[...] nested deeper than this become Any (see SchemaParser.shallow).
MAX_TYPE_NESTING = 100
_UNSUPPORTED_KEYWORDS = ("not", "if", "patternProperties")


class SchemaParser:
    """Turns the schemas of one API into IR types, registering the classes they become."""

    def __init__(self, doc: Document, resolver: Resolver, report: Collector) -> None:
        self.doc = doc
        self.resolver = resolver
        self.report = report
        self.registry = ClassRegistry()
        # The schemas being built, innermost last: a `$ref` or `allOf` back to one is a cycle.
        self.merging: list[SchemaKey] = []
        self.discriminated = False  # whether any union was given a discriminator

    # ---------------------------------------------------------------------------- component schemas
    def reserve_components(self) -> None:
        """Component schemas claim their class names first, in document order."""
        for name, schema in self._component_schemas().items():
            if isinstance(schema, dict) and objects.becomes_class(schema):
                pointer = join_pointer("/components/schemas", name)
                self.registry.reserve((self.doc.path, pointer), naming.class_name(name))

    def build_components(self) -> None:
        """Every component schema that is a class is generated, used by an operation or not."""
        for name, schema in self._component_schemas().items():
            pointer = join_pointer("/components/schemas", name)
            named = self.registry.named.get((self.doc.path, pointer))
            if named is not None and named.kind == "pending":
                try:
                    self.type(schema, self.doc, pointer, named.name)
                except InputError as error:
                    skip(self.report, error, f"the component schema {name!r}")

    def _component_schemas(self) -> dict[str, Any]:
        schemas: dict[str, Any] = (self.doc.data.get("components") or {}).get("schemas") or {}
        return schemas

    # ------------------------------------------------------------------------------------ any schema
    def type(self, schema: Any, doc: Document, at: str, hint: str) -> ir.TypeRef:
        """The IR type of `schema` found at (`doc`, `at`); `hint` names any class it creates."""
        if schema is True or schema == {}:
            return ir.ANY
        if not isinstance(schema, dict):
            raise InputError("schema must be a mapping", doc.location(at), "invalid")
        if "$ref" in schema:
            return self._reference(schema["$ref"], doc, at)
        for keyword in _UNSUPPORTED_KEYWORDS:
            if keyword in schema:
                self.report.warn(
                    f"schema keyword {keyword!r} is not checked by the client",
                    doc.location(join_pointer(at, keyword)),
                    "unsupported-keyword",
                )
        nullable = schema.get("nullable") is True
        type_ = self._type_inner(schema, doc, at, hint)
        return (
            ir.NullableType(type_) if nullable and not isinstance(type_, ir.NullableType) else type_
        )

    def _reference(self, ref: Any, doc: Document, at: str) -> ir.TypeRef:
        if not isinstance(ref, str):
            raise InputError("$ref must be a string", doc.location(at), "invalid")
        target_doc, pointer, target = self.resolver.resolve(ref, doc, join_pointer(at, "$ref"))
        key = (target_doc.path, pointer)
        named = self.registry.named.get(key)
        if named is not None and named.kind != "pending":
            if named.kind == "enum":
                return ir.EnumRef(named.name)
            model = ir.ModelRef(named.name)
            untyped = allows_null_untyped(target, self._resolving(target_doc, pointer))
            return ir.NullableType(model) if untyped else model
        if key in self.merging:
            raise InputError("circular $ref: " + self.cycle(key), doc.location(at), "ref-cycle")
        name = pointer.rsplit("/", 1)[-1]
        self.merging.append(key)
        try:
            return self.type(
                target, target_doc, pointer, naming.class_name(unescape_pointer_token(name))
            )
        finally:
            self.merging.pop()

    def _resolving(self, doc: Document, at: str) -> Callable[[str], Any]:
        """What a `$ref` written at `at` of `doc` points at (`$ref`s inside a referenced file
        are read relative to that file only one step deep: enough to see a part's `type`)."""

        def resolve(ref: str) -> Any:
            return self.resolver.resolve(ref, doc, at)[2]

        return resolve

    def cycle(self, key: SchemaKey) -> str:
        """The schemas of the cycle that comes back to `key` (`#/a -> #/b -> #/a`)."""
        return describe_cycle([*self.merging, key], self.doc.path)

    def _type_inner(self, schema: dict[str, Any], doc: Document, at: str, hint: str) -> ir.TypeRef:
        for keyword in ("const", "enum"):
            values = [schema.get(keyword)] if keyword == "const" else schema.get(keyword)
            if (
                keyword in schema
                and isinstance(values, list)
                and any(isinstance(v, dict | list) for v in values)
            ):
                # A Literal cannot hold them: check the shape the schema's other keywords give.
                self.report.warn(
                    f"`{keyword}` with object or array values is not checked by the client",
                    doc.location(join_pointer(at, keyword)),
                    "unsupported-keyword",
                )
                schema = {k: v for k, v in schema.items() if k != keyword}
        if "const" in schema:
            return enums.parse_literal(
                self, [schema["const"]], doc.location(join_pointer(at, "const")), "const"
            )
        if "enum" in schema:
            return enums.parse_enum(self, schema, doc, at, hint)
        for combiner in ("oneOf", "anyOf"):
            if isinstance(schema.get(combiner), list) and schema[combiner]:
                return unions.parse_union(self, schema, combiner, doc, at, hint)
        if isinstance(schema.get("allOf"), list) and schema["allOf"]:
            type_ = objects.parse_all_of(self, schema, doc, at, hint)
            if schema.get("type") == "object" and isinstance(type_, ir.NullableType):
                # One part that lets null through, under a `type: object` that does not (a
                # `nullable: true` beside it is applied by the caller).
                type_ = type_.inner
            untyped = allows_null_untyped(schema, self._resolving(doc, at))
            return (
                ir.NullableType(type_)
                if untyped and not isinstance(type_, ir.NullableType)
                else type_
            )
        kind = schema.get("type")
        if isinstance(kind, list):
            return self._type_array(schema, kind, doc, at, hint)
        if objects.is_object(schema):
            type_ = objects.parse_object(self, schema, doc, at, hint)
            return ir.NullableType(type_) if allows_null_untyped(schema) else type_
        if kind == "array":
            return self._array(schema, doc, at, hint)
        if kind == "string":
            return ir.PrimitiveType(_FORMATS.get(str(schema.get("format")), "str"))
        if isinstance(kind, str) and kind in _PRIMITIVES:
            return ir.PrimitiveType(_PRIMITIVES[kind])
        if kind is not None:
            raise InputError(
                f"unknown schema type {kind!r}", doc.location(join_pointer(at, "type")), "invalid"
            )
        return ir.ANY

    def _type_array(
        self, schema: dict[str, Any], kinds: list[Any], doc: Document, at: str, hint: str
    ) -> ir.TypeRef:
        """`type: [a, b, "null"]` (3.1): one type per kind, nullable when "null" is among them."""
        options = [self.type({**schema, "type": k}, doc, at, hint) for k in kinds if k != "null"]
        inner = (
            options[0]
            if len(options) == 1
            else ir.UnionType(tuple(dedupe(options)))
            if options
            else ir.PrimitiveType("none")
        )
        return ir.NullableType(inner) if "null" in kinds and options else inner

    # ---------------------------------------------------------------------------------------- arrays
    def _array(self, schema: dict[str, Any], doc: Document, at: str, hint: str) -> ir.TypeRef:
        items = schema.get("items")
        if items is None or items is False:  # (`false`: no items beyond `prefixItems`)
            item: ir.TypeRef = ir.ANY
        else:
            item = self.type(items, doc, join_pointer(at, "items"), hint + "Item")
            item = self.shallow(item, doc, join_pointer(at, "items"))
        prefix = schema.get("prefixItems")
        if not isinstance(prefix, list):
            return ir.ListType(item)
        # JSON Schema 2020-12's tuples: the type of each leading item, then of the rest (`items`;
        # none at all for `items: false`, anything when `items` is absent).
        types = tuple(
            self.type(p, doc, join_pointer(at, "prefixItems", i), f"{hint}Item{i + 1}")
            for i, p in enumerate(prefix)
        )
        return ir.ListType(item, ir.TupleType(types, None if items is False else item))

    def shallow(self, type_: ir.TypeRef, doc: Document, at: str) -> ir.TypeRef:
        """`type_`, or Any when wrapping it once more would nest `list[...]`/`dict[...]` deeper than
        Python can parse (its parser stops at 200 nested brackets in one statement)."""
        depth, inner = 0, type_
        while True:
            if isinstance(inner, ir.NullableType):
                inner = inner.inner
            elif isinstance(inner, ir.ListType):
                depth, inner = depth + 1, inner.item
            elif isinstance(inner, ir.DictType):
                depth, inner = depth + 1, inner.value
            else:
                break
        if depth < MAX_TYPE_NESTING:
            return type_
        self.report.warn(
            f"arrays and maps nest more than {MAX_TYPE_NESTING} levels here; "
            "the client does not check the items below",
            doc.location(at),
            "too-deep",
        )
        return ir.ANY


def allows_null_untyped(
    schema: Any, resolve: Callable[[str], Any] | None = None, depth: int = 0
) -> bool:
    """Whether `schema` is an object schema that names no `type`, so that JSON Schema lets any
    value through, null included: the client reads it as its model (or map) or None. (Other values
    would contradict the object it describes, and are refused to keep the model typed.) An `allOf`
    lets null through when neither it nor any of its parts (followed through `resolve`, which
    gives the schema a `$ref` points at) names a type."""
    if not isinstance(schema, dict) or "type" in schema:
        return False
    parts = schema.get("allOf")
    if parts is None:
        return "properties" in schema or "additionalProperties" in schema
    if resolve is None or not isinstance(parts, list) or not parts or depth > _ALL_OF_DEPTH:
        return False
    return all(_untyped_part(part, resolve, depth) for part in parts)


_ALL_OF_DEPTH = 16  # parts of parts followed; deeper (or circular) ones count as typed


def _untyped_part(part: Any, resolve: Callable[[str], Any], depth: int) -> bool:
    """Whether one part of an `allOf` lets null through (an untyped object, or nothing at all)."""
    if isinstance(part, dict) and isinstance(part.get("$ref"), str):
        try:
            part = resolve(part["$ref"])
        except InputError:
            return False
    if not isinstance(part, dict) or "type" in part:
        return False
    if "allOf" in part:
        return allows_null_untyped(part, resolve, depth + 1)
    return not any(k in part for k in ("oneOf", "anyOf", "enum", "const", "items", "not"))
