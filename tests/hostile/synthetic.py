"""Synthetic OpenAPI 3.1 documents of any size, for scale tests and benchmarks.

    from tests.hostile.synthetic import make_spec
    spec = make_spec(operations=2000, schemas=5000, seed=0)   # a plain dict, ready for json.dump

The same arguments always give the same document (its own `random.Random(seed)`, no hashing of
sets). It looks like the job APIs: tagged resources with list/get/create/update/delete operations,
`page[offset]`/`page[limit]` paging over a `data` array, `filter` parameters, JSON:API-style error
envelopes, and object schemas that refer to earlier ones (so `$ref` chains stay shallow, as in real
specs) with strings, numbers, enums, date-times, nullable fields, arrays, maps and allOf.
"""

from __future__ import annotations

import random
from typing import Any

__all__ = ["make_spec"]

_METHODS = ("get", "post", "put", "patch", "delete")
_WORDS = (
    "job",
    "order",
    "product",
    "price",
    "promotion",
    "code",
    "export",
    "import",
    "file",
    "hierarchy",
    "node",
    "catalog",
    "account",
    "customer",
    "cart",
    "item",
    "rule",
    "batch",
    "event",
    "status",
)


def _ref(index: int) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{_schema_name(index)}"}


def _schema_name(index: int) -> str:
    return f"{_WORDS[index % len(_WORDS)].title()}{index:05d}"


def _property(rng: random.Random, index: int) -> dict[str, Any]:
    """One property schema; refers only to schemas before `index`."""
    roll = rng.randrange(12)
    if roll == 0 and index > 0:
        return _ref(rng.randrange(max(0, index - 50), index))
    if roll == 1 and index > 0:
        return {"type": "array", "items": _ref(rng.randrange(max(0, index - 50), index))}
    if roll == 2:
        return {"type": "string", "enum": [f"{w}-{index}" for w in rng.sample(_WORDS, 3)]}
    if roll == 3:
        return {"type": "string", "format": "date-time", "description": "When it happened."}
    if roll == 4:
        return {"type": ["integer", "null"], "minimum": 0}
    if roll == 5:
        return {"type": "number"}
    if roll == 6:
        return {"type": "boolean", "default": False}
    if roll == 7:
        return {"type": "object", "additionalProperties": {"type": "string"}}
    if roll == 8:
        return {"type": "array", "items": {"type": "string"}}
    return {
        "type": "string",
        "description": f"The {rng.choice(_WORDS)} of this thing.",
        "example": "x",
    }


def _schema(rng: random.Random, index: int) -> dict[str, Any]:
    names = sorted(rng.sample(_WORDS, rng.randrange(2, 7)))
    schema: dict[str, Any] = {
        "type": "object",
        "description": f"Synthetic schema number {index}.",
        "properties": {"id": {"type": "string", "format": "uuid"}, "type": {"type": "string"}},
        "required": ["id"],
    }
    for name in names:
        schema["properties"][f"{name}_{rng.randrange(100)}"] = _property(rng, index)
    if index > 0 and rng.randrange(10) == 0:
        return {"allOf": [_ref(rng.randrange(max(0, index - 50), index)), schema]}
    return schema


def _error_schemas() -> dict[str, Any]:
    return {
        "ErrorEnvelope": {
            "type": "object",
            "required": ["errors"],
            "properties": {
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "status": {"type": "string"},
                            "title": {"type": "string"},
                            "detail": {"type": "string"},
                        },
                    },
                }
            },
        }
    }


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors() -> dict[str, Any]:
    envelope = {"$ref": "#/components/schemas/ErrorEnvelope"}
    return {"400": _json(envelope, "Bad request"), "404": _json(envelope, "Not found")}


def make_spec(operations: int, schemas: int, seed: int = 0) -> dict[str, Any]:
    """An OpenAPI 3.1 document with exactly `operations` operations and `schemas` component schemas
    (plus one shared error envelope)."""
    if operations < 0 or schemas < 1:
        raise ValueError("need operations >= 0 and schemas >= 1")
    rng = random.Random(seed)
    components = {_schema_name(i): _schema(rng, i) for i in range(schemas)}
    components.update(_error_schemas())
    paths: dict[str, Any] = {}
    made = 0
    resource = 0
    while made < operations:
        word = _WORDS[resource % len(_WORDS)]
        tag = f"{word.title()} {resource // len(_WORDS)}"
        base = f"/v2/{word}s-{resource}"
        item = f"{base}/{{{word}_id}}"
        target = rng.randrange(schemas)
        listing = {
            "type": "object",
            "properties": {"data": {"type": "array", "items": _ref(target)}},
        }
        single = {"type": "object", "properties": {"data": _ref(target)}}
        id_param = {
            "name": f"{word}_id",
            "in": "path",
            "required": True,
            "schema": {"type": "string"},
        }
        planned = [
            (
                base,
                "get",
                {
                    "operationId": f"list{word.title()}s{resource}",
                    "summary": f"List {word}s",
                    "tags": [tag],
                    "parameters": [
                        {"name": "page[offset]", "in": "query", "schema": {"type": "integer"}},
                        {"name": "page[limit]", "in": "query", "schema": {"type": "integer"}},
                        {"name": "filter", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {"200": _json(listing), **_errors()},
                },
            ),
            (
                base,
                "post",
                {
                    "operationId": f"create{word.title()}{resource}",
                    "summary": f"Create a {word}",
                    "tags": [tag],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": single}},
                    },
                    "responses": {"201": _json(single, "Created"), **_errors()},
                },
            ),
            (
                item,
                "get",
                {
                    "operationId": f"get{word.title()}{resource}",
                    "summary": f"Get a {word}",
                    "tags": [tag],
                    "parameters": [id_param],
                    "responses": {"200": _json(single), **_errors()},
                },
            ),
            (
                item,
                "put",
                {
                    "operationId": f"update{word.title()}{resource}",
                    "summary": f"Update a {word}",
                    "tags": [tag],
                    "parameters": [id_param],
                    "requestBody": {"content": {"application/json": {"schema": single}}},
                    "responses": {"200": _json(single), **_errors()},
                },
            ),
            (
                item,
                "delete",
                {
                    "operationId": f"delete{word.title()}{resource}",
                    "summary": f"Delete a {word}",
                    "tags": [tag],
                    "parameters": [id_param],
                    "responses": {"204": {"description": "Deleted"}, **_errors()},
                },
            ),
        ]
        for path, method, operation in planned:
            if made == operations:
                break
            paths.setdefault(path, {})[method] = operation
            made += 1
        resource += 1
    return {
        "openapi": "3.1.0",
        "info": {"title": "Synthetic Jobs API", "version": f"seed-{seed}"},
        "servers": [{"url": "https://api.example.com", "description": "EU West Production Server"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }
