"""Naming is deterministic and follows the rule documented in generator/naming.py.

- a table of inputs and the names each documented rule gives;
- collisions resolved in document order (reorder the spec, the winner changes with it);
- the same bytes from processes with different PYTHONHASHSEEDs (no set or hash order leaks out);
- names the runtime's client uses are never given to an API module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator import naming

from . import support
from .conftest import GOOD_SPEC

# (function, input, expected, the rule in naming.py's docstring)
TABLE: list[tuple[str, Any, str, str]] = [
    # folded to ASCII (NFKD; other characters dropped)
    ("snake", "Ünïcödé", "unicode", "ascii"),
    ("snake", "ﬁeld", "field", "ascii"),
    ("class_name", "Ⅳ", "IV", "ascii"),
    ("snake", "名前", "field", "ascii + empty placeholder"),
    # words at non-alphanumerics and lower-to-upper changes
    ("snake", "userID", "user_id", "words"),
    ("snake", "HTTPServer", "http_server", "words"),
    ("snake", "page[offset]", "page_offset", "words"),
    ("snake", "job-type", "job_type", "words"),
    ("snake", "  spaced   out ", "spaced_out", "words"),
    ("class_name", "order_export job", "OrderExportJob", "PascalCase"),
    ("class_name", "pim-job", "PimJob", "PascalCase"),
    ("enum_member", "in-progress", "IN_PROGRESS", "UPPER_SNAKE"),
    ("enum_member", -1, "MINUS_1", "UPPER_SNAKE of a number"),
    ("enum_member", 1.5, "VALUE_1_POINT_5", "UPPER_SNAKE of a number"),
    # digits first get a prefix
    ("snake", "1st", "n_1st", "digit prefix"),
    ("field_name", "2fa", "n_2fa", "digit prefix"),
    ("class_name", "3d", "Model3d", "digit prefix"),
    ("enum_member", "404", "VALUE_404", "digit prefix"),
    ("enum_member", 200, "VALUE_200", "digit prefix"),
    # keywords, soft keywords (Python 3.11's list, pinned), BaseModel attributes
    ("snake", "class", "class_", "keyword"),
    ("snake", "match", "match_", "soft keyword"),
    ("field_name", "type", "type", "soft keywords pinned to 3.11 (3.12 adds `type`)"),
    ("class_name", "None", "None_", "keyword"),
    ("enum_member", "true", "TRUE", "keywords are case-sensitive"),
    ("field_name", "json", "json_", "BaseModel attribute"),
    ("field_name", "schema", "schema_", "BaseModel attribute"),
    ("field_name", "copy", "copy_", "BaseModel attribute"),
    ("field_name", "model_config", "model_config_", "BaseModel attribute"),
    ("field_name", "model_anything", "model_anything_", "pydantic's model_ namespace"),
    ("enum_member", "name", "NAME_", "Enum attribute"),
    # ambiguous names (E741-E743)
    ("field_name", "l", "l_", "ambiguous"),
    ("class_name", "O", "O_", "ambiguous"),
    ("enum_member", "i", "I_", "ambiguous"),
    # generated code must not shadow its own names
    ("field_name", "str", "str_", "field shadowing an annotation"),
    ("field_name", "datetime", "datetime_", "field shadowing an annotation"),
    ("field_name", "list", "list_", "field shadowing an annotation"),
    ("param_name", "models", "models_", "parameter shadowing a name the method uses"),
    ("param_name", "max_items", "max_items_", "parameter shadowing the pager's own"),
    ("param_name", "options", "options_", "parameter shadowing a name the method uses"),
    ("param_name", "str", "str_", "parameter shadowing a name the method uses"),
    ("method_name", "with_raw_response", "with_raw_response_", "method shadowing the raw accessor"),
    ("module_name", "jobs", "jobs_", "module shadowing a client attribute"),
    ("module_name", "auth", "auth_", "module shadowing a client attribute"),
    ("module_name", "models", "models_", "module shadowing a package module"),
    ("module_name", "_private", "private", "leading underscores dropped"),
    # empty names
    ("snake", "", "field", "empty placeholder"),
    ("param_name", "", "param", "empty placeholder"),
    ("method_name", "!!!", "call", "empty placeholder"),
    ("module_name", "", "api", "empty placeholder"),
    ("class_name", "---", "Model", "empty placeholder"),
    ("enum_member", "", "EMPTY", "empty placeholder"),
]


@pytest.mark.parametrize(
    ("function", "text", "expected", "rule"), TABLE, ids=[f"{f}({t!r})" for f, t, _, _ in TABLE]
)
def test_documented_rule(function: str, text: Any, expected: str, rule: str) -> None:
    assert getattr(naming, function)(text) == expected, rule
    assert expected.isidentifier()


def test_every_documented_rule_is_in_the_table() -> None:
    doc = naming.__doc__ or ""
    for phrase in (
        "folded to ASCII",
        "digit gets a prefix",
        "keyword",
        "BaseModel",
        "placeholder",
        "Collisions",
        "trailing underscore",
        "Field2",
    ):
        assert phrase in doc, phrase


@pytest.mark.parametrize(
    ("sep", "names", "expected"),
    [
        ("_", ["a", "a", "a", "a_2"], ["a", "a_2", "a_3", "a_2_2"]),
        ("", ["Job", "Job", "Job2", "Job"], ["Job", "Job2", "Job22", "Job3"]),
        ("-", ["eu-west", "eu-west"], ["eu-west", "eu-west-2"]),
    ],
)
def test_collisions_get_numbers_first_come_first_served(
    sep: str, names: list[str], expected: list[str]
) -> None:
    scope = naming.Scope(sep=sep)
    assert [scope.claim(n) for n in names] == expected


def _collision_spec(schema_order: list[str], property_order: list[str]) -> dict[str, Any]:
    spec = json.loads(json.dumps(GOOD_SPEC))
    spec["components"]["schemas"] = {
        name: {"type": "object", "properties": {p: {"type": "string"} for p in property_order}}
        for name in schema_order
    }
    spec["components"]["schemas"]["Thing"] = GOOD_SPEC["components"]["schemas"]["Thing"]
    spec["components"]["schemas"]["Mode"] = {"type": "string", "enum": ["a-b", "a_b", "A B"]}
    return spec


def _class_and_field_names(
    tmp_path: Path, spec: dict[str, Any]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, object]]]:
    path = support.write_spec(tmp_path, spec, "names")
    result = support.generate([path], "names_pkg")
    assert result.project is not None
    api = result.project.apis[0]
    classes = [
        (m.location.pointer.rsplit("/", 1)[1], m.name)
        for m in api.models
        if m.location.pointer.count("/") == 3 and m.name != "Thing"
    ]
    fields = [(f.wire_name, f.py_name) for m in api.models if m.name == "FooBar" for f in m.fields]
    members = [(m.py_name, m.value) for e in api.enums if e.name == "Mode" for m in e.members]
    return classes, fields, members


def test_collisions_follow_document_order(tmp_path: Path) -> None:
    classes, fields, members = _class_and_field_names(
        tmp_path / "a",
        _collision_spec(["Foo-Bar", "foo_bar", "FooBar", "Field"], ["a-b", "a_b", "aB"]),
    )
    assert classes[:4] == [
        ("Foo-Bar", "FooBar"),
        ("foo_bar", "FooBar2"),
        ("FooBar", "FooBar3"),
        ("Field", "Field2"),
    ]
    assert fields == [("a-b", "a_b"), ("a_b", "a_b_2"), ("aB", "a_b_3")]
    assert members == [("A_B", "a-b"), ("A_B_2", "a_b"), ("A_B_3", "A B")]
    # Declared the other way round, the other one wins: the rule is the order, nothing else.
    classes, fields, _ = _class_and_field_names(
        tmp_path / "b", _collision_spec(["FooBar", "foo_bar", "Foo-Bar"], ["aB", "a_b", "a-b"])
    )
    assert classes[:3] == [("FooBar", "FooBar"), ("foo_bar", "FooBar2"), ("Foo-Bar", "FooBar3")]
    assert fields == [("aB", "a_b"), ("a_b", "a_b_2"), ("a-b", "a_b_3")]


def test_the_same_bytes_whatever_the_hash_seed(tmp_path: Path) -> None:
    specs = [support.ROOT / "specs" / f"{name}.yaml" for name in ("exporter", "pcm", "promotions")]
    specs += [p for p in support.CORPUS.iterdir() if p.name.startswith(("ok-", "warning-"))]
    collisions = support.write_spec(
        tmp_path / "in",
        _collision_spec(
            ["Foo-Bar", "foo_bar", "FooBar", "Any", "Literal"], ["a-b", "a_b", "aB", "str", "l"]
        ),
        "collide",
    )
    args = [
        *map(str, specs),
        str(collisions),
        "--profile",
        str(support.ROOT / "specs" / "jobs.yaml"),
        "-p",
        "seeded",
        "--no-cache",
        "-q",
    ]
    processes = {
        seed: subprocess.Popen(
            [
                sys.executable,
                "-m",
                "generator",
                "generate",
                *args,
                "-o",
                str(tmp_path / f"out-{seed}"),
            ],
            cwd=support.ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        for seed in ("0", "1", "4242")
    }
    trees = {}
    for seed, process in processes.items():
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        trees[seed] = support.tree(tmp_path / f"out-{seed}")
    assert len(trees["0"]) > 30
    assert trees["0"] == trees["1"] == trees["4242"]


def test_no_api_module_takes_a_name_the_client_uses(
    tmp_path: Path, runtime_status: tuple[bool, str]
) -> None:
    if not runtime_status[0]:
        pytest.skip(f"the runtime does not import yet: {runtime_status[1]}")
    path = support.write_spec(tmp_path, GOOD_SPEC, "api")
    files = support.generate([path], "attr_pkg").files
    support.write_files(files, tmp_path / "out")
    with support.imported(
        tmp_path / "out", "attr_pkg", files, ["_base_client", "_client"]
    ) as imported:
        client_module = imported.modules["_client"]
        used = {
            name
            for cls in (client_module.Client, client_module.AsyncClient)
            for name in dir(cls)
            if not name.startswith("_")
        } | set(vars(client_module.Client(auth="t", base_url="https://example.com")))
    used = {name for name in used if not name.startswith("_") and name != "api"}
    assert "jobs" in used and "request" in used
    taken = sorted(name for name in used if naming.module_name(name) == name)
    assert taken == [], f"spec files named {taken} would replace these client attributes"


def test_spec_files_named_like_client_attributes_keep_the_client_whole(
    tmp_path: Path, runtime_status: tuple[bool, str]
) -> None:
    if not runtime_status[0]:
        pytest.skip(f"the runtime does not import yet: {runtime_status[1]}")
    stems = ("jobs", "auth", "request", "foo", "foo_2", "foo2")
    specs = [support.write_spec(tmp_path / "in", GOOD_SPEC, stem) for stem in stems]
    specs.append(support.write_spec(tmp_path / "in2", GOOD_SPEC, "foo"))  # the same stem again
    result = support.generate(specs, "whole_pkg")
    assert result.project is not None
    modules = [api.name for api in result.project.apis]
    assert modules == ["jobs_", "auth_", "request_", "foo", "foo_2", "foo2", "foo_3"]
    support.write_files(result.files, tmp_path / "out")
    with support.imported(tmp_path / "out", "whole_pkg", result.files) as imported:
        client = imported.package.Client(auth="token", base_url="https://example.com")
        assert type(client.jobs).__name__ == "ClientJobs"
        assert callable(client.request) and client.auth is not None
        groups = {type(getattr(client, m)).__name__ for m in modules}
        assert len(groups) == len(modules), groups  # every API its own group class


def _methods_by_class(source: str) -> dict[str, list[str]]:
    import ast

    return {
        node.name: [
            item.name
            for item in node.body
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        for node in ast.parse(source).body
        if isinstance(node, ast.ClassDef)
    }


def test_generated_classes_and_methods_never_shadow_each_other(tmp_path: Path) -> None:
    """Resource "Async Jobs" beside "Jobs" (whose async class is `AsyncJobsResource` too), and an
    operation named like another operation's pager (`iter_list_jobs`): each keeps its own name."""
    paged = {
        "name": "page[offset]",
        "in": "query",
        "schema": {"type": "integer"},
    }
    listing = {
        "200": {
            "description": "OK",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {"data": {"type": "array", "items": {"type": "string"}}},
                    }
                }
            },
        }
    }
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/jobs": {
                "get": {
                    "operationId": "listJobs",
                    "tags": ["Jobs"],
                    "parameters": [paged, {**paged, "name": "page[limit]"}],
                    "responses": listing,
                }
            },
            "/jobs/iter": {
                "get": {
                    "operationId": "iterListJobs",
                    "tags": ["Jobs"],
                    "responses": {"200": {"description": "OK"}},
                }
            },
            "/async-jobs": {
                "get": {
                    "operationId": "listAsyncJobs",
                    "tags": ["Async Jobs"],
                    "responses": {"200": {"description": "OK"}},
                }
            },
        },
    }
    path = support.write_spec(tmp_path, spec, "api")
    files = support.generate([path], "shadow_pkg").files
    classes = _methods_by_class(files["shadow_pkg/api/resources.py"])
    assert len(classes) == 4 * 2 + 2  # 2 resources x (plain, raw) x (sync, async), + the two groups
    for name, methods in classes.items():
        assert len(methods) == len(set(methods)), f"{name}: {methods}"
    assert {"list_jobs", "iter_list_jobs", "iter_list_jobs_2"} <= set(classes["JobsResource"])
    assert "AsyncJobsResource" in classes and "AsyncJobs2Resource" in classes
    support.write_files(files, tmp_path / "out")
    problems = support.ruff_problems(
        [tmp_path / "out"], [tmp_path / "out" / "shadow_pkg" / "api" / "resources.py"]
    )
    assert problems == ""


