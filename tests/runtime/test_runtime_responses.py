"""Responses: the Accept header, binary/text/JSON bodies, unions by status, documented errors,
streaming to a file, and timestamps without a zone."""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pydantic
import pytest
from rt_pkg._exceptions import (
    APIConnectionError,
    APIStatusError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    ResponseValidationError,
)
from rt_pkg._models import APIModel
from rt_pkg._operation import Body, Content, Operation, Param
from rt_pkg._serialize import NaiveDatetimeError
from rt_pkg._types import UTCDateTime

Wire = Any  # tests/runtime/conftest.py: Wire


class Job(APIModel):
    id: str


class Accepted(APIModel):
    queued: int


class ErrorBody(APIModel):
    errors: list[dict[str, Any]]


class Conflict(APIModel):
    reason: str


# -- Accept ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("responses", "accept"),
    [
        ({200: Job}, "application/json"),
        ({200: Content(bytes, "application/octet-stream")}, "application/octet-stream"),
        (
            {200: Content(bytes, "application/pdf"), 404: ErrorBody},
            "application/json, application/pdf",
        ),
        (
            {
                200: (Content(str, "text/csv"), Content(Job, "application/vnd.api+json")),
                "default": ErrorBody,
            },
            "application/vnd.api+json, application/json, text/csv",
        ),
        ({204: None}, "application/json"),  # nothing documented: the client's default
        ({}, "application/json"),
    ],
)
def test_accept_names_what_the_operation_documents(
    wire: Wire, responses: dict[Any, Any], accept: str
) -> None:
    wire.respond(204)
    wire.call(Operation("GET", "/x", responses=responses))
    assert wire.last.headers.get_list("accept") == [accept]


def test_the_caller_can_still_choose_accept(wire: Wire) -> None:
    operation = Operation("GET", "/x", responses={200: (Content(str, "text/csv"), Content(Job))})
    wire.respond(204)
    wire.call(operation, options={"extra_headers": {"Accept": "text/csv"}})
    assert wire.last.headers.get_list("accept") == ["text/csv"]


# -- bodies ----------------------------------------------------------------------------------------

BINARY = bytes(range(256)) * 4


def test_a_binary_response_is_bytes(wire: Wire) -> None:
    wire.respond(200, content=BINARY, headers={"content-type": "application/octet-stream"})
    result = wire.call(
        Operation("GET", "/file", responses={200: Content(bytes, "application/octet-stream")})
    )
    assert result.parsed == BINARY
    assert result.status_code == 200


def test_a_text_response_is_str(wire: Wire) -> None:
    wire.respond(
        200, content="a,é\n1,2\n".encode(), headers={"content-type": "text/csv; charset=utf-8"}
    )
    result = wire.call(Operation("GET", "/export", responses={200: Content(str, "text/csv")}))
    assert result.parsed == "a,é\n1,2\n"


def test_a_typed_text_response_is_validated(wire: Wire) -> None:
    wire.respond(200, text="42", headers={"content-type": "text/plain"})
    assert (
        wire.call(Operation("GET", "/n", responses={200: Content(int, "text/plain")})).parsed == 42
    )
    wire.respond(200, text="many", headers={"content-type": "text/plain"})
    with pytest.raises(ResponseValidationError, match="does not match the documented schema"):
        wire.call(Operation("GET", "/n", responses={200: Content(int, "text/plain")}))


def test_json_into_the_documented_model(wire: Wire) -> None:
    wire.respond(200, json={"id": "j1", "extra": True})
    result = wire.call(Operation("GET", "/job", responses={200: Job}))
    assert result.parsed == Job.model_validate({"id": "j1", "extra": True})
    wire.respond(200, json={"nope": 1})
    with pytest.raises(ResponseValidationError, match="id: Field required"):
        wire.call(Operation("GET", "/job", responses={200: Job}))


def test_several_success_statuses_are_a_union_picked_by_status(wire: Wire) -> None:
    operation: Operation[Job | Accepted | None] = Operation(
        "POST", "/jobs", responses={200: Job, 202: Accepted, 204: None}
    )
    wire.respond(200, json={"id": "j1"})
    assert wire.call(operation).parsed == Job(id="j1")
    wire.respond(202, json={"queued": 3})
    assert wire.call(operation).parsed == Accepted(queued=3)
    wire.respond(204)
    assert wire.call(operation).parsed is None


