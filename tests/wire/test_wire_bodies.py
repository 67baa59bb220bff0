"""Request bodies at the wire: multipart and form fields (unset ones left out, arrays, objects,
per-part content types), several request media types, vendor JSON, raw bytes and text."""

from __future__ import annotations

import email
import email.message
import inspect
import io
import typing
from types import ModuleType

import httpx

from .conftest import Wire, models_of


def parts_of(request: httpx.Request) -> list[tuple[str | None, str | None, str | None, bytes]]:
    """(name, filename, Content-Type, content) of each part of a multipart/form-data request."""
    content_type = request.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    message = email.message_from_bytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + request.content
    )
    assert message.is_multipart() and not message.defects
    found = []
    for part in message.get_payload():
        assert isinstance(part, email.message.Message)
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        found.append((str(name), part.get_filename(), part["Content-Type"], payload))
    return found


def test_multipart_leaves_unset_files_and_fields_out(wire: Wire) -> None:
    wire.respond(201, json={"id": "job-1"})
    started = wire.run(lambda c: c.multipart.imports.import_products(file=b"sku\n1\n"))
    assert started.id == "job-1"
    assert parts_of(wire.last) == [("file", "upload", "text/csv", b"sku\n1\n")]


def test_multipart_arrays_objects_and_declared_part_types(wire: Wire) -> None:
    wire.respond(201, json={})
    wire.run(
        lambda c: c.multipart.imports.import_products(
            file=("products.csv", io.BytesIO(b"a,b\n")),
            extra_file=b"\x89PNG",
            note="héllo",
            count=0,
            tags=["x", "y"],
            meta={"source": "erp"},
        )
    )
    assert parts_of(wire.last) == [
        ("file", "products.csv", "text/csv", b"a,b\n"),
        ("extra_file", "upload", "application/octet-stream", b"\x89PNG"),
        ("note", None, "text/plain; charset=utf-8", "héllo".encode()),
        ("count", None, None, b"0"),
        ("tags", None, None, b"x"),
        ("tags", None, None, b"y"),
        ("meta", None, "application/json", b'{"source":"erp"}'),
    ]


def test_multipart_arrays_of_files_and_files_by_reference(wire: Wire) -> None:
    hints = typing.get_type_hints(wire.client.multipart.imports.import_products)
    file_content = hints["file"]
    assert hints["attachments"] == list[file_content] | None
    assert hints["logo"] == file_content | None
    wire.respond(201, json={})
    wire.run(
        lambda c: c.multipart.imports.import_products(
            file=b"f",
            attachments=[b"one", ("two.txt", io.BytesIO(b"two"))],
            logo=("logo.png", b"\x89PNG"),
        )
    )
    assert parts_of(wire.last) == [
        ("file", "upload", "text/csv", b"f"),
        ("attachments", "upload", "application/octet-stream", b"one"),
        ("attachments", "two.txt", "text/plain", b"two"),
        ("logo", "logo.png", "image/png", b"\x89PNG"),
    ]


def test_a_read_only_field_is_no_argument(wire: Wire) -> None:
    parameters = inspect.signature(wire.client.multipart.imports.import_products).parameters
    assert "id" not in parameters and parameters["file"].default is inspect.Parameter.empty


def test_form_fields_unset_left_out_arrays_and_objects_by_encoding(wire: Wire) -> None:
    wire.run(lambda c: c.form.tokens.create_token(grant_type="client_credentials"))
    assert wire.last.headers["content-type"] == "application/x-www-form-urlencoded"
    assert wire.last.content == b"grant_type=client_credentials"
    wire.run(
        lambda c: c.form.tokens.create_token(
            grant_type="a b",
            count=2,
            scopes=["read", "write"],
            ids=[1, 2],
            filter={"a": "x", "b": None},
        )
    )
    assert wire.last.content == (
        b"grant_type=a%20b&count=2&scopes=read&scopes=write&ids=1,2&filter%5Ba%5D=x"
    )


def test_several_request_media_types(wire: Wire, pkg: ModuleType) -> None:
    models = models_of(pkg, "content_types")
    create = wire.client.content_types.products.create_product
    hints = typing.get_type_hints(create)
    assert typing.get_args(hints["content_type"]) == (
        "application/vnd.api+json",
        "application/x-www-form-urlencoded",
        "text/csv",
    )
    assert inspect.signature(create).parameters["content_type"].default == (
        "application/vnd.api+json"
    )
    product = models.Product(name="pen", price=3)
    wire.run(lambda c: c.content_types.products.create_product(body=product))
    assert wire.last.headers.get_list("content-type") == ["application/vnd.api+json"]
    assert wire.last.content == b'{"name":"pen","price":3}'
    wire.run(
        lambda c: c.content_types.products.create_product(
            body=product, content_type="application/x-www-form-urlencoded"
        )
    )
    assert wire.last.headers["content-type"] == "application/x-www-form-urlencoded"
    assert wire.last.content == b"name=pen&price=3"
    wire.run(
        lambda c: c.content_types.products.create_product(
            body="name,price\npen,3\n", content_type="text/csv"
        )
    )
    assert (wire.last.headers["content-type"], wire.last.content) == (
        "text/csv",
        b"name,price\npen,3\n",
    )


def test_raw_bytes_and_text_bodies(wire: Wire) -> None:
    wire.run(lambda c: c.content_types.products.put_blob("b1", body=b"\x00\xff"))
    assert wire.last.headers["content-type"] == "application/octet-stream"
    assert wire.last.content == b"\x00\xff"
    wire.run(lambda c: c.content_types.products.put_blob("b1", body=io.BytesIO(b"file")))
    assert wire.last.content == b"file"
    wire.run(lambda c: c.content_types.products.post_note(body="é"))
    assert (wire.last.headers["content-type"], wire.last.content) == ("text/plain", "é".encode())
