"""Schemas at the wire: `$ref` chains, discriminator mappings, `prefixItems` tuples, readOnly and
writeOnly per direction, unknown fields (refused in requests, kept from responses), schemas
without `type`, and datetimes without a zone."""

from __future__ import annotations

import datetime
import inspect
import json
import typing
from types import ModuleType

import pydantic
import pytest

from .conftest import Wire, models_of


def test_ref_chains_keep_the_body_the_parameters_and_the_response(
    wire: Wire, pkg: ModuleType
) -> None:
    models = models_of(pkg, "ref_chains")
    parameters = inspect.signature(wire.client.ref_chains.orders.replace_order).parameters
    assert parameters["body"].default is inspect.Parameter.empty  # required, through two $refs
    wire.respond(200, json={"total": 7, "note": "ok"})
    order = wire.run(
        lambda c: c.ref_chains.orders.replace_order(
            "o 1", body=models.Order(total=7), expand=["items", "tax"]
        )
    )
    assert order == models.Order(total=7, note="ok")
    assert wire.last.method == "PUT"
    assert wire.last.url.raw_path == b"/orders/o%201?expand=items,tax"
    assert (wire.last.headers["Content-Type"], wire.last.content) == (
        "application/json",
        b'{"total":7}',
    )


def test_a_discriminator_mapping_picks_the_option(wire: Wire, pkg: ModuleType) -> None:
    models = models_of(pkg, "discriminators")
    # Cat and Dog have the same fields: only the mapping tells them apart.
    wire.respond(200, json=[{"kind": "puppy", "lives": 1}, {"kind": "kitten", "lives": 9}])
    pets = wire.run(lambda c: c.discriminators.pets.list_pets())
    assert [type(pet) for pet in pets] == [models.Dog, models.Cat]
    assert [pet.lives for pet in pets] == [1, 9]
    wire.respond(200, json=[{"kind": "parrot"}])
    with pytest.raises(pkg.ResponseValidationError, match="names none of 'kitten', 'puppy'"):
        wire.run(lambda c: c.discriminators.pets.list_pets())
    # Without a mapping, the property's const values name the options.
    wire.respond(200, json=[{"type": "fish", "fins": 2}, {"type": "bird", "wings": 2}])
    animals = wire.run(lambda c: c.discriminators.pets.list_animals())
    assert animals == [models.Fish(type="fish", fins=2), models.Bird(type="bird", wings=2)]


def test_prefix_items_are_tuples(wire: Wire, pkg: ModuleType) -> None:
    models = models_of(pkg, "tuples")
    hints = typing.get_type_hints(models.Shape)
    assert typing.get_args(hints["pair"]) == (tuple[int, str], type(None))
    wire.respond(200, json={"pair": [1, "a"], "header": ["h", 2, 0.5, 1], "anything": [1, {}, "x"]})
    shape = wire.run(lambda c: c.tuples.shapes.get_shape())
    assert (shape.pair, shape.header, shape.anything) == (
        (1, "a"),
        ("h", 2, 0.5, 1.0),
        (1, {}, "x"),
    )
    # `items: false`: nothing after the prefix.
    wire.respond(200, json={"pair": [1, "a", "b"]})
    with pytest.raises(pkg.ResponseValidationError):
        wire.run(lambda c: c.tuples.shapes.get_shape())
    wire.respond(200, json={"header": ["h", "not a number"]})
    with pytest.raises(pkg.ResponseValidationError):
        wire.run(lambda c: c.tuples.shapes.get_shape())


def test_read_only_fields_are_not_needed_or_sent_write_only_not_read(
    wire: Wire, pkg: ModuleType
) -> None:
    models = models_of(pkg, "read_write")
    # A response without a required writeOnly field (the server never sends it back).
    wire.respond(200, json={"id": "r1"})
    receipt = wire.run(lambda c: c.read_write.accounts.get_account("r1"))
    assert receipt == models.Receipt(id="r1") and receipt.secret is None
    # A request without its required readOnly fields; one read from a response is sent back
    # without them.
    wire.respond(201, json={"id": "a1", "name": "n", "owner": {"id": "o1", "email": "e@x"}})
    account = models.Account(name="n", password="pw", owner=models.Owner(email="e@x"))
    created = wire.run(lambda c: c.read_write.accounts.create_account(body=account))
    assert json.loads(wire.last.content) == {
        "name": "n",
        "password": "pw",
        "owner": {"email": "e@x"},
    }
    assert (created.id, created.owner.id, created.password) == ("a1", "o1", None)
    wire.run(lambda c: c.read_write.accounts.create_account(body=created))
    assert json.loads(wire.last.content) == {"name": "n", "owner": {"email": "e@x"}}


