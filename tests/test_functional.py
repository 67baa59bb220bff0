"""Generate a client from a few lines of inline YAML, import it and call it (HTTP mocked with respx)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pydantic
import pytest
import respx

from generator.config import Config
from generator.output import write_output
from generator.pipeline import run

from .conftest import write_spec

BASE = "https://api.example.test"

SPEC = """
openapi: 3.1.0
info: {title: Widgets, version: '2'}
servers:
  - {url: 'https://api.example.test', description: Test Server}
paths:
  /widgets:
    get:
      operationId: listWidgets
      tags: [Widgets]
      parameters:
        - {name: 'page[offset]', in: query, schema: {type: integer}}
        - {name: 'page[limit]', in: query, schema: {type: integer}}
        - {name: filter, in: query, schema: {type: string}}
        - {name: X-Trace, in: header, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  data: {type: array, items: {$ref: 'shared.yaml#/components/schemas/Widget'}}
                  links: {type: object, properties: {next: {type: [string, 'null']}}}
        '404':
          description: missing
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Errors'}
    post:
      operationId: createWidget
      tags: [Widgets]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: 'shared.yaml#/components/schemas/Widget'}
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: {type: object, properties: {data: {$ref: 'shared.yaml#/components/schemas/Widget'}}}
  /widgets/{widgetID}/image:
    post:
      operationId: uploadImage
      tags: [Widgets]
      parameters:
        - {name: widgetID, in: path, required: true, schema: {type: string}}
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file]
              properties:
                file: {type: string, format: binary}
                caption: {type: string}
      responses:
        '204': {description: stored}
components:
  schemas:
    Errors:
      type: object
      properties:
        errors:
          type: array
          items:
            type: object
            properties:
              status: {type: string}
              title: {type: string}
"""

SHARED = """
components:
  schemas:
    Widget:
      type: object
      required: [kind]
      properties:
        id: {type: string}
        kind: {const: widget}
        class: {type: string, description: 'A keyword as a property name'}
        'and': {type: boolean}
        json: {type: integer, description: 'Shadows a BaseModel attribute'}
        colour:
          type: string
          enum: ['dark-red', 'Dark Red', '2tone', '']
        size: {type: integer, nullable: true}
        parts:
          allOf:
            - {$ref: '#/components/schemas/Part'}
            - {type: object, properties: {extra: {type: string}}}
        shape:
          oneOf:
            - {$ref: '#/components/schemas/Circle'}
            - {$ref: '#/components/schemas/Square'}
        created_at: {type: string, format: date-time}
    Part:
      type: object
      properties:
        name:
          type: string
          description: |
            The part's name.

            Either of:
            - a catalogue name
            - a free name
    Circle: {type: object, properties: {radius: {type: number}}}
    Square: {type: object, properties: {side: {type: number}}}
"""


@pytest.fixture(scope="module")
def widgets(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("functional")
    spec = write_spec(folder, SPEC, "widgets.yaml")
    write_spec(folder, SHARED, "shared.yaml")
    out = folder / "out"
    result = run(Config(specs=(spec,), output=out, package="wpkg"))
    # The shared file uses 3.0's `nullable` (repaired) and two enum values that collide as names.
    assert sorted(w.code for w in result.warnings) == ["enum-collision", "nullable-in-3.1"]
    assert result.skipped == []
    write_output(result.files, out)
    return out


@pytest.fixture
def wpkg(widgets: Path, import_fresh) -> Any:  # type: ignore[no-untyped-def]
    return import_fresh(widgets, "wpkg")


def test_models_handle_keywords_enums_nullable_and_composition(wpkg: Any) -> None:
    models = wpkg.widgets.models
    widget = models.Widget.model_validate(
        {
            "kind": "widget",
            "class": "A",
            "and": True,
            "json": 3,
            "colour": "Dark Red",
            "size": None,
            "parts": {"name": "p", "extra": "e"},
            "shape": {"radius": 2.0},
            "created_at": "2024-01-05T13:46:42.07Z",
            "unknown": "kept",
        }
    )
    assert (widget.class_, widget.and_, widget.json_) == ("A", True, 3)
    assert widget.colour is models.WidgetColour.DARK_RED_2 and widget.colour.value == "Dark Red"
    assert {m.name for m in models.WidgetColour} == {
        "DARK_RED",
        "DARK_RED_2",
        "VALUE_2TONE",
        "EMPTY",
    }
    assert widget.parts.extra == "e" and widget.shape.radius == 2.0
    assert widget.created_at.tzinfo is not None
    assert widget.model_extra == {"unknown": "kept"}
    assert widget.to_dict()["class"] == "A"
    with pytest.raises(pydantic.ValidationError):
        models.Widget.model_validate({"kind": "gadget"})


def test_field_docstrings_are_indented_like_their_field(widgets: Path) -> None:
    text = (widgets / "wpkg" / "widgets" / "models.py").read_text(encoding="utf-8")
    assert (
        "    name: str | None = None\n"
        '    """The part\'s name.\n'
        "\n"
        "    Either of:\n"
        "    - a catalogue name\n"
        "    - a free name\n"
        '    """\n'
    ) in text


