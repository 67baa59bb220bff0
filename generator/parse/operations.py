"""Operations: paths and their methods, parameters, request bodies and responses -> `ir.Operation`s.

Every schema an operation holds is typed by the `SchemaParser`, with a class-name hint made from the
operation id (`CreateJobBody`, `GetJobResponse`, ...). Method names are made unique per resource
(the first tag, or the path's first segment), parameter names per operation.
"""

from __future__ import annotations

import re
from typing import Any, cast

from .. import ir, naming
from ..diagnostics import Collector, InputError, Location, join_pointer
from ..load import Document
from ..repair import HTTP_METHODS
from .common import description, text
from .objects import object_parts
from .resolver import Resolver
from .schemas import SchemaParser

_JSON_TYPES = re.compile(r"^application/([\w.+-]*\+)?json(;.*)?$|^\*/\*$|^application/\*$")
# Headers the client sets itself (auth and content negotiation): never method arguments.
_SKIPPED_HEADERS = {"authorization", "content-type", "accept", "content-length", "user-agent"}
# Names a generated method already uses for its own arguments.
_METHOD_ARGUMENTS = frozenset({"self", "options", "body"})
_PLACEHOLDER = re.compile(r"{([^}]+)}")
_VERSION_SEGMENT = re.compile(r"v\d+")


class OperationParser:
    """Reads the operations of one document, in document order (paths, then methods)."""

    def __init__(
        self, doc: Document, resolver: Resolver, schemas: SchemaParser, report: Collector
    ) -> None:
        self.doc = doc
        self.resolver = resolver
        self.schemas = schemas
        self.report = report

    def parse(self) -> list[ir.Operation]:
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
                op_id = text(op.get("operationId"))
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
                    text(tags[0]) if isinstance(tags, list) and tags else _resource_from_path(path)
                )
                scope = method_names.setdefault(naming.snake(resource), naming.Scope())
                py_name = scope.claim(naming.method_name(op_id))
                params = self._params(
                    item_data.get("parameters") or [], item_pointer, op, pointer, path
                )
                body = self._body(
                    op.get("requestBody"), join_pointer(pointer, "requestBody"), op_id
                )
                responses = self._responses(op.get("responses") or {}, pointer, op_id)
                result.append(
                    ir.Operation(
                        operation_id=op_id,
                        py_name=py_name,
                        method=method.upper(),
                        path=path,
                        resource=resource,
                        summary=text(op.get("summary")),
                        description=text(op.get("description")),
                        params=params,
                        body=body,
                        responses=responses,
                        location=location,
                        deprecated=op.get("deprecated") is True,
                    )
                )
        return result

    # ------------------------------------------------------------------------------------ parameters
    def _params(
        self,
        shared: list[Any],
        shared_pointer: str,
        op_data: dict[str, Any],
        pointer: str,
        path: str,
    ) -> tuple[ir.Param, ...]:
        """The path item's parameters and the operation's (which override them by name and place)."""
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
        placeholders = _PLACEHOLDER.findall(path)
        scope = naming.Scope(_METHOD_ARGUMENTS)
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
                self.schemas.type(schema, doc, join_pointer(at, "schema"), naming.class_name(name))
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

    # ---------------------------------------------------------------------------------------- bodies
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
        content_type, kind = chosen
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
        about = str(data.get("description") or "")
        if kind in ("multipart", "form"):
            parts = self._parts(schema, doc, schema_at, hint)
            return ir.Body(content_type, kind, ir.ANY, required, parts, about)
        if kind == "binary":
            return ir.Body(content_type, kind, ir.PrimitiveType("bytes"), required, (), about)
        if kind == "text":
            return ir.Body(content_type, kind, ir.PrimitiveType("str"), required, (), about)
        type_ = self.schemas.type(schema, doc, schema_at, hint) if schema is not None else ir.ANY
        return ir.Body(content_type, "json", type_, required, (), about)

    def _parts(self, schema: Any, doc: Document, at: str, hint: str) -> tuple[ir.BodyPart, ...]:
        """The fields of a multipart or form body, each a keyword argument (files as bytes)."""
        if isinstance(schema, dict) and "$ref" in schema:
            doc, at, schema = self.resolver.resolve(schema["$ref"], doc, at)
        properties, required, _ = object_parts(
            self.schemas, schema if isinstance(schema, dict) else {}, doc, at
        )
        scope = naming.Scope(_METHOD_ARGUMENTS)
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
                else self.schemas.type(prop, prop_doc, prop_at, hint + naming.class_name(wire))
            )
            parts.append(
                ir.BodyPart(
                    wire_name=wire,
                    py_name=scope.claim(naming.param_name(wire)),
                    type=type_,
                    required=wire in required,
                    is_file=is_file,
                    description=description(prop),
                )
            )
        return tuple(parts)

    # ------------------------------------------------------------------------------------- responses
    def _responses(self, raw: dict[str, Any], pointer: str, op_id: str) -> tuple[ir.Response, ...]:
        """Every documented response; a JSON one is typed (a class-name suffix tells them apart)."""
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
                    type_ = self.schemas.type(
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


def _choose_content(content: dict[str, Any]) -> tuple[str, ir.BodyKind] | None:
    """The media type the client sends: JSON first, then multipart, form, raw bytes, text."""
    ranked: list[tuple[int, str, ir.BodyKind]] = []
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
    """The group of an untagged operation: its path's first segment that is neither a placeholder
    nor a version (`/v2/jobs/{id}` -> `jobs`)."""
    for segment in path.strip("/").split("/"):
        if segment and not segment.startswith("{") and not _VERSION_SEGMENT.fullmatch(segment):
            return segment
    return "default"
