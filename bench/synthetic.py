"""Synthetic OpenAPI 3.1 documents of a chosen size, shaped like the Elastic Path job APIs.

`make_spec(operations, schemas, seed=0)` returns a document (plain data) with exactly `operations`
operations and `schemas` component schemas. Operations come in resources of five (list, create, get,
update, delete) under `/v2/<resource>s`; schemas are objects with nested objects, arrays, enums, dates,
nullable fields, `$ref`s between them and prose descriptions, so every stage (load, parse, render,
format) does the kind of work a real spec asks of it. The same arguments give the same document.

The benchmark keeps its own generator (rather than the hostile-input one in tests/) so that its inputs,
and so its figures, do not move when the tests' generator changes.
"""

from __future__ import annotations

import random
from typing import Any

_WORDS = [
    "order",
    "export",
    "product",
    "price",
    "hierarchy",
    "node",
    "promotion",
    "code",
    "catalog",
    "rule",
    "file",
    "batch",
    "account",
    "customer",
    "address",
    "cart",
    "inventory",
    "location",
    "stock",
    "bundle",
    "variation",
    "option",
    "modifier",
    "tag",
    "field",
    "attribute",
    "template",
    "flow",
    "entry",
    "currency",
    "tax",
    "shipping",
    "payment",
    "refund",
    "subscription",
    "plan",
    "offering",
]
_STATUSES = ("pending", "processing", "completed", "failed", "cancelling", "cancelled")


def make_spec(operations: int, schemas: int, seed: int = 0) -> dict[str, Any]:
    """A valid OpenAPI 3.1 document with `operations` operations and `schemas` component schemas."""
    if operations < 1 or schemas < 1:
        raise ValueError("operations and schemas must be at least 1")
    rng = random.Random(seed)
    resources = [_resource_name(i) for i in range((operations + 4) // 5)]
    # Each resource owns the schemas its operations name; the rest are spread as nested parts.
    names: list[str] = []
    owned: dict[str, list[str]] = {}
    for resource in resources:
        base = _pascal(resource)
        own = [base, f"{base}List", f"{base}Create"]
        owned[resource] = own
        names.extend(own)
    names = names[:schemas]
    part = 0
    while len(names) < schemas:
        resource = resources[part % len(resources)]
        names.append(f"{_pascal(resource)}Part{part // len(resources) + 1}")
        owned[resource].append(names[-1])
        part += 1
    defined = set(names)
    component_schemas: dict[str, Any] = {}
    for index, name in enumerate(names):
        component_schemas[name] = _schema(rng, name, names, defined, index)
    paths: dict[str, Any] = {}
    made = 0
    for resource in resources:
        base = _pascal(resource)
        item = base if base in defined else names[rng.randrange(len(names))]
        listing = f"{base}List" if f"{base}List" in defined else item
        create = f"{base}Create" if f"{base}Create" in defined else item
        collection = f"/v2/{resource}s"
        member = f"{collection}/{{{resource}ID}}"
        plan = [
            (collection, "get", f"getAll{base}s", listing, None),
            (collection, "post", f"create{base}", item, create),
            (member, "get", f"get{base}", item, None),
            (member, "put", f"update{base}", item, create),
            (member, "delete", f"delete{base}", None, None),
        ]
        for path, method, operation_id, response, body in plan:
            if made == operations:
                break
            paths.setdefault(path, {})[method] = _operation(
                rng, resource, path, method, operation_id, response, body
            )
            made += 1
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"Synthetic Jobs API ({operations} operations)",
            "version": "1.0.0",
            "description": _prose(rng, 40),
        },
        "servers": [
            {
                "url": "https://euwest.api.elasticpath.com",
                "description": "EU West Production Server",
            },
            {
                "url": "https://useast.api.elasticpath.com",
                "description": "US East Production Server",
            },
        ],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": component_schemas,
        },
    }


def _resource_name(index: int) -> str:
    first = _WORDS[index % len(_WORDS)]
    second = _WORDS[(index // len(_WORDS) * 7 + 3) % len(_WORDS)]
    suffix = index // (len(_WORDS) * len(_WORDS))
    return f"{first}-{second}" + (f"-{suffix}" if suffix else "")


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


def _prose(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(_WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _operation(
    rng: random.Random,
    resource: str,
    path: str,
    method: str,
    operation_id: str,
    response: str | None,
    body: str | None,
) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = []
    if "{" in path:
        parameters.append(
            {
                "name": f"{resource}ID",
                "in": "path",
                "required": True,
                "description": f"The unique identifier of the {resource}.",
                "schema": {"type": "string"},
            }
        )
    if method == "get" and "{" not in path:
        parameters += [
            {"name": "page[limit]", "in": "query", "schema": {"type": "integer", "minimum": 1}},
            {"name": "page[offset]", "in": "query", "schema": {"type": "integer", "minimum": 0}},
            {
                "name": "filter",
                "in": "query",
                "description": _prose(rng, 12),
                "schema": {"type": "string"},
            },
        ]
    operation: dict[str, Any] = {
        "tags": [_pascal(resource)],
        "summary": f"{method.upper()} {resource}",
        "description": _prose(rng, 30),
        "operationId": operation_id,
        "parameters": parameters,
    }
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}},
        }
    responses: dict[str, Any] = {}
    if response is None:
        responses["204"] = {"description": "Deleted."}
    else:
        status = "201" if method == "post" else "200"
        responses[status] = {
            "description": _prose(rng, 8),
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{response}"}}
            },
        }
    responses["404"] = {
        "description": "Not found.",
        "content": {"application/json": {"schema": _error_schema()}},
    }
    operation["responses"] = responses
    return operation


def _error_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "status": {"type": "integer"},
                        "title": {"type": "string"},
                        "detail": {"type": "string"},
                    },
                },
            }
        },
    }


def _schema(
    rng: random.Random, name: str, names: list[str], defined: set[str], index: int
) -> dict[str, Any]:
    if name.endswith("List"):
        item = name[: -len("List")]
        return {
            "type": "object",
            "description": f"A page of {item} objects.",
            "properties": {
                "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
                "meta": {
                    "type": "object",
                    "properties": {
                        "results": {"type": "object", "properties": {"total": {"type": "integer"}}}
                    },
                },
                "links": {
                    "type": "object",
                    "properties": {
                        "next": {"type": ["string", "null"], "format": "uri"},
                        "prev": {"type": ["string", "null"], "format": "uri"},
                    },
                },
            },
        }
    properties: dict[str, Any] = {
        "id": {"type": "string", "description": "A unique identifier.", "readOnly": True},
        "type": {"type": "string", "const": "job"},
        "status": {"type": "string", "enum": list(_STATUSES), "description": _prose(rng, 10)},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": ["string", "null"], "format": "date-time"},
        "attributes": {
            "type": "object",
            "description": _prose(rng, 14),
            "properties": {
                f"{rng.choice(_WORDS)}_{i}": {
                    "type": rng.choice(["string", "integer", "number", "boolean"]),
                    "description": _prose(rng, 6),
                }
                for i in range(4)
            },
        },
        "tags": {"type": "array", "items": {"type": "string"}},
    }
    # Reference a later schema (or wrap around) so that schemas depend on each other.
    if len(names) > 1:
        other = names[(index + 1 + rng.randrange(len(names) - 1)) % len(names)]
        if other in defined and other != name and not other.endswith("List"):
            properties["related"] = {"$ref": f"#/components/schemas/{other}"}
    return {
        "type": "object",
        "description": _prose(rng, 20),
        "required": ["id", "type"],
        "properties": properties,
    }
