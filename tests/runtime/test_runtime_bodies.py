"""Request bodies on the wire: multipart, form, JSON with its declared media type, raw content.

Multipart bodies are read back with the standard library's MIME parser (`email`), part by part.
"""

from __future__ import annotations

import datetime
import email
import email.message
import io
import urllib.parse
from pathlib import Path
from typing import Any

import httpx
import pydantic
import pytest
from rt_pkg._models import APIModel
from rt_pkg._operation import Body, Encoding, Operation

Wire = Any  # tests/runtime/conftest.py: Wire


def parts_of(request: httpx.Request) -> list[email.message.Message]:
    """The parts of a multipart/form-data request, parsed by `email` with the request's own
    Content-Type (so its boundary must be the body's); headers kept as sent."""
    content_type = request.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.message_from_bytes(head + request.content)
    assert message.is_multipart() and not message.defects
    parts = message.get_payload()
    assert isinstance(parts, list)
    return parts


def describe(part: email.message.Message) -> tuple[str | None, str | None, str | None, bytes]:
    """(name, filename, Content-Type header or None, content) of one part."""
    name = part.get_param("name", header="content-disposition")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes) and not part.defects
    return (
        name if isinstance(name, str) else None,
        part.get_filename(),
        part["Content-Type"],
        payload,
    )


UPLOAD = Operation(
    "POST",
    "/files",
    body=Body(
        "multipart/form-data",
        {
            "meta": Encoding(content_type="application/json"),
            "image": Encoding(content_type="image/png"),
        },
    ),
)


# -- multipart -------------------------------------------------------------------------------------


def test_unset_files_and_fields_are_left_out(wire: Wire) -> None:
    wire.call(
        UPLOAD,
        body={"file": ("jobs.csv", b"a,b\n1,2\n", "text/csv"), "extra_file": None, "count": None},
    )
    assert [describe(part) for part in parts_of(wire.last)] == [
        ("file", "jobs.csv", "text/csv", b"a,b\n1,2\n")
    ]


def test_each_kind_of_part(wire: Wire, tmp_path: Path) -> None:
    on_disk = tmp_path / "catalog.json"
    on_disk.write_bytes(b'{"k": 1}')
    with on_disk.open("rb") as opened:
        wire.call(
            UPLOAD,
            body={
                "raw": b"\x00\x01",
                "buffer": io.BytesIO(b"buffered"),
                "opened": opened,
                "pair": ("notes.txt", b"hi"),
                "image": ("logo", b"\x89PNG"),
                "typed": ("data.bin", io.BytesIO(b"xyz"), "application/x-thing"),
                "tags": ["a", "b"],
                "meta": {"source": "erp", "when": datetime.date(2024, 1, 2)},
                "rows": [{"id": 1}, {"id": 2}],
                "count": 3,
                "flag": False,
                "text": "é ü",
            },
        )
    assert [describe(part) for part in parts_of(wire.last)] == [
        ("raw", "upload", "application/octet-stream", b"\x00\x01"),
        ("buffer", "upload", "application/octet-stream", b"buffered"),
        ("opened", "catalog.json", "application/json", b'{"k": 1}'),
        ("pair", "notes.txt", "text/plain", b"hi"),
        ("image", "logo", "image/png", b"\x89PNG"),
        ("typed", "data.bin", "application/x-thing", b"xyz"),
        ("tags", None, None, b"a"),
        ("tags", None, None, b"b"),
        ("meta", None, "application/json", b'{"source":"erp","when":"2024-01-02"}'),
        ("rows", None, "application/json", b'{"id":1}'),
        ("rows", None, "application/json", b'{"id":2}'),
        ("count", None, None, b"3"),
        ("flag", None, None, b"false"),
        ("text", None, None, "é ü".encode()),
    ]


