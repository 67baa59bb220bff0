"""Operations: paths and their methods, parameters, request bodies and responses -> `ir.Operation`s.

Every schema an operation holds is typed by the `SchemaParser`, with a class-name hint made from the
operation id (`CreateJobBody`, `GetJobResponse`, ...). Method names are made unique per resource
(the first tag, or the path's first segment), parameter names per operation.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, cast

from .. import ir, naming
from ..diagnostics import Collector, InputError, Location, join_pointer
from ..load import Document
from ..repair import HTTP_METHODS
from .common import description, skip, text
from .defaults import default
from .objects import object_parts
from .resolver import Resolver
from .schemas import SchemaParser

_JSON_TYPES = re.compile(r"^application/([\w.+-]*\+)?json(;.*)?$|^\*/\*$|^application/\*$")
# Headers the client sets itself (auth and content negotiation): never method arguments.
_SKIPPED_HEADERS = {"authorization", "content-type", "accept", "content-length", "user-agent"}
# Names a generated method already uses for its own arguments.
_METHOD_ARGUMENTS = frozenset({"self", "options", "body"})
_PLACEHOLDER = re.compile(r"{([^}]+)}")
# A response's key: a status code, a range of them (`2XX`), or `default`.
_STATUS = re.compile(r"^([1-5]\d\d|[1-5]XX|default)$", re.IGNORECASE)
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
        self._operation = ""  # the operation being read (`GET /jobs`), for messages

    def parse(self) -> list[ir.Operation]:
        result: list[ir.Operation] = []
        method_names: dict[str, naming.Scope] = {}
        seen_ids: dict[str, Location] = {}
        for path, item_data in self.doc.data["paths"].items():
            item_pointer = join_pointer("/paths", path)
            try:
                _, _, item_data = self.resolver.follow(item_data, self.doc, item_pointer)
            except InputError as error:
                self._skip(error, f"the path {path}")
                continue
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
                self._operation = f"{method.upper()} {path}"
                try:
                    params = self._params(
                        item_data.get("parameters") or [], item_pointer, op, pointer, path
                    )
                    body, bodies = self._bodies(
                        op.get("requestBody"), join_pointer(pointer, "requestBody"), op_id
                    )
                    responses = self._responses(op.get("responses") or {}, pointer, op_id)
                except InputError as error:
                    self._skip(error, f"the operation {method.upper()} {path}")
                    continue
                scope = method_names.setdefault(naming.snake(resource), naming.Scope())
                py_name = scope.claim(naming.method_name(op_id))
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
                        bodies=bodies,
                    )
                )
        return result

    def _skip(self, error: InputError, what: str) -> None:
        """`what` cannot be read: it is left out, and the problem reported where it is."""
        skip(self.report, error, what)

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
                try:
                    doc, at, data = self.resolver.follow(raw, self.doc, at)
                except InputError as error:
                    self._skip(error, f"parameter {index} of {self._operation}")
                    continue
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
            if where == "path" and data.get("required") is not True:
                self.report.warn(
                    f"path parameter {name!r} is not marked `required: true` (a path parameter "
                    "always is); treated as required",
                    location,
                    "path-param-not-required",
                )
            schema = data.get("schema")
            schema_at = join_pointer(at, "schema")
            media_type: str | None = None
            if schema is None and isinstance(data.get("content"), dict) and data["content"]:
                media_type, media = next(iter(data["content"].items()))
                media_type = str(media_type)
                schema = media.get("schema") if isinstance(media, dict) else None
                schema_at = join_pointer(at, "content", media_type, "schema")
            try:
                type_ = (
                    self.schemas.type(schema, doc, schema_at, naming.class_name(name))
                    if schema is not None
                    else ir.PrimitiveType("str")
                )
            except InputError as error:
                self._skip(error, f"the {where} parameter {name!r} of {self._operation}")
                continue
            style = data.get("style")
            explode = data.get("explode")
            params.append(
                ir.Param(
                    wire_name=name,
                    py_name=scope.claim(naming.param_name(name)),
                    where=cast(ir.ParamIn, where),
                    type=type_,
                    required=bool(data.get("required")) or where == "path",
                    description=str(data.get("description") or ""),
                    is_filter=where == "query" and name == "filter",
                    style=style if isinstance(style, str) else None,
                    explode=explode if isinstance(explode, bool) else None,
                    allow_reserved=data.get("allowReserved") is True,
                    media_type=media_type,
                    deprecated=data.get("deprecated") is True,
                    default=default(
                        self.schemas, schema, doc, schema_at, f"{where} parameter {name!r}"
                    ),
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
    def _bodies(
        self, raw: Any, pointer: str, op_id: str
    ) -> tuple[ir.Body | None, tuple[ir.Body, ...]]:
        """The default request body (the one the client sends unless told otherwise) and every
        media type the operation accepts, in document order (the default among them)."""
        if raw is None:
            return None, ()
        doc, at, data = self.resolver.follow(raw, self.doc, pointer)
        content = data.get("content") if isinstance(data, dict) else None
        if not isinstance(data, dict) or not isinstance(content, dict) or not content:
            self.report.warn(
                "request body has no content; no body is sent", doc.location(at), "empty-body"
            )
            return None, ()
        default_type = _choose_content(content)
        for other in content:
            if other != default_type:
                self.report.warn(
                    f"request body also accepts {other!r}; the client sends {default_type!r}",
                    doc.location(join_pointer(at, "content", other)),
                    "body-alternative",
                )
        required = bool(data.get("required"))
        about = str(data.get("description") or "")
        bodies: dict[str, ir.Body] = {}
        # The default one first, so that it claims the class names it has always had.
        for media_type in [default_type, *(c for c in content if c != default_type)]:
            raw_media = content[media_type]
            media: dict[str, Any] = raw_media if isinstance(raw_media, dict) else {}
            hint = naming.class_name(op_id) + (
                "" if media_type == default_type else naming.class_name(str(media_type))
            )
            bodies[media_type] = self._body(
                str(media_type), media, doc, join_pointer(at, "content", media_type), hint + "Body"
            )
            bodies[media_type] = dataclasses.replace(
                bodies[media_type], required=required, description=about
            )
        return bodies[default_type], tuple(bodies[c] for c in content)

    def _body(
        self, media_type: str, media: dict[str, Any], doc: Document, at: str, hint: str
    ) -> ir.Body:
        """The body of one media type (its `required` and description are the request body's)."""
        kind = _body_kind(media_type)
        schema_at = join_pointer(at, "schema")
        schema = media.get("schema")
        if kind in ("multipart", "form"):
            encoding = media.get("encoding")
            parts = self._parts(
                schema, doc, schema_at, hint, encoding if isinstance(encoding, dict) else {}
            )
            return ir.Body(media_type, kind, ir.ANY, False, parts)
        if kind == "binary":
            return ir.Body(media_type, kind, ir.PrimitiveType("bytes"), False)
        if kind == "text":
            return ir.Body(media_type, kind, ir.PrimitiveType("str"), False)
        type_ = self.schemas.type(schema, doc, schema_at, hint) if schema is not None else ir.ANY
        return ir.Body(media_type, "json", type_, False)

    def _parts(
        self, schema: Any, doc: Document, at: str, hint: str, encodings: dict[str, Any]
    ) -> tuple[ir.BodyPart, ...]:
        """The fields of a multipart or form body, each a keyword argument (files as bytes)."""
        doc, at, schema = self.resolver.follow(schema, doc, at)
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
                    encoding=_encoding(encodings.get(wire)),
                    default=default(self.schemas, prop, prop_doc, prop_at, f"field {wire!r}"),
                    read_only=isinstance(prop, dict) and prop.get("readOnly") is True,
                )
            )
        return tuple(parts)

    # ------------------------------------------------------------------------------------- responses
    def _responses(self, raw: dict[str, Any], pointer: str, op_id: str) -> tuple[ir.Response, ...]:
        """Every documented response, each media type typed (JSON by its schema, with a class-name
        suffix that tells the responses apart; text as str; anything else as bytes)."""
        result: list[ir.Response] = []
        success = [s for s in raw if str(s).startswith("2")]
        for status, response in raw.items():
            at = join_pointer(pointer, "responses", status)
            try:
                found = self._response(str(status), response, at, op_id, success)
            except InputError as error:
                self._skip(error, f"the {status} response of {self._operation}")
                continue
            if found is not None:
                result.append(found)
        return tuple(result)

    def _response(
        self, status: str, response: Any, at: str, op_id: str, success: list[Any]
    ) -> ir.Response | None:
        """One response, its media types typed (JSON by its schema, with a class-name suffix that
        tells the responses apart; text as str; anything else as bytes); None when its key is
        not a status code."""
        if not _STATUS.match(status):
            if not status.startswith("x-"):  # (an extension is not a response)
                self.report.skip(
                    f"response key {status!r} is not a status code (such as 200, 2XX or "
                    "default); the response is left out",
                    self.doc.location(at),
                    "response-status",
                )
            return None
        doc, at, data = self.resolver.follow(response, self.doc, at)
        if not isinstance(data, dict):
            raise InputError("response must be a mapping", doc.location(at), "invalid")
        raw_content = data.get("content")
        content: dict[str, Any] = raw_content if isinstance(raw_content, dict) else {}
        suffix = "Response" + (status if len(success) > 1 or not status.startswith("2") else "")
        contents: list[ir.ResponseContent] = []
        for media_type, media in content.items():
            kind = _content_kind(str(media_type))
            type_: ir.TypeRef = ir.PrimitiveType("bytes" if kind == "binary" else "str")
            if kind == "json":
                schema = media.get("schema") if isinstance(media, dict) else None
                # The first JSON media type's classes keep the names they have always had.
                hint = naming.class_name(op_id) + suffix
                if any(c.kind == "json" for c in contents):
                    hint += naming.class_name(str(media_type))
                schema_at = join_pointer(at, "content", media_type, "schema")
                type_ = (
                    self.schemas.type(schema, doc, schema_at, hint)
                    if schema is not None
                    else ir.ANY
                )
            contents.append(ir.ResponseContent(str(media_type), kind, type_))
        first_json = next((c for c in contents if c.kind == "json"), None)
        return ir.Response(
            status,
            str(data.get("description") or ""),
            first_json.type if first_json is not None else None,
            first_json.media_type if first_json is not None else next(iter(content), None),
            tuple(contents),
        )