def test_a_range_and_default_cover_undocumented_statuses(wire: Wire) -> None:
    operation = Operation("GET", "/job", responses={"2XX": Job, "default": ErrorBody})
    wire.respond(203, json={"id": "j1"})
    assert wire.call(operation).parsed == Job(id="j1")
    # `default` beside documented successes describes errors, not another success...
    operation = Operation("GET", "/job", responses={200: Job, "default": ErrorBody})
    wire.respond(201, json={"id": "j1"})
    assert wire.call(operation).parsed is None
    # ... but alone it is the success too.
    operation = Operation("GET", "/job", responses={"default": Job})
    wire.respond(200, json={"id": "j1"})
    assert wire.call(operation).parsed == Job(id="j1")


def test_the_response_media_type_picks_among_several(wire: Wire) -> None:
    operation = Operation(
        "GET",
        "/export",
        responses={
            200: (
                Content(Job, "application/json"),
                Content(str, "text/csv"),
                Content(bytes, "image/*"),
            )
        },
    )
    wire.respond(200, text="a,b", headers={"content-type": "text/csv; charset=utf-8"})
    assert wire.call(operation).parsed == "a,b"
    wire.respond(200, content=b"\x89PNG", headers={"content-type": "image/png"})
    assert wire.call(operation).parsed == b"\x89PNG"
    wire.respond(200, json={"id": "j1"}, headers={"content-type": "application/vnd.api+json"})
    assert wire.call(operation).parsed == Job(id="j1")


# -- errors ----------------------------------------------------------------------------------------

ERRORS = Operation(
    "DELETE",
    "/jobs/{id}",
    params=[Param.path("id")],
    responses={204: None, 404: ErrorBody, 409: Content(Conflict), "5XX": ErrorBody},
)


def test_a_documented_error_is_parsed_into_its_model(wire: Wire) -> None:
    body = {"errors": [{"status": 404, "title": "Not Found", "detail": "no job j1"}]}
    wire.respond(404, json=body, headers={"x-request-id": "req-7"})
    with pytest.raises(NotFoundError) as caught:
        wire.call(ERRORS, {"id": "j1"})
    error = caught.value
    assert error.parsed == ErrorBody.model_validate(body)
    assert (error.status_code, error.request_id) == (404, "req-7")
    assert [(e.status, e.title, e.detail) for e in error.errors] == [
        (404, "Not Found", "no job j1")
    ]
    assert error.body == httpx.Response(200, json=body).text


def test_each_documented_error_status_has_its_model(make_wire: Any) -> None:
    wire = make_wire(max_retries=0)
    wire.respond(409, json={"reason": "running"})
    with pytest.raises(ConflictError) as conflict:
        wire.call(ERRORS, {"id": "j1"})
    assert conflict.value.parsed == Conflict(reason="running")
    wire.respond(503, json={"errors": []})
    with pytest.raises(InternalServerError) as unavailable:
        wire.call(ERRORS, {"id": "j1"})
    assert unavailable.value.parsed == ErrorBody(errors=[])


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, b'{"errors": []}'),  # an undocumented status
        (404, b"<html>gateway</html>"),  # not the documented body
        (404, b'{"unexpected": 1}'),
    ],
)
def test_an_error_without_its_documented_body_still_raises(
    wire: Wire, status: int, body: bytes
) -> None:
    wire.respond(status, content=body)
    with pytest.raises(APIStatusError) as caught:
        wire.call(ERRORS, {"id": "j1"})
    assert caught.value.parsed is None
    assert (caught.value.status_code, caught.value.body) == (status, body.decode())


# -- streaming -------------------------------------------------------------------------------------

DOWNLOAD = Operation(
    "GET", "/file", responses={200: Content(bytes, "application/octet-stream"), 404: ErrorBody}
)