def test_declared_part_types_apply_to_text_and_json_parts(wire: Wire) -> None:
    operation = Operation(
        "POST",
        "/imports",
        body=Body(
            "multipart/form-data",
            {
                "note": Encoding(content_type="text/plain; charset=utf-8"),
                "doc": Encoding(content_type="application/vnd.api+json"),
                "image": Encoding(content_type="image/png, image/jpeg"),
            },
        ),
    )
    wire.call(operation, body={"note": "hi", "doc": {"a": 1}, "image": ("x.jpg", b"\xff\xd8")})
    assert [describe(part) for part in parts_of(wire.last)] == [
        ("note", None, "text/plain; charset=utf-8", b"hi"),
        ("doc", None, "application/vnd.api+json", b'{"a":1}'),
        ("image", "x.jpg", "image/jpeg", b"\xff\xd8"),
    ]


class ImportForm(APIModel):
    file: bytes
    job_type: str = pydantic.Field(alias="jobType")
    note: str | None = None


def test_a_model_body_gives_its_set_fields_by_alias(wire: Wire) -> None:
    wire.call(UPLOAD, body=ImportForm(file=b"data", jobType="products"))
    assert [describe(part) for part in parts_of(wire.last)] == [
        ("file", "upload", "application/octet-stream", b"data"),
        ("jobType", None, None, b"products"),
    ]


def test_a_retried_upload_sends_the_file_again(make_wire: Any) -> None:
    wire = make_wire(max_retries=1)
    answers = iter([httpx.Response(429), httpx.Response(201)])
    wire.reply = lambda _: next(answers)
    wire.call(UPLOAD, body={"file": ("a.csv", io.BytesIO(b"1,2"))})
    assert len(wire.requests) == 2
    first, second = (parts_of(request) for request in wire.requests)
    assert [describe(p) for p in first] == [describe(p) for p in second]
    assert describe(second[0])[3] == b"1,2"


def test_the_old_request_keywords_leave_unset_files_and_fields_out(wire: Wire) -> None:
    wire.api.request(
        "POST",
        "/files",
        data={"count": None, "name": "x"},
        files={"file": ("a.csv", b"1"), "extra_file": None},
    )
    assert [describe(part) for part in parts_of(wire.last)] == [
        ("name", None, None, b"x"),
        ("file", "a.csv", "text/csv", b"1"),
    ]
    wire.api.request("POST", "/form", data={"count": None, "when": None, "name": "x"})
    assert wire.last.content == b"name=x"


# -- application/x-www-form-urlencoded -------------------------------------------------------------


def test_form_fields_follow_their_encoding(wire: Wire) -> None:
    operation = Operation(
        "POST",
        "/tokens",
        body=Body(
            "application/x-www-form-urlencoded",
            {
                "csv": Encoding(explode=False),
                "pipes": Encoding(style="pipeDelimited"),
                "deep": Encoding(style="deepObject"),
                "doc": Encoding(content_type="application/json"),
                "url": Encoding(allow_reserved=True),
            },
        ),
    )
    wire.call(
        operation,
        body={
            "name": "a b&c=d",
            "count": None,
            "when": None,
            "tags": ["x", "y"],
            "csv": ["x", "y"],
            "pipes": ["x", "y"],
            "point": {"R": 1, "G": 2},
            "deep": {"R": 1},
            "doc": {"a": [1]},
            "url": "https://h/p?q",
            "ok": True,
        },
    )
    assert wire.last.headers["content-type"] == "application/x-www-form-urlencoded"
    assert wire.last.content.decode() == (
        "name=a%20b%26c%3Dd&tags=x&tags=y&csv=x,y&pipes=x%7Cy&R=1&G=2&deep%5BR%5D=1"
        "&doc=%7B%22a%22%3A%5B1%5D%7D&url=https://h/p?q&ok=true"
    )
    # What a form decoder reads back.
    assert urllib.parse.parse_qsl(wire.last.content.decode()) == [
        ("name", "a b&c=d"),
        ("tags", "x"),
        ("tags", "y"),
        ("csv", "x,y"),
        ("pipes", "x|y"),
        ("R", "1"),
        ("G", "2"),
        ("deep[R]", "1"),
        ("doc", '{"a":[1]}'),
        ("url", "https://h/p?q"),
        ("ok", "true"),
    ]


