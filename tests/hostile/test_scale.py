"""Scale and limits: big specs generate within a memory bound; deep and recursive schemas do not hit
Python's recursion limit (they generate, or are refused in one line). No timing is asserted anywhere.

The 2,000-operation case is marked `scale` (it runs in CI: about ten seconds, once).
"""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.diagnostics import InputError

from . import support
from .synthetic import make_spec

MEMORY_BOUND_MB = 1536


def _wrap(schema: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Deep", "version": "1"},
        "paths": {
            "/deep": {
                "post": {
                    "operationId": "deep",
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Root"}}
                        }
                    },
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Root"}
                                }
                            },
                        }
                    },
                }
            }
        },
        "components": {"schemas": {"Root": schema, **(extra or {})}},
    }


def _nest(kind: str, depth: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": {"leaf": {"type": "string"}}}
    for _ in range(depth):
        if kind == "properties":
            schema = {"type": "object", "properties": {"child": schema}}
        elif kind == "items":
            schema = {"type": "array", "items": schema}
        elif kind == "additionalProperties":
            schema = {"type": "object", "additionalProperties": schema}
        elif kind == "allOf":
            schema = {
                "allOf": [schema, {"type": "object", "properties": {"x": {"type": "integer"}}}]
            }
        elif kind == "anyOf":
            schema = {"anyOf": [schema, {"type": "integer"}]}
        elif kind == "nullable-type-array":
            schema = {"type": ["object", "null"], "properties": {"child": schema}}
    return schema


def _example(kind: str, depth: int) -> Any:
    value: Any = {"leaf": "x"}
    for _ in range(depth):
        value = {
            "properties": {"child": value},
            "items": [value],
            "additionalProperties": {"k": value},
            "allOf": value,
            "anyOf": value,
            "nullable-type-array": {"child": value},
        }[kind]
    return value


KINDS = ["properties", "items", "additionalProperties", "allOf", "anyOf", "nullable-type-array"]


@pytest.mark.parametrize("kind", KINDS)
def test_schemas_nested_200_deep_generate_and_validate(kind: str, tmp_path: Path) -> None:
    spec = support.write_spec(tmp_path, _wrap(_nest(kind, 200)), "deep")
    result = support.generate([spec], "deep_pkg")  # no RecursionError, no InputError
    assert support.syntax_errors(support.templated_files(result.files, "deep_pkg")) == []
    out = tmp_path / "out"
    support.write_files(result.files, out)
    with support.imported(
        out, "deep_pkg", result.files, ["deep.models", "deep.resources"]
    ) as imported:
        models = imported.modules["deep.models"]
        if hasattr(models, "Root"):
            root = models.Root
            payload = _example(kind, 200)
            validated = root.model_validate(payload) if hasattr(root, "model_validate") else None
            assert validated is None or validated.to_dict() == payload


@pytest.mark.parametrize("kind", ["properties", "items", "anyOf"])
def test_schemas_nested_beyond_what_can_be_validated_are_left_out_in_one_line(
    kind: str, tmp_path: Path
) -> None:
    """What nests deeper than openapi-pydantic validates is left out (the deepest property, or
    the component schema that holds it, and then what needs that), with a located entry."""
    spec = support.write_spec(tmp_path, _wrap(_nest(kind, 280)), "deeper")
    result = support.invoke("validate", spec)
    assert result.exit_code == 0, result.stderr[-500:]
    assert "maximum validation depth exceeded" in result.stderr_lines[0]
    assert support.WARNING_LINE.match(result.stderr_lines[0])
    assert "RecursionError" not in result.stderr and "internal error" not in result.stderr
    strict = support.invoke(
        "generate", spec, "-o", tmp_path / "out", "-p", "pkg", "--no-cache", "--strict"
    )
    assert strict.exit_code == 2, strict.stderr[-500:]
    assert len(strict.stderr_lines) == 1 and support.ERROR_LINE.match(strict.stderr_lines[0])


def test_the_schema_nesting_the_readme_states_is_the_one_users_meet(tmp_path: Path) -> None:
    readme = (support.ROOT / "README.md").read_text()
    words = " ".join(readme.split())  # (wherever its lines are broken)
    match = re.search(r"under `components/schemas` validate up to (\d+) levels deep", words)
    assert match, "the README states the schema nesting limit"
    limit = int(match.group(1))
    chain = lambda levels: _nest("items", levels - 1)  # noqa: E731 - one object and what it wraps
    deep = support.write_spec(tmp_path / "at", _wrap(chain(limit)), "deep")
    assert support.invoke("validate", deep).exit_code == 0
    deeper = support.write_spec(tmp_path / "past", _wrap(chain(limit + 5)), "deep")
    result = support.invoke("validate", deeper)
    assert result.exit_code == 0  # left out, not refused: see "Degrade, don't die"
    crossing = support.WARNING_LINE.match(result.stderr_lines[0])
    assert crossing and crossing["pointer"].startswith("/components/schemas/Root/items/items")
    assert "recursion error" in result.stderr_lines[0]
    assert "the component schema 'Root' is left out" in result.stderr_lines[0]
    strict = support.invoke("validate", deeper, "--strict")
    assert strict.exit_code == 2


def _recursive_specs() -> dict[str, dict[str, Any]]:
    node = {"$ref": "#/components/schemas/Node"}
    return {
        "self": _wrap(
            node,
            {
                "Node": {
                    "type": "object",
                    "properties": {
                        "value": {"type": "string"},
                        "children": {"type": "array", "items": node},
                        "parent": node,
                    },
                }
            },
        ),
        "mutual": _wrap(
            {"$ref": "#/components/schemas/A"},
            {
                "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
                "B": {
                    "type": "object",
                    "properties": {
                        "a": {"$ref": "#/components/schemas/A"},
                        "c": {"$ref": "#/components/schemas/C"},
                    },
                },
                "C": {
                    "type": "object",
                    "properties": {
                        "a": {"type": "array", "items": {"$ref": "#/components/schemas/A"}}
                    },
                },
            },
        ),
        "through-union-and-map": _wrap(
            {"$ref": "#/components/schemas/Tree"},
            {
                "Tree": {
                    "type": "object",
                    "properties": {
                        "kids": {
                            "type": "object",
                            "additionalProperties": {
                                "anyOf": [{"$ref": "#/components/schemas/Tree"}, {"type": "string"}]
                            },
                        }
                    },
                }
            },
        ),
        "through-allof": _wrap(
            {"$ref": "#/components/schemas/Child"},
            {
                "Base": {
                    "type": "object",
                    "properties": {"next": {"$ref": "#/components/schemas/Child"}},
                },
                "Child": {
                    "allOf": [
                        {"$ref": "#/components/schemas/Base"},
                        {"type": "object", "properties": {"name": {"type": "string"}}},
                    ]
                },
            },
        ),
    }


RECURSIVE_PAYLOADS: dict[str, Any] = {
    "self": {"value": "a", "children": [{"value": "b", "children": [], "parent": {"value": "c"}}]},
    "mutual": {"b": {"a": {"b": {}}, "c": {"a": [{"b": {}}]}}},
    "through-union-and-map": {"kids": {"x": {"kids": {"y": "leaf"}}, "z": "leaf"}},
    "through-allof": {"name": "n", "next": {"name": "m"}},
}


@pytest.mark.parametrize("case", sorted(RECURSIVE_PAYLOADS))
def test_recursive_schemas_generate_import_and_validate(case: str, tmp_path: Path) -> None:
    spec = support.write_spec(tmp_path, _recursive_specs()[case], "rec")
    result = support.generate([spec], "rec_pkg")
    out = tmp_path / "out"
    support.write_files(result.files, out)
    assert result.project is not None
    root_name = next(
        m.name
        for m in result.project.apis[0].models
        if m.location.pointer.startswith("/components/schemas/")
    )
    with support.imported(
        out, "rec_pkg", result.files, ["rec.models", "rec.resources"]
    ) as imported:
        model = getattr(imported.modules["rec.models"], root_name)
        payload = RECURSIVE_PAYLOADS[case]
        assert model.model_validate(payload).to_dict() == payload


def test_a_long_chain_of_refs_generates(tmp_path: Path) -> None:
    count = 1500
    schemas = {
        f"S{i}": {
            "type": "object",
            "properties": {"next": {"$ref": f"#/components/schemas/S{i + 1}"}},
        }
        for i in range(count)
    }
    schemas[f"S{count}"] = {"type": "object", "properties": {"end": {"type": "string"}}}
    spec = _wrap({"$ref": "#/components/schemas/S0"}, schemas)
    path = support.write_spec(tmp_path, spec, "chain")
    result = support.generate([path], "chain_pkg")
    assert result.project is not None and len(result.project.apis[0].models) == count + 1
    assert support.syntax_errors(support.templated_files(result.files, "chain_pkg")) == []
    assert sys.getrecursionlimit() < 10_000  # the parser gave back the room it took
    # And the package imports: its models are rebuilt deepest first (pydantic recursion otherwise).
    out = tmp_path / "out"
    support.write_files(result.files, out)
    with support.imported(out, "chain_pkg", result.files, ["chain.models"]) as imported:
        models = imported.modules["chain.models"]
        payload = {"next": {"next": {"next": {}}}}
        assert models.S0.model_validate(payload).to_dict() == payload


def test_recursion_room_is_given_back_even_when_parsing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = sys.getrecursionlimit()
    spec = support.write_spec(tmp_path, _wrap({"type": "string"}), "bad")

    def fail(self: object) -> None:
        raise InputError("cannot be parsed")

    monkeypatch.setattr("generator.parse.operations.OperationParser.parse", fail)
    with pytest.raises(InputError):
        support.generate([spec], "bad_pkg")
    assert sys.getrecursionlimit() == before


@pytest.mark.scale
def test_two_thousand_operations_and_five_thousand_schemas_generate_within_the_memory_bound(
    tmp_path: Path,
) -> None:
    spec = make_spec(operations=2000, schemas=5000, seed=1)
    assert sum(len(item) for item in spec["paths"].values()) == 2000
    assert len(spec["components"]["schemas"]) == 5001  # and the error envelope
    path = tmp_path / "big.json"
    path.write_text(json.dumps(spec))
    out = tmp_path / "out"
    # A process of its own, so that its peak memory is its own (ru_maxrss of the waited-for children).
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "generate",
            str(path),
            "-o",
            str(out),
            "-p",
            "big_pkg",
            "--no-cache",
        ],
        cwd=support.ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert done.returncode == 0, done.stderr[-2000:]
    assert "2000 operations" in done.stderr and "Traceback" not in done.stderr
    assert peak_mb < MEMORY_BOUND_MB, f"peak {peak_mb:.0f} MB"
    models = (out / "big_pkg" / "big" / "models.py").read_text()
    assert models.count("\nclass ") >= 5000
    resources = (out / "big_pkg" / "big" / "resources.py").read_text()
    assert resources.count("    def ") >= 2 * 2000  # sync and async, plain and raw
    paths = [
        out / p
        for p in support.templated_files(
            {p.relative_to(out).as_posix(): "" for p in out.rglob("*.py")}, "big_pkg"
        )
    ]
    assert support.ruff_problems([out], paths) == ""


def test_synthetic_specs_are_deterministic_and_valid_openapi() -> None:
    from openapi_spec_validator import validate

    def small(seed: int) -> dict[str, Any]:
        return make_spec(operations=37, schemas=60, seed=seed)

    assert json.dumps(small(3)) == json.dumps(small(3))
    assert json.dumps(small(3)) != json.dumps(small(4))
    validate(small(3))
    spec = small(5)
    assert sum(len(item) for item in spec["paths"].values()) == 37
    assert len(spec["components"]["schemas"]) == 61
    with pytest.raises(ValueError):
        make_spec(operations=1, schemas=0)