@respx.mock
def test_calls_send_the_documented_request_and_parse_the_response(wpkg: Any) -> None:
    route = respx.get(f"{BASE}/widgets").mock(
        return_value=httpx.Response(
            200, json={"data": [{"kind": "widget", "id": "w1"}], "links": {"next": None}}
        )
    )
    with wpkg.Client(auth="secret-token") as client:
        page = client.widgets.widgets.list_widgets(filter="eq(id,w1)", x_trace="abc", page_limit=5)
    assert page.data[0].id == "w1"
    request = route.calls.last.request
    assert request.url.params["filter"] == "eq(id,w1)" and request.url.params["page[limit]"] == "5"
    assert "page[offset]" not in request.url.params
    assert request.headers["X-Trace"] == "abc"
    assert request.headers["Authorization"] == "Bearer secret-token"


@respx.mock
def test_json_body_multipart_and_raw_response(wpkg: Any) -> None:
    create = respx.post(f"{BASE}/widgets").mock(
        return_value=httpx.Response(
            201, json={"data": {"kind": "widget", "id": "new"}}, headers={"x-request-id": "r1"}
        )
    )
    upload = respx.post(f"{BASE}/widgets/w%201/image").mock(return_value=httpx.Response(204))
    models = wpkg.widgets.models
    with wpkg.Client(auth="t", base_url=BASE) as client:
        raw = client.widgets.widgets.with_raw_response.create_widget(
            body=models.Widget(kind="widget", class_="C", colour=models.WidgetColour.EMPTY)
        )
        assert client.widgets.widgets.upload_image("w 1", file=b"PNG...", caption="hi") is None
    assert raw.status_code == 201 and raw.request_id == "r1" and raw.parsed.data.id == "new"
    assert json.loads(create.calls.last.request.content) == {
        "kind": "widget",
        "class": "C",
        "colour": "",
    }
    body = upload.calls.last.request.content
    assert b'name="file"' in body and b"PNG..." in body and b'name="caption"' in body


@respx.mock
def test_documented_error_status_raises_a_typed_error(wpkg: Any) -> None:
    respx.get(f"{BASE}/widgets").mock(
        return_value=httpx.Response(404, json={"errors": [{"status": "404", "title": "Not Found"}]})
    )
    with wpkg.Client(auth="t") as client, pytest.raises(wpkg.NotFoundError) as caught:
        client.widgets.widgets.list_widgets()
    assert caught.value.status_code == 404
    assert caught.value.errors[0].status == 404 and caught.value.errors[0].title == "Not Found"


@respx.mock
def test_auto_pagination_follows_pages(wpkg: Any) -> None:
    pages = [
        {
            "data": [{"kind": "widget", "id": "a"}, {"kind": "widget", "id": "b"}],
            "links": {"next": f"{BASE}/widgets?page[offset]=2&page[limit]=2"},
        },
        {"data": [{"kind": "widget", "id": "c"}], "links": {"next": None}},
    ]
    respx.get(f"{BASE}/widgets").mock(side_effect=[httpx.Response(200, json=p) for p in pages])
    with wpkg.Client(auth="t") as client:
        ids = [w.id for w in client.widgets.widgets.iter_list_widgets(page_limit=2)]
    assert ids == ["a", "b", "c"]


@respx.mock
async def test_async_client_has_the_same_shape(wpkg: Any) -> None:
    respx.get(f"{BASE}/widgets").mock(return_value=httpx.Response(200, json={"data": []}))
    async with wpkg.AsyncClient(auth="t") as client:
        page = await client.widgets.widgets.list_widgets()
        items = [w async for w in client.widgets.widgets.iter_list_widgets()]
    assert page.data == [] and items == []


def test_region_and_base_url(wpkg: Any) -> None:
    assert wpkg.SERVERS == {"test": BASE}
    assert str(wpkg.Client(auth="t", region="test").base_url).rstrip("/") == BASE
    with pytest.raises(ValueError, match="unknown region"):
        wpkg.Client(auth="t", region="mars")  # type: ignore[arg-type]