def test_request_models_refuse_unknown_fields_and_have_no_read_only_ones(
    wire: Wire, pkg: ModuleType
) -> None:
    models = models_of(pkg, "read_write")
    assert "created" not in models.SignUp.model_fields  # only requests carry SignUp
    with pytest.raises(pydantic.ValidationError, match="created"):
        models.SignUp(email="e@x", created="2024")
    with pytest.raises(pydantic.ValidationError, match="nick"):
        models.SignUp.model_validate({"email": "e@x", "profile": {"nick": "n"}})
    sign_up = models.SignUp(email="e@x", profile=models.Profile(nickname="n"))
    wire.run(lambda c: c.read_write.accounts.sign_up(body=sign_up))
    assert wire.last.content == b'{"email":"e@x","profile":{"nickname":"n"}}'
    assert wire.requests == [wire.last]


def test_response_models_keep_unknown_fields(wire: Wire, pkg: ModuleType) -> None:
    wire.respond(200, json={"id": "r1", "added_later": {"x": 1}})
    receipt = wire.run(lambda c: c.read_write.accounts.get_account("r1"))
    assert receipt.model_extra == {"added_later": {"x": 1}}
    assert receipt.to_dict() == {"id": "r1", "added_later": {"x": 1}}


def test_a_schema_without_type_accepts_null_and_objects(wire: Wire, pkg: ModuleType) -> None:
    models = models_of(pkg, "untyped")
    wire.respond(200, json={"owner": None, "labels": {"a": "x", "more": [1]}})
    holder = wire.run(lambda c: c.untyped.things.get_thing())
    assert holder.owner is None and holder.labels.model_extra == {"more": [1]}
    wire.respond(200, json={"owner": {"name": "n", "extra": True}})
    holder = wire.run(lambda c: c.untyped.things.get_thing())
    assert holder.owner == models.Untyped.model_validate({"name": "n", "extra": True})


def test_datetimes_without_a_zone(wire: Wire, pkg: ModuleType) -> None:
    models = models_of(pkg, "datetimes")
    # Read without a zone: UTC, the documented policy.
    wire.respond(200, json={"at": "2024-01-02T03:04:05", "day": "2024-01-02"})
    event = wire.run(lambda c: c.datetimes.events.list_events())
    assert event.at == datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    assert event.day == datetime.date(2024, 1, 2)
    # Given in Python without a zone: refused before anything is sent.
    with pytest.raises(pydantic.ValidationError, match="has no timezone"):
        models.Event(at=datetime.datetime(2024, 1, 2))
    with pytest.raises(ValueError, match="has no timezone"):
        wire.run(
            lambda c: c.datetimes.events.create_event(body={"at": datetime.datetime(2024, 1, 2)})
        )
    assert len(wire.requests) == 1
    wire.run(lambda c: c.datetimes.events.create_event(body=event))
    assert wire.last.content == b'{"at":"2024-01-02T03:04:05Z","day":"2024-01-02"}'


def test_typed_additional_properties(wire: Wire, pkg: ModuleType) -> None:
    models = models_of(pkg, "maps")
    wire.respond(200, json={"warehouse": "w1", "pens": 3, "ink": 0})
    stock = wire.run(lambda c: c.maps.stock.get_stock())
    assert (stock.warehouse, stock.model_extra) == ("w1", {"pens": 3, "ink": 0})
    wire.respond(200, json={"pens": "many"})
    with pytest.raises(pkg.ResponseValidationError):
        wire.run(lambda c: c.maps.stock.get_stock())
    update = models.StockUpdate(
        levels={"a": models.Level(amount=1)}, counts=models.StockUpdateCounts(total=2, pens=2)
    )
    wire.run(lambda c: c.maps.stock.put_stock(body=update))
    assert json.loads(wire.last.content) == {
        "levels": {"a": {"amount": 1}},
        "counts": {"total": 2, "pens": 2},
    }
