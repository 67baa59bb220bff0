"""The wire constructs (`tests/wire/specs.py`) against Prism: one spec made of the parameter, body
and response constructs, generated into a package, and every call Prism checks against the spec.

The wire tests assert the exact bytes; here an independent implementation of OpenAPI agrees that
they are what the spec describes (styles, cookies, multipart and form bodies, media types)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from ..wire.conftest import generated
from ..wire.specs import HEAD, SPECS
from .client_calls import MODES, open_client
from .conftest import PrismPool
from .openapi_cases import assert_request_accepted

PACKAGE = "prism_wire"
# Constructs whose paths and schemas do not collide, served together by one Prism.
CONSTRUCTS = ("query_styles", "headers_cookies", "multipart", "form", "content_types", "responses")


def _combined_spec() -> dict[str, Any]:
    combined: dict[str, Any] = yaml.safe_load(HEAD % "wire constructs")
    combined.update(paths={}, components={"schemas": {}})
    for name in CONSTRUCTS:
        document = yaml.safe_load(SPECS[name])
        assert not set(document["paths"]) & set(combined["paths"]), name
        combined["paths"].update(document["paths"])
        schemas = document.get("components", {}).get("schemas", {})
        assert not set(schemas) & set(combined["components"]["schemas"]), name
        combined["components"]["schemas"].update(schemas)
    return combined


@pytest.fixture(scope="module")
def constructs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ModuleType, Path]]:
    folder = tmp_path_factory.mktemp("prism-wire")
    spec = folder / "constructs.yaml"
    spec.write_text(yaml.safe_dump(_combined_spec(), sort_keys=False), encoding="utf-8")
    with generated((spec,), folder / "out", PACKAGE) as build:
        yield build.package, spec


def _calls(api: Any) -> list[tuple[str, Callable[[], Any], type | None]]:
    """(what, the raw-response call, the parsed body's type when it is not a model)."""
    return [
        (
            "query styles",
            lambda: api.items.with_raw_response.list_items(
                form_array=["a", "b"],
                flat_array=[1, 2],
                point={"x": 1, "y": 2},
                spaced=["c", "d"],
                piped=["e", "f"],
                filter={"color": "red", "size": {"min": 1}},
                path="a/b",
                escaped="a b&c",
                where={"x": 1},
            ),
            None,
        ),
        (
            "headers and cookies",
            # Every object header given: Prism fails (drops the connection) on an absent one.
            lambda: api.session.with_raw_response.get_session(
                x_tags=["a", "b"],
                x_point={"x": 1, "y": 2},
                x_flat_point={"x": 3, "y": 4},
                session="s1",
                theme="dark",
                prefs=["p", "q"],
            ),
            None,
        ),
        (
            "multipart",
            # Scalars and files only: Prism reads neither repeated parts (arrays) nor JSON parts
            # (objects) of a multipart body, which the wire tests check byte by byte.
            lambda: api.imports.with_raw_response.import_products(
                file=("p.csv", b"sku\n1\n"), extra_file=b"\x89PNG", note="n", count=2
            ),
            None,
        ),
        (
            "form",
            # Scalars only: Prism reads no array of a form body (neither repeated keys nor, as an
            # unencoded reserved character, the comma of `explode: false`, which it accepts in a
            # query); the wire tests check them byte by byte.
            lambda: api.tokens.with_raw_response.create_token(
                grant_type="client_credentials", count=2, when="now"
            ),
            None,
        ),
        (
            "vendor JSON",
            lambda: api.products.with_raw_response.create_product(body={"name": "pen", "price": 3}),
            None,
        ),
        (
            "form as a second media type",
            lambda: api.products.with_raw_response.create_product(
                body={"name": "pen"}, content_type="application/x-www-form-urlencoded"
            ),
            None,
        ),
        (
            "text body",
            lambda: api.products.with_raw_response.post_note(body="a note"),
            None,
        ),
        (
            "binary body",
            lambda: api.products.with_raw_response.put_blob("b1", body=b"\x00\x01"),
            None,
        ),
        ("binary response", lambda: api.exports.with_raw_response.download_export("e1"), bytes),
    ]


@pytest.mark.parametrize("mode", MODES)
async def test_prism_accepts_what_the_client_sends_for_each_construct(
    prism: PrismPool, constructs: tuple[ModuleType, Path], mode: str
) -> None:
    package, spec = constructs
    url = prism.url(spec)
    async with open_client(package, mode, url) as client:
        api = client.constructs
        for what, send, parsed_type in _calls(api):
            result = send()
            if mode == "async":
                assert isinstance(result, Awaitable)
                result = await result
            response = result.http_response
            assert_request_accepted(response)
            assert response.is_success, (what, response.status_code, response.text)
            if parsed_type is not None:
                assert isinstance(result.parsed, parsed_type), what
