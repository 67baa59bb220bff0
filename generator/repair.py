"""Stage 1, load (continued): named repairs for known real-world deviations from OpenAPI.

Published specs break the standard in recurring ways. Each repair here is small, named, safe (it keeps the
author's evident meaning) and reports a warning with file, line and JSON pointer, so `--strict` can refuse
them. Repairs run on the loaded data before it is validated as an OpenAPI document.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .diagnostics import Collector, escape_pointer_token, join_pointer
from .load import Document

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Keys whose values are data, not schemas: never repaired.
_DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const", "x-examples"})
# Keys whose values are maps of name -> schema.
_SCHEMA_MAPS = frozenset(
    {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}
)
# Keys that may stand beside `$ref` without changing its meaning (OpenAPI 3.1 allows these).
_REF_ANNOTATIONS = frozenset(
    {
        "description",
        "summary",
        "title",
        "example",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)

REPAIRS: dict[str, str] = {
    "items-list": "`items` given as a list; used its single schema (or anyOf of them)",
    "response-schema-ref": "response `$ref` points at a schema; wrapped it in a JSON response",
    "response-in-schemas": "a response object stands in components/schemas; moved it to components/responses",
    "missing-operation-id": "operation has no operationId; named it from its method and path",
    "empty-required": "`required: []` is not allowed in OpenAPI 3.0; removed it",
    "ref-siblings": "`$ref` has sibling keys; kept them by wrapping the reference in allOf",
    "nullable-type-array": "type array in an OpenAPI 3.0 document; rewrote as `nullable`",
    "nullable-in-3.1": "`nullable` in an OpenAPI 3.1 document; rewrote as a type array with null",
    "required-not-list": "`required` is not a list of names; ignored it",
    "required-in-content": "`required` stands under `content`, as if it were a media type; "
    "moved it where it belongs",
    "examples-not-a-list": "`examples` holds one example where a list (a 3.1 schema) or a map of "
    "Example Objects (a media type, a parameter) belongs; kept it as one example",
    "keyword-in-properties": "a schema keyword stands under `properties` with a value that is not "
    "a schema; moved it up to the schema",
    "swagger2-schema": "a Swagger 2 `schema` stands where OpenAPI 3 wants `content`; moved it into "
    "`content`",
    "swagger2-body-parameter": "a Swagger 2 `in: body` parameter; made it the request body",
    "server-url": "the server URL is malformed; repaired it",
}

# Schema keywords an author may indent one level too deep, into `properties`, and the values that
# show it is the keyword and not a property's schema.
_TYPE_NAMES = frozenset({"object", "array", "string", "integer", "number", "boolean", "null"})
# A server URL whose scheme is written twice, or garbled into the host (`https://https//host`).
_DOUBLED_SCHEME = re.compile(r"^(https?)://+(?:https?(?::|//|:/+))+/*", re.IGNORECASE)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_HOST_LIKE = re.compile(r"^[A-Za-z0-9{}-]+(\.[A-Za-z0-9{}-]+)+(:\d+)?(/|$)")


def apply_repairs(doc: Document, report: Collector) -> None:
    """Repair `doc.data` in place, reporting each repair as a warning."""
    data = doc.data
    if not isinstance(data, dict):
        return
    version = str(data.get("openapi", ""))
    is_30 = version.startswith("3.0")

    def warn(code: str, pointer: str, detail: str = "") -> None:
        message = REPAIRS[code] + (f" ({detail})" if detail else "")
        report.warn(f"repaired [{code}]: {message}", doc.location(pointer), code)

    _repair_operations(doc, warn)
    _Objects(doc, warn, report).repair()
    _walk(data, _SchemaRepairs(is_30, warn))


def _repair_operations(doc: Document, warn: Callable[[str, str, str], None]) -> None:
    data = doc.data
    paths = data.get("paths")
    if isinstance(paths, dict):
        for path, item in paths.items():
            if not isinstance(item, dict):
                continue
            for method in HTTP_METHODS:
                operation = item.get(method)
                if not isinstance(operation, dict):
                    continue
                pointer = join_pointer("/paths", path, method)
                if not operation.get("operationId"):
                    name = synthesize_operation_id(method, path)
                    operation["operationId"] = name
                    warn("missing-operation-id", pointer, name)
                responses = operation.get("responses")
                if isinstance(responses, dict):
                    _repair_responses(doc, responses, join_pointer(pointer, "responses"), warn)
    components = data.get("components")
    if isinstance(components, dict) and isinstance(components.get("responses"), dict):
        _repair_responses(doc, components["responses"], "/components/responses", warn)


def _looks_like_response(node: object) -> bool:
    return (
        isinstance(node, dict)
        and ("content" in node or "headers" in node)
        and not ({"type", "properties", "allOf", "oneOf", "anyOf", "items"} & node.keys())
    )


def _repair_responses(
    doc: Document,
    responses: dict[str, Any],
    pointer: str,
    warn: Callable[[str, str, str], None],
) -> None:
    components = doc.data.setdefault("components", {})
    schemas = components.get("schemas") if isinstance(components, dict) else None
    for status, response in responses.items():
        if not isinstance(response, dict):
            continue
        ref = response.get("$ref")
        prefix = "#/components/schemas/"
        if not (isinstance(ref, str) and ref.startswith(prefix)):
            continue
        name = ref[len(prefix) :]
        target = schemas.get(name) if isinstance(schemas, dict) else None
        if _looks_like_response(target) or (
            target is None and name in components.get("responses", {})
        ):
            # The author filed a response object under schemas: move it where it belongs.
            moved = components.setdefault("responses", {})
            if target is not None and isinstance(schemas, dict):
                moved[name] = schemas.pop(name)
                doc.copy_lines(
                    f"/components/schemas/{escape_pointer_token(name)}",
                    f"/components/responses/{escape_pointer_token(name)}",
                )
                warn(
                    "response-in-schemas",
                    f"/components/responses/{escape_pointer_token(name)}",
                    name,
                )
            response["$ref"] = f"#/components/responses/{name}"
            continue
        responses[status] = {
            "description": response.get("description", ""),
            "content": {"application/json": {"schema": {"$ref": ref}}},
        }
        warn("response-schema-ref", join_pointer(pointer, status), ref)


class _Objects:
    """Repairs of the objects around schemas: servers, parameters, request bodies, responses."""

    def __init__(
        self, doc: Document, warn: Callable[[str, str, str], None], report: Collector
    ) -> None:
        self.doc = doc
        self.warn = warn
        self.report = report

    def repair(self) -> None:
        data = self.doc.data
        self.servers(data.get("servers"), "/servers")
        paths = data.get("paths")
        for path, item in paths.items() if isinstance(paths, dict) else ():
            if not isinstance(item, dict):
                continue
            item_pointer = join_pointer("/paths", path)
            self.servers(item.get("servers"), join_pointer(item_pointer, "servers"))
            self.parameters(item.get("parameters"), join_pointer(item_pointer, "parameters"))
            for method in HTTP_METHODS:
                operation = item.get(method)
                if isinstance(operation, dict):
                    self.operation(operation, join_pointer(item_pointer, method))
        components = data.get("components")
        if not isinstance(components, dict):
            return
        for kind, repair in (
            ("parameters", self.parameter),
            ("headers", self.parameter),
            ("requestBodies", self.body),
            ("responses", self.response),
        ):
            entries = components.get(kind)
            for name, entry in entries.items() if isinstance(entries, dict) else ():
                if isinstance(entry, dict):
                    repair(entry, join_pointer("/components", kind, name))

    def operation(self, operation: dict[str, Any], pointer: str) -> None:
        if "servers" in operation:
            self.servers(operation["servers"], join_pointer(pointer, "servers"))
        parameters = operation.get("parameters")
        if isinstance(parameters, list) and parameters:
            self._body_parameter(operation, parameters, pointer)
            self.parameters(parameters, join_pointer(pointer, "parameters"))
        body = operation.get("requestBody")
        if isinstance(body, dict):
            self.body(body, join_pointer(pointer, "requestBody"))
        responses = operation.get("responses")
        for status, response in responses.items() if isinstance(responses, dict) else ():
            if isinstance(response, dict):
                self.response(response, join_pointer(pointer, "responses", status))

    def parameters(self, parameters: Any, pointer: str) -> None:
        for index, parameter in enumerate(parameters if isinstance(parameters, list) else ()):
            if isinstance(parameter, dict):
                self.parameter(parameter, join_pointer(pointer, index))

    def parameter(self, parameter: dict[str, Any], pointer: str) -> None:
        if "$ref" in parameter:
            return
        if "schema" in parameter and "content" in parameter:
            # Both are not allowed; `schema` is the plain way (a Swagger 2 habit kept beside
            # the OpenAPI 3 `content`).
            del parameter["content"]
            self.warn("swagger2-schema", join_pointer(pointer, "content"), "dropped `content`")
        self._examples(parameter, pointer)
        self._content(parameter, pointer, owner="parameter")

    def body(self, body: dict[str, Any], pointer: str) -> None:
        if "$ref" not in body:
            self._swagger2_schema(body, pointer)
            self._content(body, pointer, owner="request body")

    def response(self, response: dict[str, Any], pointer: str) -> None:
        if "$ref" not in response:
            self._swagger2_schema(response, pointer)
            self._content(response, pointer, owner="response")

    def _swagger2_schema(self, holder: dict[str, Any], pointer: str) -> None:
        """`schema` beside (or instead of) `content`, as Swagger 2 wrote it: a JSON body."""
        if "schema" not in holder:
            return
        schema = holder.pop("schema")
        content = holder.setdefault("content", {})
        if not isinstance(content, dict):
            return
        if any(isinstance(m, dict) and "schema" in m for m in content.values()):
            self.warn(
                "swagger2-schema", join_pointer(pointer, "schema"), "`content` has one: dropped"
            )
            return
        media = content.setdefault("application/json", {})
        if isinstance(media, dict):
            media["schema"] = schema
            self.doc.copy_lines(
                join_pointer(pointer, "schema"),
                join_pointer(pointer, "content", "application/json", "schema"),
            )
        self.warn("swagger2-schema", join_pointer(pointer, "schema"), "as application/json")

    def _body_parameter(
        self, operation: dict[str, Any], parameters: list[Any], pointer: str
    ) -> None:
        """A Swagger 2 `in: body` parameter: the request body it stands for."""
        for index, parameter in enumerate(parameters):
            if not (
                isinstance(parameter, dict)
                and parameter.get("in") == "body"
                and "schema" in parameter
                and "requestBody" not in operation
            ):
                continue
            at = join_pointer(pointer, "parameters", index)
            body: dict[str, Any] = {
                "content": {"application/json": {"schema": parameter["schema"]}}
            }
            if parameter.get("required") is True:
                body["required"] = True
            if isinstance(parameter.get("description"), str):
                body["description"] = parameter["description"]
            operation["requestBody"] = body
            body_at = join_pointer(pointer, "requestBody")
            self.doc.copy_lines(at, body_at)
            self.doc.copy_lines(
                join_pointer(at, "schema"),
                join_pointer(body_at, "content", "application/json", "schema"),
            )
            remove_item(self.doc, parameters, index, join_pointer(pointer, "parameters"))
            self.warn("swagger2-body-parameter", body_at, str(parameter.get("name", "")))
            return

    def _content(self, holder: dict[str, Any], pointer: str, owner: str) -> None:
        content = holder.get("content")
        if not isinstance(content, dict):
            return
        content_at = join_pointer(pointer, "content")
        if "required" in content and not isinstance(content["required"], dict):
            self._required(
                holder, content.pop("required"), join_pointer(content_at, "required"), owner
            )
        for media_type, media in content.items():
            if not isinstance(media, dict):
                continue
            media_at = join_pointer(content_at, media_type)
            if "required" in media and not isinstance(media["required"], dict):
                self._required(
                    holder, media.pop("required"), join_pointer(media_at, "required"), owner
                )
            self._examples(media, media_at)

    def _required(self, holder: dict[str, Any], value: Any, at: str, owner: str) -> None:
        """A `required` one level too deep: a flag belongs to the request body or parameter, a
        list of names to the schema of the (one) media type."""
        if isinstance(value, bool) and owner != "response":
            holder.setdefault("required", value)
            self.warn("required-in-content", at, f"to the {owner}")
            return
        schemas = [
            m["schema"]
            for m in (holder.get("content") or {}).values()
            if isinstance(m, dict) and isinstance(m.get("schema"), dict)
        ]
        if isinstance(value, list) and all(isinstance(v, str) for v in value) and len(schemas) == 1:
            schema = schemas[0]
            if "$ref" in schema:  # (the `ref-siblings` repair then keeps it beside the reference)
                schema["required"] = value
            else:
                known = schema.setdefault("required", [])
                if isinstance(known, list):
                    known.extend(v for v in value if v not in known)
            self.warn("required-in-content", at, "to the schema")
            return
        self.warn("required-in-content", at, f"its meaning for a {owner} is unclear: dropped")

    def _examples(self, holder: dict[str, Any], pointer: str) -> None:
        """`examples` as one example where a map of Example Objects belongs."""
        examples = holder.get("examples")
        if "examples" in holder and not isinstance(examples, dict):
            del holder["examples"]
            holder.setdefault("example", examples)
            self.warn("examples-not-a-list", join_pointer(pointer, "examples"), "as `example`")

    def servers(self, servers: Any, pointer: str) -> None:
        if not isinstance(servers, list):
            return
        for index in reversed(range(len(servers))):
            server = servers[index]
            if not isinstance(server, dict) or not isinstance(server.get("url"), str):
                continue
            at = join_pointer(pointer, index, "url")
            url = server["url"]
            repaired = repair_server_url(url)
            if repaired is None:
                self.report.skip(
                    f"server URL {url!r} is malformed and cannot be repaired; the server is left out",
                    self.doc.location(at),
                    "server-url",
                )
                remove_item(self.doc, servers, index, pointer)
            elif repaired != url:
                server["url"] = repaired
                self.warn("server-url", at, f"{url!r} -> {repaired!r}")


def repair_server_url(url: str) -> str | None:
    """`url` as it was meant (a doubled or garbled scheme dropped, a bare host given `https://`),
    or None when what it means cannot be told."""
    text = url.strip()
    if text.startswith(("/", "{")) or not text:  # relative to the document, or all a variable
        return text or None
    doubled = _DOUBLED_SCHEME.match(text)
    if doubled:
        text = f"{doubled.group(1).lower()}://" + text[doubled.end() :]
    elif not _SCHEME.match(text):
        if not _HOST_LIKE.match(text):  # a path relative to the document's, or nonsense
            return text if re.fullmatch(r"[\w.~/{}%-]+", text) else None
        text = "https://" + text
    scheme, _, rest = text.partition("://")
    host = rest.split("/", 1)[0]
    if scheme.lower() not in ("http", "https", "ws", "wss") or not host:
        return None
    if any(c.isspace() for c in text) or not re.fullmatch(r"[A-Za-z0-9.{}:@\[\]_-]+", host):
        return None
    return text


def remove_item(doc: Document, items: list[Any], index: int, pointer: str) -> None:
    """Remove `items[index]` (the list at `pointer`); the items after it keep their lines."""
    del items[index]
    for later in range(index, len(items)):
        doc.copy_lines(join_pointer(pointer, later + 1), join_pointer(pointer, later))


def synthesize_operation_id(method: str, path: str) -> str:
    words = [w for w in re.split(r"[^A-Za-z0-9]+", path) if w]
    return "_".join([method.lower(), *words]) if words else method.lower()


class _SchemaRepairs:
    def __init__(self, is_30: bool, warn: Callable[[str, str, str], None]) -> None:
        self.is_30 = is_30
        self.warn = warn

    def __call__(self, node: dict[str, Any], pointer: str) -> None:
        """Repair `node`, a schema (or any mapping under `schema`/`schemas`) at `pointer`."""
        self._keywords_in_properties(node, pointer)
        if not self.is_30 and "examples" in node and not isinstance(node["examples"], list):
            # JSON Schema 2020-12 wants a list; one example given alone is that list's item.
            node["examples"] = [node["examples"]]
            self.warn("examples-not-a-list", join_pointer(pointer, "examples"), "in a list")
        items = node.get("items")
        if isinstance(items, list):
            schemas = [s for s in items if isinstance(s, dict)]
            node["items"] = schemas[0] if len(schemas) == 1 else {"anyOf": schemas}
            self.warn("items-list", join_pointer(pointer, "items"), "")
        if "required" in node:
            required = node["required"]
            if isinstance(required, list) and all(isinstance(r, str) for r in required):
                if not required and self.is_30:
                    del node["required"]
                    self.warn("empty-required", join_pointer(pointer, "required"), "")
            elif not isinstance(required, bool):  # a bool is a property-level flag: see parse
                del node["required"]
                self.warn("required-not-list", join_pointer(pointer, "required"), "")
        ref = node.get("$ref")
        if isinstance(ref, str) and len(node) > 1:
            extra = sorted(k for k in node if k != "$ref" and k not in _REF_ANNOTATIONS)
            if extra:
                wrapped = {k: v for k, v in node.items() if k != "$ref"}
                node.clear()
                node.update(wrapped)
                node["allOf"] = [{"$ref": ref}]
                self.warn("ref-siblings", pointer, ", ".join(extra))
        type_ = node.get("type")
        if self.is_30 and isinstance(type_, list):
            kinds = [t for t in type_ if t != "null"]
            if len(kinds) == 1:
                node["type"] = kinds[0]
                if len(kinds) != len(type_):
                    node["nullable"] = True
                self.warn("nullable-type-array", join_pointer(pointer, "type"), "")
        elif not self.is_30 and node.get("nullable") is True and "$ref" not in node:
            del node["nullable"]
            if isinstance(type_, str):
                node["type"] = [type_, "null"]
            elif isinstance(type_, list) and "null" not in type_:
                node["type"] = [*type_, "null"]
            elif type_ is None:
                node["anyOf"] = [{"type": "null"}, *node.pop("anyOf", node.pop("oneOf", []))]
            self.warn("nullable-in-3.1", join_pointer(pointer, "nullable"), "")

    def _keywords_in_properties(self, node: dict[str, Any], pointer: str) -> None:
        """`type: object` (or `required: [...]`) indented into `properties`: a property's schema is
        a mapping, so a type name or a list of names there is the schema's own keyword."""
        properties = node.get("properties")
        if not isinstance(properties, dict):
            return
        for keyword in ("type", "required"):
            value = properties.get(keyword)
            if keyword == "type":
                names = [value] if isinstance(value, str) else value
                misplaced = isinstance(names, list) and bool(names) and set(names) <= _TYPE_NAMES
            else:
                misplaced = isinstance(value, list) and all(isinstance(v, str) for v in value)
            if not misplaced:
                continue
            del properties[keyword]
            at = join_pointer(pointer, "properties", keyword)
            if keyword not in node or node[keyword] == value:
                node[keyword] = value
                self.warn("keyword-in-properties", at, keyword)
            elif isinstance(value, list) and isinstance(node[keyword], list):
                node[keyword].extend(v for v in value if v not in node[keyword])
                self.warn("keyword-in-properties", at, keyword)
            else:
                self.warn(
                    "keyword-in-properties", at, f"{keyword}: the schema has its own; dropped"
                )


def _walk(root: Any, visit: _SchemaRepairs) -> None:
    """Visit every mapping under a `schema`/`schemas` key that may be a schema, depth first, skipping
    example data (keys that start with `schema` are where schemas are: `schema`, `schemas`)."""
    # (value, pointer, under a `schema...` key, is a map of names to schemas)
    stack: list[tuple[Any, str, bool, bool]] = [(root, "", False, False)]
    while stack:
        current, pointer, under, is_map = stack.pop()
        if isinstance(current, dict):
            if under and not is_map:
                visit(current, pointer)
            for key, value in current.items():
                if not is_map and (key in _DATA_KEYS or key.startswith("x-")):
                    continue
                if isinstance(value, dict | list):
                    below = under or key.startswith("schema")
                    is_schema_map = key in _SCHEMA_MAPS and not is_map
                    stack.append((value, join_pointer(pointer, key), below, is_schema_map))
        elif isinstance(current, list):
            for index, value in enumerate(current):
                if isinstance(value, dict | list):
                    stack.append((value, join_pointer(pointer, index), under, False))
