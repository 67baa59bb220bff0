"""The named repairs of `generator/repair.py`, one at a time: the document before and after, and the
located warning (or, for what cannot be repaired, the skipped entry) each gives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.diagnostics import Collector
from generator.load import load_document
from generator.repair import apply_repairs, repair_server_url
from generator.validate import problems


def _repaired(
    tmp_path: Path, paths: Any, components: Any = None, **top: Any
) -> tuple[Any, Collector]:
    data = {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": paths, **top}
    if components is not None:
        data["components"] = components
    path = tmp_path / "api.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    doc = load_document(path)
    report = Collector()
    apply_repairs(doc, report)
    assert problems("3.1.0", doc.data) == [], "the repaired document is valid OpenAPI"
    return doc.data, report


def _warnings(report: Collector) -> list[tuple[str, str]]:
    return [(w.code, w.location.pointer) for w in report.warnings]


def _post(body: Any) -> Any:
    return {
        "/imports": {
            "post": {
                "operationId": "x",
                "requestBody": body,
                "responses": {"201": {"description": "OK"}},
            }
        }
    }


FILE = {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}


def test_a_required_flag_under_content_moves_to_the_request_body(tmp_path: Path) -> None:
    data, report = _repaired(
        tmp_path, _post({"content": {"multipart/form-data": {"schema": FILE}, "required": True}})
    )
    body = data["paths"]["/imports"]["post"]["requestBody"]
    assert body == {"content": {"multipart/form-data": {"schema": FILE}}, "required": True}
    assert _warnings(report) == [
        ("required-in-content", "/paths/~1imports/post/requestBody/content/required")
    ]


def test_a_required_list_under_content_moves_to_the_schema(tmp_path: Path) -> None:
    data, report = _repaired(
        tmp_path, _post({"content": {"application/json": {"schema": FILE}, "required": ["file"]}})
    )
    schema = data["paths"]["/imports"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    assert schema["required"] == ["file"]
    assert report.warnings[0].message.endswith("(to the schema)")


def test_a_required_flag_under_a_parameters_media_type_moves_to_the_parameter(
    tmp_path: Path,
) -> None:
    parameter = {"name": "q", "in": "query", "content": {"application/json": {"required": True}}}
    paths = {
        "/a": {
            "get": {
                "operationId": "a",
                "parameters": [parameter],
                "responses": {"204": {"description": "OK"}},
            }
        }
    }
    data, report = _repaired(tmp_path, paths)
    assert data["paths"]["/a"]["get"]["parameters"][0] == {
        "name": "q",
        "in": "query",
        "content": {"application/json": {}},
        "required": True,
    }
    assert _warnings(report) == [
        ("required-in-content", "/paths/~1a/get/parameters/0/content/application~1json/required")
    ]


def test_one_example_given_as_examples_is_kept_as_an_example(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string", "examples": "a.csv"}}}
    media = {"schema": schema, "examples": "not a map"}
    paths = {
        "/a": {
            "get": {
                "operationId": "a",
                "responses": {"200": {"description": "OK", "content": {"application/json": media}}},
            }
        }
    }
    data, report = _repaired(tmp_path, paths)
    media = data["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]
    assert media["example"] == "not a map" and "examples" not in media
    assert media["schema"]["properties"]["name"]["examples"] == ["a.csv"]
    base = "/paths/~1a/get/responses/200/content/application~1json"
    assert sorted(_warnings(report)) == [
        ("examples-not-a-list", f"{base}/examples"),
        ("examples-not-a-list", f"{base}/schema/properties/name/examples"),
    ]


def test_type_object_indented_into_properties_moves_up(tmp_path: Path) -> None:
    file = {"properties": {"type": "object", "required": ["name"], "name": {"type": "string"}}}
    data, report = _repaired(tmp_path, {}, {"schemas": {"File": file}})
    assert data["components"]["schemas"]["File"] == {
        "properties": {"name": {"type": "string"}},
        "type": "object",
        "required": ["name"],
    }
    assert _warnings(report) == [
        ("keyword-in-properties", "/components/schemas/File/properties/type"),
        ("keyword-in-properties", "/components/schemas/File/properties/required"),
    ]


def test_a_property_named_type_that_is_a_schema_stays(tmp_path: Path) -> None:
    file = {"type": "object", "properties": {"type": {"type": "string"}}}
    data, report = _repaired(tmp_path, {}, {"schemas": {"File": file}})
    assert data["components"]["schemas"]["File"] == file and report.warnings == []


def test_a_swagger_2_schema_on_a_response_goes_into_content(tmp_path: Path) -> None:
    response = {"description": "OK", "schema": {"type": "integer"}}
    paths = {"/a": {"get": {"operationId": "a", "responses": {"200": response}}}}
    data, report = _repaired(tmp_path, paths)
    assert data["paths"]["/a"]["get"]["responses"]["200"] == {
        "description": "OK",
        "content": {"application/json": {"schema": {"type": "integer"}}},
    }
    assert _warnings(report) == [("swagger2-schema", "/paths/~1a/get/responses/200/schema")]


def test_a_parameter_with_schema_and_content_keeps_its_schema(tmp_path: Path) -> None:
    parameter = {
        "name": "q",
        "in": "query",
        "schema": {"type": "string"},
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
    paths = {
        "/a": {
            "get": {
                "operationId": "a",
                "parameters": [parameter],
                "responses": {"204": {"description": "OK"}},
            }
        }
    }
    data, report = _repaired(tmp_path, paths)
    assert "content" not in data["paths"]["/a"]["get"]["parameters"][0]
    assert _warnings(report) == [("swagger2-schema", "/paths/~1a/get/parameters/0/content")]


@pytest.mark.parametrize(
    ("url", "repaired"),
    [
        ("https://https//api.example.com/v2", "https://api.example.com/v2"),
        ("https://https://api.example.com", "https://api.example.com"),
        ("api.example.com/v2", "https://api.example.com/v2"),
        ("https://{region}.example.com", "https://{region}.example.com"),
        ("/v2", "/v2"),
        ("https://", None),
        ("ftp://files.example.com", None),
        ("see the docs", None),
    ],
)
def test_server_urls(url: str, repaired: str | None) -> None:
    assert repair_server_url(url) == repaired


def test_a_malformed_server_url_is_repaired_and_an_unrepairable_one_left_out(
    tmp_path: Path,
) -> None:
    servers = [
        {"url": "https://", "description": "Broken"},
        {"url": "https://https//eu.example.com", "description": "EU"},
    ]
    data, report = _repaired(tmp_path, {}, servers=servers)
    assert data["servers"] == [{"url": "https://eu.example.com", "description": "EU"}]
    assert _warnings(report) == [("server-url", "/servers/1/url")]
    assert [(s.code, s.location.pointer) for s in report.skipped] == [
        ("server-url", "/servers/0/url")
    ]
