"""Stage 2, parse: a loaded OpenAPI document -> the IR (`ir.Api`).

The document is checked (an OpenAPI 3.0 or 3.1 version, `paths`), repaired (`repair.py`) and handed to
the validation (`validate.py`: openapi-pydantic's models, in a worker process while this stage and the
later ones run); the walk here reads the same plain data. Schemas are read as JSON Schema: JSON Schema
is open-ended, and reading it directly keeps every keyword (`nullable`, `const`, `discriminator`, type
arrays) with its JSON pointer for messages. Until the validation's verdict is in, the data may be
anything: the walk must not assume it is valid OpenAPI, only fail cleanly (the pipeline then reports
the validation's error in preference to its own).

Problems are values: recoverable ones become warnings (with file, line, pointer) or `skipped` entries,
and only input that cannot be understood raises `InputError`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from . import ir, naming
from .diagnostics import Collector, InputError, Location, join_pointer, unescape_pointer_token
from .load import Document, load_document
from .repair import HTTP_METHODS, apply_repairs

if TYPE_CHECKING:
    from .validate import Validation

_JSON_TYPES = re.compile(r"^application/([\w.+-]*\+)?json(;.*)?$|^\*/\*$|^application/\*$")
_SKIPPED_HEADERS = {"authorization", "content-type", "accept", "content-length", "user-agent"}
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
# list[...] and dict[...] nested deeper than this become Any (see ApiParser._shallow).
_MAX_TYPE_NESTING = 100
_UNSUPPORTED_KEYWORDS = ("not", "if", "patternProperties", "prefixItems")


def check_openapi(doc: Document) -> str:
    """Return the document's OpenAPI version, or raise if it is not an OpenAPI 3.x document."""
    data = doc.data
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "null"
        raise InputError(
            f"not an OpenAPI document: the top level is a {_json_kind(kind)}, not a mapping",
            doc.location(""),
            "not-openapi",
        )
    if "swagger" in data:
        raise InputError(
            f"Swagger {data.get('swagger')} is not supported: convert the document to OpenAPI 3",
            doc.location("/swagger"),
            "swagger",
        )
    version = data.get("openapi")
    if version is None:
        raise InputError(
            "not an OpenAPI document: no `openapi` version field", doc.location(""), "not-openapi"
        )
    if not isinstance(version, str) or not re.fullmatch(r"3\.[01](\.\d+)?(-[\w.]+)?", version):
        raise InputError(
            f"unsupported OpenAPI version {version!r}: jobgen reads 3.0 and 3.1",
            doc.location("/openapi"),
            "version",
        )
    if not isinstance(data.get("paths"), dict):
        pointer = "/paths" if "paths" in data else ""
        what = "is not a mapping" if "paths" in data else "is missing"
        raise InputError(f"`paths` {what}", doc.location(pointer), "no-paths")
    return version


def _json_kind(python_type: str) -> str:
    return {
        "list": "list",
        "str": "string",
        "int": "number",
        "float": "number",
        "bool": "boolean",
    }.get(python_type, python_type)


# ------------------------------------------------------------------------------------ reference resolver
class Resolver:
    """Resolves `$ref`s, local and to other files, into (document, pointer, data)."""

    def __init__(self, root: Document, report: Collector) -> None:
        self.root = root
        self.report = report
        self.documents: dict[str, Document] = {str(Path(root.path).resolve()): root}

    def resolve(self, ref: str, doc: Document, at: str) -> tuple[Document, str, Any]:
        file_part, _, fragment = ref.partition("#")
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", file_part):
            raise InputError(
                f"remote $ref {ref!r} is not supported: download it and refer to the file",
                doc.location(at),
                "remote-ref",
            )
        target = self._document(file_part, doc, at) if file_part else doc
        pointer = fragment
        if pointer and not pointer.startswith("/"):
            raise InputError(
                f"$ref {ref!r} has an invalid JSON pointer", doc.location(at), "bad-ref"
            )
        node = target.data
        for token in pointer.split("/")[1:]:
            key = unescape_pointer_token(token)
            if isinstance(node, dict) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                raise InputError(
                    f"unresolvable $ref {ref!r}: {target.path} has nothing at {pointer}",
                    doc.location(at),
                    "unresolved-ref",
                )
        return target, pointer, node

    def _document(self, file_part: str, doc: Document, at: str) -> Document:
        base = Path(doc.path).parent
        path = (base / file_part).resolve()
        key = str(path)
        if key not in self.documents:
            try:
                loaded = load_document(path, display=str(base / file_part))
            except InputError as exc:
                raise InputError(
                    f"$ref to {file_part!r}: {exc.diagnostic.message}",
                    doc.location(at),
                    "unresolved-ref",
                ) from None
            apply_repairs(loaded, self.report)
            self.documents[key] = loaded
        return self.documents[key]