def stream_to(wire: Wire, path: Path) -> Path:
    if wire.api.kind == "sync":
        with wire.api.client._call_stream(DOWNLOAD) as response:
            assert response.status_code == 200
            written: Path = response.write_to(path)
        return written

    async def run(client: Any) -> Path:
        async with client._call_stream(DOWNLOAD) as response:
            assert response.status_code == 200
            written: Path = await response.write_to(path)
        return written

    return wire.api.run(run)


def test_a_large_binary_response_streams_to_a_file(wire: Wire, tmp_path: Path) -> None:
    wire.respond(200, content=BINARY * 64, headers={"content-type": "application/octet-stream"})
    target = tmp_path / "export.bin"
    assert stream_to(wire, target) == target
    assert target.read_bytes() == BINARY * 64
    assert [p.name for p in tmp_path.iterdir()] == ["export.bin"]


def test_a_streamed_response_can_be_iterated(wire: Wire) -> None:
    wire.respond(200, content=BINARY)
    if wire.api.kind == "sync":
        with wire.api.client._call_stream(DOWNLOAD) as response:
            chunks = list(response.iter_bytes(100))
    else:

        async def run(client: Any) -> list[bytes]:
            async with client._call_stream(DOWNLOAD) as response:
                return [chunk async for chunk in response.aiter_bytes(100)]

        chunks = wire.api.run(run)
    assert b"".join(chunks) == BINARY
    assert max(len(chunk) for chunk in chunks) == 100


def test_a_streamed_error_raises_with_its_model(wire: Wire, tmp_path: Path) -> None:
    wire.respond(404, json={"errors": [{"status": 404, "title": "gone"}]})
    with pytest.raises(NotFoundError) as caught:
        stream_to(wire, tmp_path / "x.bin")
    assert caught.value.parsed == ErrorBody(errors=[{"status": 404, "title": "gone"}])
    assert list(tmp_path.iterdir()) == []


class _BrokenOff(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that breaks off after its first chunk."""

    def __iter__(self) -> Iterator[bytes]:
        yield b"first"
        raise httpx.ReadError("connection reset")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"first"
        raise httpx.ReadError("connection reset")


def test_a_broken_off_download_leaves_no_file(wire: Wire, tmp_path: Path) -> None:
    wire.reply = lambda _: httpx.Response(200, stream=_BrokenOff())
    target = tmp_path / "export.bin"
    with pytest.raises(APIConnectionError, match="ReadError: connection reset") as caught:
        stream_to(wire, target)
    assert isinstance(caught.value.__cause__, httpx.ReadError)
    assert list(tmp_path.iterdir()) == []


# -- timestamps without a zone ---------------------------------------------------------------------


class Stamped(APIModel):
    created_at: UTCDateTime
    updated_at: UTCDateTime | None = None


def test_a_timestamp_without_a_zone_is_read_as_utc(wire: Wire) -> None:
    wire.respond(
        200,
        json={"created_at": "2024-01-05T13:46:41.695", "updated_at": "2024-01-05T14:00:00+02:00"},
    )
    parsed = wire.call(Operation("GET", "/stamped", responses={200: Stamped})).parsed
    assert parsed.created_at == datetime.datetime(
        2024, 1, 5, 13, 46, 41, 695000, tzinfo=datetime.UTC
    )
    assert parsed.updated_at.utcoffset() == datetime.timedelta(hours=2)
    # What was read can be sent back unchanged.
    wire.call(Operation("PUT", "/stamped", body=Body("application/json")), body=parsed)
    assert wire.last.content == (
        b'{"created_at":"2024-01-05T13:46:41.695000Z","updated_at":"2024-01-05T14:00:00+02:00"}'
    )


def test_a_naive_python_datetime_is_refused_by_the_model() -> None:
    with pytest.raises(pydantic.ValidationError, match="has no timezone"):
        Stamped(created_at=datetime.datetime(2024, 1, 5))
    aware = datetime.datetime(2024, 1, 5, tzinfo=datetime.UTC)
    assert Stamped(created_at=aware).created_at is aware
    assert Stamped.model_validate({"created_at": "2024-01-05T00:00:00"}).created_at == aware
    assert issubclass(NaiveDatetimeError, ValueError)