def test_a_model_named_like_a_builtin_class_is_renamed_and_imports(tmp_path: Path) -> None:
    """Found by the long fuzz run: `Warning`, referred to before its class is defined, resolved to the
    builtin `Warning` while pydantic built the referring model, and the package failed to import."""
    spec = json.loads(json.dumps(GOOD_SPEC))
    spec["components"]["schemas"] = {
        "Thing": {
            "type": "object",
            "properties": {
                "warnings": {"type": "array", "items": {"$ref": "#/components/schemas/warning"}},
                "error": {"$ref": "#/components/schemas/Exception"},
            },
        },
        "warning": {"type": "object", "properties": {"code": {"type": "string"}}},
        "Exception": {"type": "object", "properties": {"detail": {"type": "string"}}},
    }
    path = support.write_spec(tmp_path, spec, "api")
    result = support.generate([path], "builtin_pkg")
    assert result.project is not None
    names = [m.name for m in result.project.apis[0].models]
    assert names == ["Thing", "Warning2", "Exception2"]
    support.write_files(result.files, tmp_path / "out")
    with support.imported(
        tmp_path / "out", "builtin_pkg", result.files, ["api.models"]
    ) as imported:
        thing = imported.modules["api.models"].Thing
        payload = {"warnings": [{"code": "w1"}], "error": {"detail": "d"}}
        assert thing.model_validate(payload).to_dict() == payload


def test_the_pinned_basemodel_attributes_cover_the_installed_pydantic() -> None:
    """Field names avoid BaseModel's attributes from a pinned list (so the output does not depend on
    the pydantic running jobgen); a pydantic that adds one must be noticed and the list extended."""
    import pydantic

    installed = {name for name in dir(pydantic.BaseModel) if not name.startswith("__")}
    assert installed <= naming._MODEL_RESERVED, sorted(installed - naming._MODEL_RESERVED)
    assert naming.field_name("model_dump") != "model_dump"
