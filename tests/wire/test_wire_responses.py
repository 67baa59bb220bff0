"""Responses at the wire: the `Accept` a generated method sends, binary bodies as bytes, text as
str, JSON as models, several success codes, and documented error bodies on the raised error."""

from __future__ import annotations

import typing
from pathlib import Path
from types import ModuleType

import pytest

from .conftest import Wire, models_of


def test_a_binary_response_is_bytes_and_accept_names_every_documented_type(wire: Wire) -> None:
    wire.respond(200, content=b"\x00PK\xff", headers={"Content-Type": "application/octet-stream"})
    data = wire.run(lambda c: c.responses.exports.download_export("e1"))
    assert data == b"\x00PK\xff"
    assert wire.last.url.raw_path == b"/exports/e1/file"
    # The error's JSON is documented too, and listed first: a strict server may answer either.
    assert wire.last.headers.get_list("Accept") == ["application/json, application/octet-stream"]


def test_a_binary_response_can_be_streamed_to_a_file(wire: Wire, tmp_path: Path) -> None:
    wire.respond(200, content=b"a,b\n" * 3, headers={"Content-Type": "application/octet-stream"})
    target = tmp_path / "export.csv"
    streaming = wire.client.responses.exports.with_streaming_response
    if wire.kind == "sync":
        with streaming.download_export("e1") as response:
            assert response.write_to(target) == target
    else:

        async def download(_: object) -> None:
            async with streaming.download_export("e1") as response:
                assert await response.write_to(target) == target

        wire.run_async(download)
    assert target.read_bytes() == b"a,b\n" * 3


def test_the_response_content_type_picks_json_or_text(wire: Wire, pkg: ModuleType) -> None:
    models = models_of(pkg, "responses")
    wire.respond(200, json={"rows": 3})
    report = wire.run(lambda c: c.responses.exports.get_report("r1"))
    assert isinstance(report, models.Report) and report.rows == 3
    assert wire.last.headers["Accept"] == "application/json, text/csv"
    wire.respond(200, text="rows\n3\n", headers={"Content-Type": "text/csv; charset=utf-8"})
    assert wire.run(lambda c: c.responses.exports.get_report("r1")) == "rows\n3\n"


def test_several_success_codes_are_a_union(wire: Wire, pkg: ModuleType) -> None:
    models = models_of(pkg, "responses")
    hints = typing.get_type_hints(wire.client.responses.exports.start_job)
    assert set(typing.get_args(hints["return"])) == {models.Report, models.Queued, type(None)}
    wire.respond(200, json={"rows": 1})
    assert wire.run(lambda c: c.responses.exports.start_job()) == models.Report(rows=1)
    wire.respond(202, json={"position": 4})
    assert wire.run(lambda c: c.responses.exports.start_job()) == models.Queued(position=4)
    wire.respond(204)
    assert wire.run(lambda c: c.responses.exports.start_job()) is None
    assert wire.last.headers["Accept"] == "application/json, application/problem+json"


def test_documented_error_bodies_are_parsed_onto_the_error(wire: Wire, pkg: ModuleType) -> None:
    models = models_of(pkg, "responses")
    wire.respond(409, json={"retry_in": 30})
    with pytest.raises(pkg.ConflictError) as conflict:
        wire.run(lambda c: c.responses.exports.start_job())
    assert conflict.value.parsed == models.Busy(retry_in=30)
    # `default` stands for every undocumented status, in its own media type.
    problem = b'{"title":"Bad","detail":"no"}'
    wire.respond(400, content=problem, headers={"Content-Type": "application/problem+json"})
    with pytest.raises(pkg.BadRequestError) as bad:
        wire.run(lambda c: c.responses.exports.start_job())
    assert bad.value.parsed == models.Problem(title="Bad", detail="no")
    wire.respond(404, json={"title": "gone"})
    with pytest.raises(pkg.NotFoundError) as missing:
        wire.run(lambda c: c.responses.exports.download_export("e1"))
    assert missing.value.parsed == models.Problem(title="gone")


def test_an_error_body_not_as_documented_still_raises_without_a_model(
    wire: Wire, pkg: ModuleType
) -> None:
    wire.respond(409, json={"retry_in": "soon"})
    with pytest.raises(pkg.ConflictError) as conflict:
        wire.run(lambda c: c.responses.exports.start_job())
    assert conflict.value.parsed is None
    assert conflict.value.status_code == 409
