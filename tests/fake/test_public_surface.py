"""`ep_jobs.testing` is a subpackage of private modules behind the public surface it has always had:
the same names, importable from `ep_jobs.testing`, with the same methods."""

from __future__ import annotations

import typing

import ep_jobs.testing
from ep_jobs.testing import FaultKind, Operation

PUBLIC = [
    "SHAPES",
    "ApiShape",
    "FakeJob",
    "FakeJobServer",
    "LiveServer",
    "Raw",
    "RecordedRequest",
    "VirtualClock",
]
SERVER_METHODS = {
    "add_job",
    "advance",
    "apis",
    "async_client",
    "clear_faults",
    "client",
    "cut_next",
    "disconnect_next",
    "fail_next",
    "file_urls",
    "garble_next",
    "handle",
    "job",
    "jobs",
    "pending_faults",
    "profile",
    "requests_for",
    "response_body",
    "script_next",
    "serve",
    "stall_next",
    "transport",
}


def _public(cls: type) -> set[str]:
    return {name for name in vars(cls) if not name.startswith("_")}


def test_the_public_names_are_the_ones_it_always_had() -> None:
    assert ep_jobs.testing.__all__ == PUBLIC
    namespace: dict[str, object] = {}
    exec("from ep_jobs.testing import *", namespace)
    assert sorted(name for name in namespace if not name.startswith("__")) == sorted(PUBLIC)


def test_the_literal_types_of_its_signatures_are_still_importable() -> None:
    assert typing.get_args(Operation) == (
        "create",
        "list",
        "get",
        "cancel",
        "errors",
        "file",
        "download",
        "token",
    )
    assert typing.get_args(FaultKind) == ("status", "disconnect", "garble", "cut", "stall")


def test_the_classes_keep_their_methods() -> None:
    testing = ep_jobs.testing
    assert _public(testing.FakeJobServer) == SERVER_METHODS
    assert _public(testing.LiveServer) == {"async_client", "client", "running", "stop"}
    assert _public(testing.VirtualClock) == {"asleep", "now", "sleep"}
    assert {"raw_status", "status"} <= _public(testing.FakeJob)
    assert {"authorization", "json", "path"} <= _public(testing.RecordedRequest)
    server = testing.FakeJobServer()
    assert {
        "auto_advance",
        "base_url",
        "client_credentials",
        "clock",
        "page_size",
        "requests",
        "storage_rejects_authorization",
        "storage_url",
        "token",
    } == {name for name in vars(server) if not name.startswith("_")}