# -- JSON and raw bodies ---------------------------------------------------------------------------


class Job(APIModel):
    job_type: str = pydantic.Field(alias="jobType")
    note: str | None = None
    at: datetime.datetime | None = None


def test_json_goes_with_the_declared_media_type(wire: Wire) -> None:
    operation = Operation("POST", "/jobs", body=Body("application/vnd.api+json"))
    wire.call(operation, body={"data": Job(jobType="export")})
    assert wire.last.headers.get_list("content-type") == ["application/vnd.api+json"]
    assert wire.last.content == b'{"data":{"jobType":"export"}}'
    plain = Operation("POST", "/jobs", body=Body("application/json"))
    wire.call(plain, body=[1, "é"])
    assert wire.last.headers.get_list("content-type") == ["application/json"]
    assert wire.last.content == '[1,"é"]'.encode()


def test_a_naive_datetime_in_a_body_is_refused(wire: Wire) -> None:
    operation = Operation("POST", "/jobs", body=Body("application/json"))
    with pytest.raises(ValueError, match="POST /jobs body: the datetime 2024-01-02T00:00:00"):
        wire.call(operation, body={"since": datetime.datetime(2024, 1, 2)})
    aware = datetime.datetime(2024, 1, 2, tzinfo=datetime.UTC)
    wire.call(operation, body={"since": aware})
    assert wire.last.content == b'{"since":"2024-01-02T00:00:00+00:00"}'


@pytest.mark.parametrize(
    ("media_type", "body", "content_type", "content"),
    [
        ("application/octet-stream", b"\x00\xff", "application/octet-stream", b"\x00\xff"),
        ("text/csv", "a,é\n", "text/csv", "a,é\n".encode()),
        ("application/zip", io.BytesIO, "application/zip", b"PK"),
        ("*/*", b"x", "application/octet-stream", b"x"),
        ("image/*", bytearray(b"y"), "application/octet-stream", b"y"),
    ],
)
def test_raw_bodies_go_with_the_declared_content_type(
    wire: Wire, media_type: str, body: object, content_type: str, content: bytes
) -> None:
    operation = Operation("PUT", "/blob", body=Body(media_type))
    wire.call(operation, body=body(b"PK") if body is io.BytesIO else body)
    assert wire.last.headers.get_list("content-type") == [content_type]
    assert wire.last.content == content


def test_the_caller_can_name_the_content_type_of_a_wildcard(wire: Wire) -> None:
    operation = Operation("PUT", "/blob", body=Body("image/*"))
    wire.call(operation, body=b"\x89PNG", options={"extra_headers": {"Content-Type": "image/png"}})
    assert wire.last.headers.get_list("content-type") == ["image/png"]


def test_an_operation_with_several_body_media_types(wire: Wire) -> None:
    operation = Operation(
        "POST",
        "/imports",
        body=(Body("application/json"), Body("multipart/form-data"), Body("text/csv")),
    )
    wire.call(operation, body={"a": 1})
    assert (wire.last.headers["content-type"], wire.last.content) == (
        "application/json",
        b'{"a":1}',
    )
    wire.call(operation, body={"a": "1"}, content_type="multipart/form-data")
    assert [describe(part) for part in parts_of(wire.last)] == [("a", None, None, b"1")]
    wire.call(operation, body="a\n1\n", content_type="text/csv")
    assert (wire.last.headers["content-type"], wire.last.content) == ("text/csv", b"a\n1\n")
    with pytest.raises(ValueError, match=r"accepts .* not 'text/xml'"):
        wire.call(operation, body="<a/>", content_type="text/xml")
    with pytest.raises(TypeError, match="takes no request body"):
        wire.call(Operation("GET", "/x"), body={"a": 1})
