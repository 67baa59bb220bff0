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
}


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


def synthesize_operation_id(method: str, path: str) -> str:
    words = [w for w in re.split(r"[^A-Za-z0-9]+", path) if w]
    return "_".join([method.lower(), *words]) if words else method.lower()


class _SchemaRepairs:
    def __init__(self, is_30: bool, warn: Callable[[str, str, str], None]) -> None:
        self.is_30 = is_30
        self.warn = warn

    def _needs_repair(self, node: dict[str, Any]) -> bool:
        """Whether any repair below may apply (most schemas need none: then no pointer is made)."""
        if isinstance(node.get("items"), list):
            return True
        if "required" in node:
            required = node["required"]
            names = isinstance(required, list) and all(isinstance(r, str) for r in required)
            if (names and not required and self.is_30) or (
                not names and not isinstance(required, bool)
            ):
                return True
        if isinstance(node.get("$ref"), str) and len(node) > 1:
            return True
        if self.is_30:
            return isinstance(node.get("type"), list)
        return node.get("nullable") is True and "$ref" not in node

    def __call__(self, node: dict[str, Any], path: _Path) -> None:
        """Repair `node`, a schema (or any mapping under `schema`/`schemas`) at `path`."""
        if not self._needs_repair(node):
            return
        pointer = _pointer(path)
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


# Where a node is, as (parent's path, key): the JSON pointer is spelt out only for a node that is
# repaired (building every node's pointer was most of the walk's time on a large spec).
_Path = tuple[Any, str] | None


def _pointer(path: _Path) -> str:
    tokens: list[str] = []
    while path is not None:
        path, token = path
        tokens.append(escape_pointer_token(token))
    return "".join("/" + token for token in reversed(tokens))


def _walk(root: Any, visit: _SchemaRepairs) -> None:
    """Visit every mapping under a `schema`/`schemas` key that may be a schema, depth first, skipping
    example data (keys that start with `schema` are where schemas are: `schema`, `schemas`)."""
    # (value, path, under a `schema...` key, is a map of names to schemas)
    stack: list[tuple[Any, _Path, bool, bool]] = [(root, None, False, False)]
    pop, push = stack.pop, stack.append
    while stack:
        current, path, under, is_map = pop()
        if type(current) is dict:
            if under and not is_map:
                visit(current, path)
            for key, value in current.items():
                if not is_map and (key in _DATA_KEYS or key.startswith("x-")):
                    continue
                if type(value) is dict or type(value) is list:
                    push(
                        (
                            value,
                            (path, key),
                            under or key.startswith("schema"),
                            key in _SCHEMA_MAPS and not is_map,
                        )
                    )
        elif type(current) is list:
            for index, value in enumerate(current):
                if type(value) is dict or type(value) is list:
                    push((value, (path, str(index)), under, False))
