"""The model bases and field types at the wire: read-only fields left out of requests, unknown
fields refused when a model is built and kept when it is read, open tuples, discriminators read
through a mapping, wildcard JSON responses."""

from __future__ import annotations

from typing import Annotated, Any

import pydantic
import pytest
from pydantic import Field, Tag
from rt_pkg._models import APIModel, APIRequestModel
from rt_pkg._operation import Body, Content, Operation
from rt_pkg._types import PrefixItems, by_property

Wire = Any  # tests/runtime/conftest.py: Wire

SEND = Operation("POST", "/things", body=Body("application/json"))


class Part(APIModel):
    id: str | None = Field(default=None, json_schema_extra={"readOnly": True})
    label: str | None = None


class Thing(APIModel):
    id: str | None = Field(default=None, json_schema_extra={"readOnly": True})
    created_by: str | None = Field(
        default=None, alias="createdBy", json_schema_extra={"readOnly": True}
    )
    name: str
    secret: str | None = Field(default=None, json_schema_extra={"writeOnly": True})
    parts: list[Part] | None = None
    by_key: dict[str, Part] | None = None


class Tagged(APIModel):
    __pydantic_extra__: dict[str, int] = Field(init=False)
    name: str | None = None


class Line(APIRequestModel):
    label: str | None = None


class Created(APIRequestModel):
    name: str
    line: Line | None = None


# -- read-only fields ------------------------------------------------------------------------------


def test_read_only_fields_are_left_out_of_a_request_nested_ones_too(wire: Wire) -> None:
    read = Thing.model_validate(
        {
            "id": "t1",
            "createdBy": "me",
            "name": "n",
            "parts": [{"id": "p1", "label": "a"}, {"label": "b"}],
            "by_key": {"x": {"id": "p2", "label": "c"}},
            "added": "by the server",
        }
    )
    wire.call(SEND, body=read)
    assert wire.last.content == (
        b'{"name":"n","parts":[{"label":"a"},{"label":"b"}],"by_key":{"x":{"label":"c"}},'
        b'"added":"by the server"}'
    )
    # Read-only fields are still part of the model's own wire form.
    assert read.to_dict()["id"] == "t1" and read.to_dict()["createdBy"] == "me"


def test_a_write_only_field_is_sent(wire: Wire) -> None:
    wire.call(SEND, body=Thing(name="n", secret="s"))
    assert wire.last.content == b'{"name":"n","secret":"s"}'


def test_read_only_fields_are_left_out_of_form_and_multipart_bodies_too(wire: Wire) -> None:
    form = Operation("POST", "/f", body=Body("application/x-www-form-urlencoded"))
    wire.call(form, body=Thing(id="t", name="n"))
    assert wire.last.content == b"name=n"
    multipart = Operation("POST", "/m", body=Body("multipart/form-data"))
    wire.call(multipart, body=Thing(id="t", name="n"))
    assert b'name="id"' not in wire.last.content and b'name="name"' in wire.last.content


# -- unknown fields --------------------------------------------------------------------------------


def test_the_constructor_refuses_a_field_the_model_does_not_have() -> None:
    with pytest.raises(pydantic.ValidationError, match="nmae\n  Extra inputs are not permitted"):
        Thing(nmae="typo")  # type: ignore[call-arg]
    # By Python name or by wire name, as ever.
    assert Thing(name="n", createdBy="me").created_by == "me"  # type: ignore[call-arg]
    assert Thing(name="n", created_by="me").created_by == "me"


def test_data_read_from_the_server_keeps_unknown_fields() -> None:
    thing = Thing.model_validate_json('{"name": "n", "added": 1, "parts": [{"new": true}]}')
    assert thing.model_extra == {"added": 1}
    assert thing.parts is not None and thing.parts[0].model_extra == {"new": True}
    assert Thing.model_validate({"name": "n", "added": 1}).model_extra == {"added": 1}


def test_a_model_with_typed_additional_properties_takes_any_name() -> None:
    assert Tagged(name="n", count=3).model_extra == {"count": 3}  # type: ignore[call-arg]
    with pytest.raises(pydantic.ValidationError):
        Tagged(count="many")  # type: ignore[call-arg]


def test_a_request_only_model_refuses_unknown_fields_however_given() -> None:
    with pytest.raises(pydantic.ValidationError, match="extra_forbidden"):
        Created.model_validate({"name": "n", "nmae": "typo"})
    with pytest.raises(pydantic.ValidationError, match="extra_forbidden"):
        Created(name="n", line={"label": "a", "lable": "b"})  # type: ignore[arg-type]
    assert Created(name="n", line={"label": "a"}).line == Line(label="a")  # type: ignore[arg-type]


# -- tuples and discriminators ---------------------------------------------------------------------


class Point(APIModel):
    closed: tuple[int, str] | None = None
    open: (
        Annotated[tuple[int, str, *tuple[float, ...]], PrefixItems(int, str, rest=float)] | None
    ) = None
    anything: Annotated[tuple[int, *tuple[Any, ...]], PrefixItems(int, rest=Any)] | None = None


def test_tuples_closed_and_open(wire: Wire) -> None:
    wire.respond(200, json={"closed": [1, "a"], "open": [1, "a", 2, 3.5], "anything": [1, {}, "x"]})
    point = wire.call(Operation("GET", "/p", responses={200: Point})).parsed
    assert (point.closed, point.open, point.anything) == (
        (1, "a"),
        (1, "a", 2.0, 3.5),
        (1, {}, "x"),
    )
    assert Point.model_validate({"open": [1, "a"]}).open == (1, "a")
    for bad in ({"closed": [1, "a", 2]}, {"open": [1]}, {"open": [1, "a", "x"]}):
        with pytest.raises(pydantic.ValidationError):
            Point.model_validate(bad)


class Cat(APIModel):
    kind: str | None = None
    meows: int | None = None


class Dog(APIModel):
    kind: str | None = None
    barks: int | None = None


Pet = Annotated[
    Annotated[Cat, Tag("Cat")] | Annotated[Dog, Tag("Dog")],
    by_property("kind", {"cat": "Cat", "kitten": "Cat", "dog": "Dog"}),
]


def test_a_discriminator_mapping_chooses_the_option(wire: Wire) -> None:
    # Both options would validate either body: only the mapping tells them apart.
    wire.respond(200, json=[{"kind": "kitten", "barks": 1}, {"kind": "dog", "meows": 2}])
    cat, dog = wire.call(Operation("GET", "/pets", responses={200: list[Pet]})).parsed
    assert type(cat) is Cat and type(dog) is Dog
    wire.respond(200, json=[{"kind": "cow"}])
    with pytest.raises(Exception, match="'kind' names none of 'cat', 'kitten', 'dog'"):
        wire.call(Operation("GET", "/pets", responses={200: list[Pet]}))
    assert type(pydantic.TypeAdapter(Pet).validate_python(Dog(kind="x"))) is Dog


def test_a_wildcard_response_documented_with_a_schema_is_json(wire: Wire) -> None:
    wire.respond(200, json={"name": "n"}, headers={"content-type": "application/json"})
    thing = wire.call(Operation("GET", "/t", responses={200: Content(Thing, "*/*")})).parsed
    assert thing == Thing(name="n")
    wire.respond(200, content=b"\x00\x01", headers={"content-type": "image/png"})
    raw = wire.call(Operation("GET", "/t", responses={200: Content(bytes, "*/*")})).parsed
    assert raw == b"\x00\x01"