# --------------------------------------------------------------------------------------- the parser
@dataclass
class _Named:
    """A schema that became (or is becoming) a named class."""

    name: str
    kind: str  # "model" | "enum" | "pending"


class ApiParser:
    def __init__(
        self, doc: Document, api_name: str, report: Collector, validation: Validation | None = None
    ) -> None:
        self.doc = doc
        self.validation = validation
        self.api_name = api_name
        self.report = report
        self.resolver = Resolver(doc, report)
        self.class_names = naming.Scope(naming.MODULE_LEVEL_NAMES, sep="")
        self.models: dict[str, ir.Model] = {}
        self.enums: dict[str, ir.Enum] = {}
        # Class names in the order they were created (a dict: an ordered set, O(1) membership).
        self.order: dict[str, None] = {}
        # (document path, pointer) -> class name, for schemas that became classes
        self.named: dict[tuple[str, str], _Named] = {}
        self.merging: list[tuple[str, str]] = []
        self.discriminated = False  # whether any union was given a discriminator

    # ---------------------------------------------------------------------------------- entry point
    def parse(self) -> ir.Api:
        version = check_openapi(self.doc)
        apply_repairs(self.doc, self.report)
        if self.validation is not None:
            self.validation.submit(self.doc, version)
        else:
            from .validate import Validation

            checker = Validation(concurrent=False)
            checker.submit(self.doc, version)
            checker.raise_first_error()
        data = self.doc.data
        self._reserve_component_names()
        operations = self._operations()
        self._components()
        for name in ("webhooks",):
            hooks = data.get(name)
            if isinstance(hooks, dict):
                for hook in hooks:
                    self.report.skip(
                        "webhooks describe calls the API makes, not calls a client makes",
                        self.doc.location(join_pointer("/webhooks", hook)),
                        "webhook",
                    )
        info = data.get("info") if isinstance(data.get("info"), dict) else {}
        classes = [self.models.get(n) or self.enums[n] for n in self.order]
        api = ir.Api(
            name=self.api_name,
            title=str(info.get("title", self.api_name)),
            version=str(info.get("version", "")),
            description=str(info.get("description", "") or ""),
            source=self.doc.path,
            openapi_version=version,
            servers=self._servers(data.get("servers")),
            operations=tuple(operations),
            models=tuple(c for c in classes if isinstance(c, ir.Model)),
            enums=tuple(c for c in classes if isinstance(c, ir.Enum)),
            auth_schemes=self._auth_schemes(data),
        )
        # Settling rebuilds the IR; without a discriminator anywhere it would change nothing.
        return settle_discriminators(api) if self.discriminated else api

    def _reserve_component_names(self) -> None:
        """Component schemas claim their class names first, in document order."""
        schemas = (self.doc.data.get("components") or {}).get("schemas") or {}
        for name, schema in schemas.items():
            if isinstance(schema, dict) and self._becomes_class(schema):
                pointer = join_pointer("/components/schemas", name)
                self.named[(self.doc.path, pointer)] = _Named(
                    self.class_names.claim(naming.class_name(name)), "pending"
                )

    def _components(self) -> None:
        """Every component schema that is a class is generated, used by an operation or not."""
        schemas = (self.doc.data.get("components") or {}).get("schemas") or {}
        for name, schema in schemas.items():
            pointer = join_pointer("/components/schemas", name)
            named = self.named.get((self.doc.path, pointer))
            if named is not None and named.kind == "pending":
                self._type(schema, self.doc, pointer, named.name)

    # ------------------------------------------------------------------------------------ servers
    def _servers(self, servers: Any) -> tuple[ir.Server, ...]:
        result: list[ir.Server] = []
        regions = naming.Scope(sep="-")
        for server in servers if isinstance(servers, list) else []:
            if not isinstance(server, dict) or not isinstance(server.get("url"), str):
                continue
            url = server["url"]
            for var, spec in (server.get("variables") or {}).items():
                if isinstance(spec, dict) and "default" in spec:
                    url = url.replace("{" + var + "}", str(spec["default"]))
            description = str(server.get("description") or "")
            result.append(
                ir.Server(url.rstrip("/"), description, regions.claim(_region(description, url)))
            )
        return tuple(result)

    @staticmethod
    def _auth_schemes(data: dict[str, Any]) -> tuple[str, ...]:
        schemes = (data.get("components") or {}).get("securitySchemes") or {}
        return tuple(sorted(str(k) for k in schemes))

    # --------------------------------------------------------------------------------- operations
    def _operations(self) -> list[ir.Operation]:
        result: list[ir.Operation] = []
        method_names: dict[str, naming.Scope] = {}
        seen_ids: dict[str, Location] = {}
        for path, item_data in self.doc.data["paths"].items():
            item_pointer = join_pointer("/paths", path)
            if isinstance(item_data, dict) and "$ref" in item_data:
                _, _, item_data = self.resolver.resolve(item_data["$ref"], self.doc, item_pointer)
            if not isinstance(item_data, dict):
                continue  # not a path item: the validation reports it
            for method in HTTP_METHODS:
                op = item_data.get(method)
                if not isinstance(op, dict):
                    continue
                pointer = join_pointer(item_pointer, method)
                location = self.doc.location(pointer)
                op_id = _text(op.get("operationId"))
                if op_id in seen_ids:
                    self.report.warn(
                        f"duplicate operationId {op_id!r} (first at {seen_ids[op_id]}); "
                        "the method name gets a numeric suffix",
                        location,
                        "duplicate-operation-id",
                    )
                seen_ids.setdefault(op_id, location)
                tags = op.get("tags")
                resource = (
                    _text(tags[0]) if isinstance(tags, list) and tags else _resource_from_path(path)
                )
                scope = method_names.setdefault(naming.snake(resource), naming.Scope())
                py_name = scope.claim(naming.method_name(op_id))
                params = self._params(
                    item_data.get("parameters") or [],
                    item_pointer,
                    op_data := op,
                    pointer,
                    path,
                )
                body = self._body(
                    op_data.get("requestBody"), join_pointer(pointer, "requestBody"), op_id
                )
                responses = self._responses(op_data.get("responses") or {}, pointer, op_id)
                operation = ir.Operation(
                    operation_id=op_id,
                    py_name=py_name,
                    method=method.upper(),
                    path=path,
                    resource=resource,
                    summary=_text(op.get("summary")),
                    description=_text(op.get("description")),
                    params=params,
                    body=body,
                    responses=responses,
                    location=location,
                    deprecated=op.get("deprecated") is True,
                )
                result.append(_with_pagination(operation, self.models))
        return result

    def _params(
        self,
        shared: list[Any],
        shared_pointer: str,
        op_data: dict[str, Any],
        pointer: str,
        path: str,
    ) -> tuple[ir.Param, ...]:
        merged: dict[tuple[str, str], tuple[dict[str, Any], str, Document]] = {}
        lists = (
            (shared, join_pointer(shared_pointer, "parameters")),
            (op_data.get("parameters") or [], join_pointer(pointer, "parameters")),
        )
        for entries, base in lists:
            for index, raw in enumerate(entries):
                at = join_pointer(base, index)
                doc, data = self.doc, raw
                if isinstance(raw, dict) and "$ref" in raw:
                    doc, at, data = self.resolver.resolve(raw["$ref"], self.doc, at)
                if not isinstance(data, dict) or "name" not in data or "in" not in data:
                    raise InputError("parameter needs `name` and `in`", doc.location(at), "invalid")
                merged[(str(data["name"]), str(data["in"]))] = (data, at, doc)
        placeholders = re.findall(r"{([^}]+)}", path)
        scope = naming.Scope({"self", "options", "body"})
        params: list[ir.Param] = []
        for (name, where), (data, at, doc) in merged.items():
            location = doc.location(at)
            if where == "header" and name.lower() in _SKIPPED_HEADERS:
                self.report.warn(
                    f"header parameter {name!r} is set by the client (auth and content negotiation), "
                    "not by a method argument",
                    location,
                    "client-header",
                )
                continue
            if where == "path" and name not in placeholders:
                self.report.warn(
                    f"path parameter {name!r} does not appear in the path {path!r}; ignored",
                    location,
                    "path-param-unused",
                )
                continue
            if where not in ("path", "query", "header", "cookie"):
                raise InputError(f"parameter location {where!r} is not valid", location, "invalid")
            schema = data.get("schema")
            if schema is None and isinstance(data.get("content"), dict):
                media: Any = next(iter(data["content"].values()), {})
                schema = media.get("schema") if isinstance(media, dict) else None
            type_ = (
                self._type(schema, doc, join_pointer(at, "schema"), naming.class_name(name))
                if schema is not None
                else ir.PrimitiveType("str")
            )
            params.append(
                ir.Param(
                    wire_name=name,
                    py_name=scope.claim(naming.param_name(name)),
                    where=cast(ir.ParamIn, where),
                    type=type_,
                    required=bool(data.get("required")) or where == "path",
                    description=str(data.get("description") or ""),
                    is_filter=where == "query" and name == "filter",
                )
            )
        declared = {p.wire_name for p in params if p.where == "path"}
        for name in placeholders:
            if name not in declared:
                self.report.warn(
                    f"path placeholder {{{name}}} has no parameter; treated as a required string",
                    self.doc.location(pointer),
                    "path-param-undeclared",
                )
                params.append(
                    ir.Param(
                        name,
                        scope.claim(naming.param_name(name)),
                        "path",
                        ir.PrimitiveType("str"),
                        True,
                    )
                )
        # Path parameters first, in path order; then the rest in declaration order.
        order = {name: i for i, name in enumerate(placeholders)}
        params.sort(
            key=lambda p: (p.where != "path", order.get(p.wire_name, 0) if p.where == "path" else 0)
        )
        return tuple(params)

    def _body(self, raw: Any, pointer: str, op_id: str) -> ir.Body | None:
        if raw is None:
            return None
        doc, at, data = self.doc, pointer, raw
        if isinstance(raw, dict) and "$ref" in raw:
            doc, at, data = self.resolver.resolve(raw["$ref"], self.doc, pointer)
        content = data.get("content") if isinstance(data, dict) else None
        if not isinstance(content, dict) or not content:
            self.report.warn(
                "request body has no content; no body is sent", doc.location(at), "empty-body"
            )
            return None
        chosen = _choose_content(content)
        if chosen is None:
            self.report.skip(
                f"request body content types {sorted(content)} are not supported",
                doc.location(join_pointer(at, "content")),
                "body-content",
            )
            return None
        content_type, kind = cast(tuple[str, "ir.BodyKind"], chosen)
        for other in content:
            if other != content_type:
                self.report.warn(
                    f"request body also accepts {other!r}; the client sends {content_type!r}",
                    doc.location(join_pointer(at, "content", other)),
                    "body-alternative",
                )
        media: dict[str, Any] = (
            content[content_type] if isinstance(content[content_type], dict) else {}
        )
        schema_at = join_pointer(at, "content", content_type, "schema")
        schema = media.get("schema")
        hint = naming.class_name(op_id) + "Body"
        required = bool(data.get("required"))
        description = str(data.get("description") or "")
        if kind in ("multipart", "form"):
            parts = self._parts(schema, doc, schema_at, hint)
            return ir.Body(content_type, kind, ir.ANY, required, parts, description)
        if kind == "binary":
            return ir.Body(content_type, kind, ir.PrimitiveType("bytes"), required, (), description)
        if kind == "text":
            return ir.Body(content_type, kind, ir.PrimitiveType("str"), required, (), description)
        type_ = self._type(schema, doc, schema_at, hint) if schema is not None else ir.ANY
        return ir.Body(content_type, "json", type_, required, (), description)

    def _parts(self, schema: Any, doc: Document, at: str, hint: str) -> tuple[ir.BodyPart, ...]:
        if isinstance(schema, dict) and "$ref" in schema:
            doc, at, schema = self.resolver.resolve(schema["$ref"], doc, at)
        properties, required, _ = self._object_parts(
            schema if isinstance(schema, dict) else {}, doc, at
        )
        scope = naming.Scope({"self", "options", "body"})
        parts: list[ir.BodyPart] = []
        for wire, (prop, prop_doc, prop_at) in properties.items():
            is_file = isinstance(prop, dict) and (
                prop.get("format") == "binary"
                or prop.get("contentMediaType") == "application/octet-stream"
                or (prop.get("type") == "string" and prop.get("contentEncoding") == "binary")
            )
            type_ = (
                ir.PrimitiveType("bytes")
                if is_file
                else self._type(prop, prop_doc, prop_at, hint + naming.class_name(wire))
            )
            parts.append(
                ir.BodyPart(
                    wire_name=wire,
                    py_name=scope.claim(naming.param_name(wire)),
                    type=type_,
                    required=wire in required,
                    is_file=is_file,
                    description=_description(prop),
                )
            )
        return tuple(parts)

    def _responses(self, raw: dict[str, Any], pointer: str, op_id: str) -> tuple[ir.Response, ...]:
        result: list[ir.Response] = []
        success = [s for s in raw if str(s).startswith("2")]
        for status, response in raw.items():
            at = join_pointer(pointer, "responses", status)
            doc, data = self.doc, response
            if isinstance(response, dict) and "$ref" in response:
                doc, at, data = self.resolver.resolve(response["$ref"], self.doc, at)
            if not isinstance(data, dict):
                raise InputError("response must be a mapping", doc.location(at), "invalid")
            raw_content = data.get("content")
            content: dict[str, Any] = raw_content if isinstance(raw_content, dict) else {}
            json_type = next((ct for ct in content if _JSON_TYPES.match(ct)), None)
            type_: ir.TypeRef | None = None
            content_type = json_type or next(iter(content), None)
            if json_type is not None:
                media: dict[str, Any] = (
                    content[json_type] if isinstance(content[json_type], dict) else {}
                )
                schema = media.get("schema")
                suffix = "Response" + (
                    str(status) if len(success) > 1 or not str(status).startswith("2") else ""
                )
                if schema is not None:
                    type_ = self._type(
                        schema,
                        doc,
                        join_pointer(at, "content", json_type, "schema"),
                        naming.class_name(op_id) + suffix,
                    )
                else:
                    type_ = ir.ANY
            result.append(
                ir.Response(str(status), str(data.get("description") or ""), type_, content_type)
            )
        return tuple(result)

    # ------------------------------------------------------------------------------------ schemas
    def _becomes_class(self, schema: dict[str, Any]) -> bool:
        if "enum" in schema:
            values = (
                [v for v in schema["enum"] if v is not None]
                if isinstance(schema["enum"], list)
                else []
            )
            kinds = {type(v) for v in values}
            return len(values) > 1 and (kinds <= {str} or kinds <= {int})
        return _is_object(schema) and (
            bool(schema.get("properties"))
            or bool(schema.get("allOf") and self._allof_has_properties(schema))
        )

    def _allof_has_properties(self, schema: dict[str, Any]) -> bool:
        return (
            any(
                isinstance(part, dict) and "$ref" not in part and bool(part.get("properties"))
                for part in schema.get("allOf") or []
            )
            or sum(
                1 for part in schema.get("allOf") or [] if isinstance(part, dict) and "$ref" in part
            )
            > 1
        )

    def _type(self, schema: Any, doc: Document, at: str, hint: str) -> ir.TypeRef:
        """The IR type of `schema` found at (`doc`, `at`); `hint` names any class it creates."""
        if schema is True or schema == {}:
            return ir.ANY
        if not isinstance(schema, dict):
            raise InputError("schema must be a mapping", doc.location(at), "invalid")
        if "$ref" in schema:
            ref = schema["$ref"]
            if not isinstance(ref, str):
                raise InputError("$ref must be a string", doc.location(at), "invalid")
            target_doc, pointer, target = self.resolver.resolve(ref, doc, join_pointer(at, "$ref"))
            key = (target_doc.path, pointer)
            if key in self.named and self.named[key].kind != "pending":
                named = self.named[key]
                return ir.ModelRef(named.name) if named.kind == "model" else ir.EnumRef(named.name)
            if key in self.merging:
                raise InputError(
                    f"$ref {ref!r} refers back to itself", doc.location(at), "ref-cycle"
                )
            name = pointer.rsplit("/", 1)[-1]
            self.merging.append(key)
            try:
                return self._type(
                    target, target_doc, pointer, naming.class_name(unescape_pointer_token(name))
                )
            finally:
                self.merging.pop()
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
            return self._literal(
                [schema["const"]], doc.location(join_pointer(at, "const")), "const"
            )
        if "enum" in schema:
            return self._enum(schema, doc, at, hint)
        for combiner in ("oneOf", "anyOf"):
            if isinstance(schema.get(combiner), list) and schema[combiner]:
                return self._union(schema, combiner, doc, at, hint)
        if isinstance(schema.get("allOf"), list) and schema["allOf"]:
            return self._all_of(schema, doc, at, hint)
        kind = schema.get("type")
        if isinstance(kind, list):
            options = [
                self._type({**schema, "type": k}, doc, at, hint) for k in kind if k != "null"
            ]
            inner = (
                options[0]
                if len(options) == 1
                else ir.UnionType(tuple(_dedupe(options)))
                if options
                else ir.PrimitiveType("none")
            )
            return ir.NullableType(inner) if "null" in kind and options else inner
        if _is_object(schema):
            return self._object(schema, doc, at, hint)
        if kind == "array":
            items = schema.get("items")
            if items is None:
                return ir.ListType(ir.ANY)
            item = self._type(items, doc, join_pointer(at, "items"), hint + "Item")
            return ir.ListType(self._shallow(item, doc, join_pointer(at, "items")))
        if kind == "string":
            return ir.PrimitiveType(_FORMATS.get(str(schema.get("format")), "str"))
        if isinstance(kind, str) and kind in _PRIMITIVES:
            return ir.PrimitiveType(_PRIMITIVES[kind])
        if kind is not None:
            raise InputError(
                f"unknown schema type {kind!r}", doc.location(join_pointer(at, "type")), "invalid"
            )
        return ir.ANY

    def _shallow(self, type_: ir.TypeRef, doc: Document, at: str) -> ir.TypeRef:
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
        if depth < _MAX_TYPE_NESTING:
            return type_
        self.report.warn(
            f"arrays and maps nest more than {_MAX_TYPE_NESTING} levels here; "
            "the client does not check the items below",
            doc.location(at),
            "too-deep",
        )
        return ir.ANY

    def _enum(self, schema: dict[str, Any], doc: Document, at: str, hint: str) -> ir.TypeRef:
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
            self.report.warn(
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
        kinds = {type(v) for v in present}
        # Numbers with a float among them: a `float, Enum` (when every integer is a float exactly).
        floats = float in kinds and kinds <= {int, float} and all(map(_exact_float, present))
        if len(present) <= 1 or not (kinds <= {str} or kinds <= {int} or floats):
            literal = self._literal(present, where, "enum") if present else ir.PrimitiveType("none")
            return ir.NullableType(literal) if nullable and present else literal
        key = (doc.path, at)
        name = self._claim(key, hint, "enum")
        members: list[ir.EnumMember] = []
        scope = naming.Scope()
        seen: set[object] = set()
        for value in present:
            if value in seen:
                self.report.warn(
                    f"enum value {value!r} is listed twice",
                    doc.location(join_pointer(at, "enum")),
                    "enum-duplicate",
                )
                continue
            seen.add(value)
            member = naming.enum_member(value)
            claimed = scope.claim(member)
            if claimed != member:
                self.report.warn(
                    f"enum values collide as Python names; {value!r} becomes {claimed}",
                    doc.location(join_pointer(at, "enum")),
                    "enum-collision",
                )
            members.append(ir.EnumMember(claimed, float(value) if floats else value))
        value_kind: Literal["str", "int", "float"] = (
            "str" if kinds <= {str} else "float" if floats else "int"
        )
        self.enums[name] = ir.Enum(
            name, tuple(members), value_kind, doc.location(at), _description(schema)
        )
        self.named[key] = _Named(name, "enum")
        return ir.NullableType(ir.EnumRef(name)) if nullable else ir.EnumRef(name)

    def _literal(self, values: list[Any], where: Location, keyword: str) -> ir.TypeRef:
        """`Literal[values]`; floats, which a Literal cannot hold, are typed `float` beside it."""
        floats = [v for v in values if isinstance(v, float)]
        # Deduplicated by type as well as value: `1 == True`, but JSON's 1 and true differ.
        others = list({(type(v), v): v for v in values if not isinstance(v, float)}.values())
        if not floats:
            return ir.LiteralType(tuple(others))
        one = len(floats) == 1
        self.report.warn(
            f"{keyword} value{'' if one else 's'} {', '.join(map(repr, floats))} "
            f"{'is a float' if one else 'are floats'}, which a Literal cannot hold: "
            f"the client types {'it' if one else 'them'} as float "
            f"and does not check {'it' if one else 'them'}",
            where,
            "enum-float",
        )
        number = ir.PrimitiveType("float")
        return ir.UnionType((number, ir.LiteralType(tuple(others)))) if others else number

    def _claim(self, key: tuple[str, str], hint: str, kind: str) -> str:
        existing = self.named.get(key)
        name = existing.name if existing is not None else self.class_names.claim(hint)
        self.named[key] = _Named(name, kind)
        if name not in self.order:
            self.order[name] = None
        return name

    def _union(
        self, schema: dict[str, Any], combiner: str, doc: Document, at: str, hint: str
    ) -> ir.TypeRef:
        options: list[ir.TypeRef] = []
        nullable = False
        for index, option in enumerate(schema[combiner]):
            type_ = self._type(
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
        if _is_object(schema) and schema.get("properties"):
            self.report.warn(
                f"properties beside {combiner} are ignored",
                doc.location(join_pointer(at, "properties")),
                "union-properties",
            )
        options = _dedupe(options)
        discriminator = schema.get("discriminator")
        prop = discriminator.get("propertyName") if isinstance(discriminator, dict) else None
        if prop and not all(isinstance(o, ir.ModelRef) for o in options):
            prop = None
        if not options:
            return ir.PrimitiveType("none")
        self.discriminated |= bool(prop) and len(options) > 1
        result: ir.TypeRef = options[0] if len(options) == 1 else ir.UnionType(tuple(options), prop)
        return ir.NullableType(result) if nullable else result

    def _all_of(self, schema: dict[str, Any], doc: Document, at: str, hint: str) -> ir.TypeRef:
        parts = [p for p in schema["allOf"] if isinstance(p, dict)]
        refs = [p for p in parts if "$ref" in p]
        inline = [p for p in parts if "$ref" not in p and _is_meaningful(p)]
        own = {k: v for k, v in schema.items() if k != "allOf"}
        if len(refs) == 1 and not inline and not own.get("properties"):
            index = parts.index(refs[0])
            return self._type(refs[0], doc, join_pointer(at, "allOf", index), hint)
        if not refs and len(inline) == 1 and not own.get("properties"):
            index = parts.index(inline[0])
            return self._type({**own, **inline[0]}, doc, join_pointer(at, "allOf", index), hint)
        return self._object(schema, doc, at, hint)

    def _object_parts(
        self, schema: dict[str, Any], doc: Document, at: str
    ) -> tuple[dict[str, tuple[Any, Document, str]], set[str], Any]:
        """Properties (merged through allOf), required names and additionalProperties of an object."""
        properties: dict[str, tuple[Any, Document, str]] = {}
        required: set[str] = set()
        additional: Any = None
        for index, part in enumerate(schema.get("allOf") or []):
            part_doc, part_at = doc, join_pointer(at, "allOf", index)
            if isinstance(part, dict) and "$ref" in part:
                part_doc, part_at, part = self.resolver.resolve(
                    part["$ref"], doc, join_pointer(part_at, "$ref")
                )
                key = (part_doc.path, part_at)
                if key in self.merging:
                    raise InputError(
                        "allOf refers back to the schema it is part of (a $ref cycle)",
                        doc.location(join_pointer(at, "allOf", index)),
                        "ref-cycle",
                    )
                self.merging.append(key)
            else:
                key = None
            try:
                if isinstance(part, dict):
                    sub_props, sub_required, sub_additional = self._object_parts(
                        part, part_doc, part_at
                    )
                    properties.update(sub_props)
                    required |= sub_required
                    additional = sub_additional if sub_additional is not None else additional
            finally:
                if key is not None:
                    self.merging.pop()
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

    def _object(self, schema: dict[str, Any], doc: Document, at: str, hint: str) -> ir.TypeRef:
        properties, required, additional = self._object_parts(schema, doc, at)
        if not properties:
            if isinstance(additional, dict) and additional:
                value_at = join_pointer(at, "additionalProperties")
                value = self._type(additional, doc, value_at, hint + "Value")
                return ir.DictType(self._shallow(value, doc, value_at))
            return ir.DictType(ir.ANY)
        key = (doc.path, at)
        named = self.named.get(key)
        if named is not None and named.kind == "model":
            return ir.ModelRef(named.name)
        name = self._claim(key, hint, "model")
        scope = naming.Scope()
        fields: list[ir.Field] = []
        for wire, (prop, prop_doc, prop_at) in properties.items():
            type_ = self._type(prop, prop_doc, prop_at, name + naming.class_name(wire))
            py_name = scope.claim(naming.field_name(wire))
            fields.append(
                ir.Field(
                    wire_name=wire,
                    py_name=py_name,
                    type=type_,
                    required=wire in required,
                    description=_description(prop),
                    deprecated=isinstance(prop, dict) and prop.get("deprecated") is True,
                )
            )
        additional_type = None
        if isinstance(additional, dict) and additional:
            additional_type = self._type(
                additional, doc, join_pointer(at, "additionalProperties"), name + "Value"
            )
        self.models[name] = ir.Model(
            name=name,
            fields=tuple(fields),
            location=doc.location(at),
            description=_description(schema),
            additional=additional_type,
        )
        return ir.ModelRef(name)


# ------------------------------------------------------------------------------------------- helpers
def _is_object(schema: dict[str, Any]) -> bool:
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


def _is_meaningful(schema: dict[str, Any]) -> bool:
    """Does this allOf part constrain anything (rather than only carry examples or a description)?"""
    annotations = {
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
    return any(k not in annotations and not k.startswith("x-") for k in schema)


def _description(schema: Any) -> str:
    if isinstance(schema, dict):
        text = schema.get("description") or schema.get("title") or ""
        return str(text).strip()
    return ""


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _exact_float(value: float) -> bool:
    """Does `float(value)` give the same number (an integer beyond 2**53, or 10**400, does not)?"""
    try:
        return float(value) == value
    except OverflowError:
        return False


def _dedupe(items: list[ir.TypeRef] | list[Any]) -> list[Any]:
    result: list[Any] = []
    for item in items:
        if item not in result:
            result.append(item)
    return result


def _choose_content(content: dict[str, Any]) -> tuple[str, str] | None:
    ranked: list[tuple[int, str, str]] = []
    for content_type in content:
        lowered = content_type.lower()
        if _JSON_TYPES.match(lowered):
            ranked.append((0, content_type, "json"))
        elif lowered.startswith("multipart/form-data"):
            ranked.append((1, content_type, "multipart"))
        elif lowered.startswith("application/x-www-form-urlencoded"):
            ranked.append((2, content_type, "form"))
        elif lowered.startswith("text/"):
            ranked.append((4, content_type, "text"))
        else:
            ranked.append((3, content_type, "binary"))
    if not ranked:
        return None
    _, content_type, kind = min(ranked)
    return content_type, kind


def _resource_from_path(path: str) -> str:
    for segment in path.strip("/").split("/"):
        if segment and not segment.startswith("{") and not re.fullmatch(r"v\d+", segment):
            return segment
    return "default"


def _region(description: str, url: str) -> str:
    noise = {"production", "server", "servers", "api", "environment", "the", "url"}
    kept = [w.lower() for w in naming.words(description) if w.lower() not in noise]
    if kept:
        return "-".join(kept)
    host = re.sub(r"^[a-z]+://", "", url).split("/")[0].split(".")[0]
    return naming.snake(host, empty="default").replace("_", "-")


def _with_pagination(operation: ir.Operation, models: dict[str, ir.Model]) -> ir.Operation:
    query = {p.wire_name: p for p in operation.params if p.where == "query"}
    if "page[offset]" not in query or "page[limit]" not in query:
        return operation
    for response in operation.success_responses:
        if isinstance(response.type, ir.ModelRef) and response.type.name in models:
            for field in models[response.type.name].fields:
                if field.wire_name == "data" and isinstance(field.type, ir.ListType):
                    pagination = ir.Pagination(
                        offset_param=query["page[offset]"].py_name,
                        limit_param=query["page[limit]"].py_name,
                        item_type=field.type.item,
                        items_field=field.py_name,
                    )
                    return _replace(operation, pagination=pagination)
    return operation


def _replace(operation: ir.Operation, **changes: Any) -> ir.Operation:
    import dataclasses

    return dataclasses.replace(operation, **changes)


def _map_types(value: Any, change: Any) -> Any:
    """Rebuild frozen IR `value`, passing every type in it (innermost first) through `change`.

    Parts that no change touched are kept as they are (not copied), so a walk that changes nothing
    allocates nothing: on a 2,000-operation spec, copying the whole IR took seconds.
    """
    if value is None or isinstance(value, str | int | float | Location):
        return value
    if isinstance(value, ir.ListType):
        item = _map_types(value.item, change)
        return change(value if item is value.item else ir.ListType(item))
    if isinstance(value, ir.DictType):
        inner = _map_types(value.value, change)
        return change(value if inner is value.value else ir.DictType(inner))
    if isinstance(value, ir.NullableType):
        inner = _map_types(value.inner, change)
        return change(value if inner is value.inner else ir.NullableType(inner))
    if isinstance(value, ir.UnionType):
        options = _map_tuple(value.options, change)
        same = options is value.options
        return change(value if same else ir.UnionType(options, value.discriminator))
    if isinstance(value, ir.PrimitiveType | ir.ModelRef | ir.EnumRef | ir.LiteralType):
        return change(value)
    if isinstance(value, tuple):
        return _map_tuple(value, change)
    names = _dataclass_fields(type(value))
    if not names:
        return value
    changes = {}
    for name in names:
        old = getattr(value, name)
        new = _map_types(old, change)
        if new is not old:
            changes[name] = new
    return dataclasses.replace(value, **changes) if changes else value


def _map_tuple(values: tuple[Any, ...], change: Any) -> tuple[Any, ...]:
    mapped = tuple(_map_types(v, change) for v in values)
    return values if all(a is b for a, b in zip(mapped, values, strict=True)) else mapped


_FIELDS: dict[type, tuple[str, ...]] = {}


def _dataclass_fields(cls: type) -> tuple[str, ...]:
    """The field names of a dataclass type (cached); () for any other type."""
    names = _FIELDS.get(cls)
    if names is None:
        names = (
            tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else ()
        )
        _FIELDS[cls] = names
    return names


def settle_discriminators(api: ir.Api) -> ir.Api:
    """Keep a union's discriminator only where pydantic can use it, as the field's Python name.

    Every option must be a model whose discriminating property is required and a literal; otherwise
    the union is validated by pydantic's smart mode, which needs no discriminator.
    """
    models = {m.name: m for m in api.models}

    def settle(type_: Any) -> Any:
        if not isinstance(type_, ir.UnionType) or type_.discriminator is None:
            return type_
        names: set[str] = set()
        for option in type_.options:
            model = models.get(option.name) if isinstance(option, ir.ModelRef) else None
            field = (
                next((f for f in model.fields if f.wire_name == type_.discriminator), None)
                if model
                else None
            )
            if field is None or not field.required or not isinstance(field.type, ir.LiteralType):
                return ir.UnionType(type_.options, None)
            names.add(field.py_name)
        return (
            ir.UnionType(type_.options, names.pop())
            if len(names) == 1
            else ir.UnionType(type_.options, None)
        )

    return cast(ir.Api, _map_types(api, settle))


# The parser walks schemas depth first, through `$ref`s: a chain of schemas that each refer to the next
# (A.b -> B, B.c -> C, ...) recurses as deep as the chain is long. CPython 3.11+ makes Python-to-Python
# calls without growing the C stack, so a high recursion limit is safe; what still overflows is reported.
_RECURSION_LIMIT = 50_000


@contextlib.contextmanager
def _recursion_room() -> Iterator[None]:
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, _RECURSION_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def _text(value: Any) -> str:
    """A string the spec gives, or "" when absent (or not a string: the validation says so)."""
    return value if isinstance(value, str) else ""


def parse_api(
    doc: Document, api_name: str, report: Collector, validation: Validation | None = None
) -> ir.Api:
    """The IR of one document. With `validation`, the document is submitted to it and the caller
    must read its verdict (`Validation.raise_first_error`) before trusting the result; without, it
    is validated here first."""
    with _recursion_room():
        try:
            return ApiParser(doc, api_name, report, validation).parse()
        except RecursionError:
            raise InputError(
                "schemas nest too deeply (inline or through a chain of $refs)",
                doc.location(""),
                "too-deep",
            ) from None