def _choose_content(content: dict[str, Any]) -> str:
    """The media type the client sends by default: JSON first, then multipart, form, raw bytes,
    text; the first of its kind in document order."""
    rank = {"json": 0, "multipart": 1, "form": 2, "binary": 3, "text": 4}
    return min(content, key=lambda media_type: rank[_body_kind(str(media_type))])


def _body_kind(media_type: str) -> ir.BodyKind:
    lowered = media_type.lower()
    if _JSON_TYPES.match(lowered):
        return "json"
    if lowered.startswith("multipart/form-data"):
        return "multipart"
    if lowered.startswith("application/x-www-form-urlencoded"):
        return "form"
    return "text" if lowered.startswith("text/") else "binary"


def _content_kind(media_type: str) -> ir.ContentKind:
    """How a response's media type is read: JSON, text, or else raw bytes."""
    lowered = media_type.lower()
    if _JSON_TYPES.match(lowered):
        return "json"
    return "text" if lowered.startswith("text/") else "binary"


def _encoding(data: Any) -> ir.Encoding | None:
    """A form or multipart field's Encoding Object (None when the media type gives none)."""
    if not isinstance(data, dict):
        return None
    content_type, style, explode = data.get("contentType"), data.get("style"), data.get("explode")
    return ir.Encoding(
        content_type=content_type if isinstance(content_type, str) else None,
        style=style if isinstance(style, str) else None,
        explode=explode if isinstance(explode, bool) else None,
        allow_reserved=data.get("allowReserved") is True,
    )


def _resource_from_path(path: str) -> str:
    """The group of an untagged operation: its path's first segment that is neither a placeholder
    nor a version (`/v2/jobs/{id}` -> `jobs`)."""
    for segment in path.strip("/").split("/"):
        if segment and not segment.startswith("{") and not _VERSION_SEGMENT.fullmatch(segment):
            return segment
    return "default"
