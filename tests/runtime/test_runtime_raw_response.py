"""`_raw_response`: `deliver` and the raw-response wrappers that generated operations are built on."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from rt_pkg._raw_response import async_to_raw_response_wrapper, deliver, to_raw_response_wrapper
from rt_pkg._response import APIResponse


def _response(body: str) -> APIResponse[str]:
    request = httpx.Request("GET", f"https://api.test/{body}")
    return APIResponse(httpx.Response(200, request=request, headers={"x-request-id": body}), body)


class Operations:
    """Stand-ins for generated operations: each parses a response and returns it through `deliver`."""

    def get(self, name: str, *, suffix: str = "") -> str:
        """Get one thing."""
        return deliver(_response(name + suffix))

    def get_twice(self, name: str) -> str:
        """Another operation's call inside this one, as a transport or hook might make."""
        deliver(_response("inner"))
        return deliver(_response(name))

    def forget(self) -> str:
        return "never delivered"

    def fail(self) -> str:
        raise ValueError("boom")

    async def aget(self, name: str) -> str:
        await asyncio.sleep(0)
        return deliver(_response(name))


def test_outside_a_wrapper_deliver_returns_the_parsed_body() -> None:
    assert Operations().get("a") == "a"


def test_the_wrapper_returns_the_delivered_response_and_passes_arguments_on() -> None:
    raw = to_raw_response_wrapper(Operations().get)("a", suffix="-b")
    assert isinstance(raw, APIResponse) and raw.parsed == "a-b" and raw.request_id == "a-b"


def test_the_wrapper_keeps_the_operation_s_name_and_docstring() -> None:
    wrapped = to_raw_response_wrapper(Operations().get)
    assert wrapped.__name__ == "get" and wrapped.__doc__ == "Get one thing."


def test_the_last_delivery_of_the_wrapped_call_wins() -> None:
    assert to_raw_response_wrapper(Operations().get_twice)("outer").parsed == "outer"


def test_an_operation_that_delivers_nothing_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="forget returned without delivering an APIResponse"):
        to_raw_response_wrapper(Operations().forget)()


def test_an_error_inside_the_call_propagates_and_leaves_no_catch_behind() -> None:
    with pytest.raises(ValueError, match="boom"):
        to_raw_response_wrapper(Operations().fail)()
    with pytest.raises(TypeError):  # a stale catch would have been filled by `get` below
        to_raw_response_wrapper(Operations().forget)()
    assert Operations().get("plain") == "plain"


def test_wrapped_calls_nest() -> None:
    operations = Operations()
    raw_get = to_raw_response_wrapper(operations.get)

    def outer() -> str:
        inner = raw_get("inner")
        return deliver(_response("outer-" + inner.parsed))

    assert to_raw_response_wrapper(outer)().parsed == "outer-inner"


async def test_the_async_wrapper_returns_the_delivered_response() -> None:
    raw = await async_to_raw_response_wrapper(Operations().aget)("x")
    assert isinstance(raw, APIResponse) and raw.parsed == "x"


async def test_concurrent_async_wrapped_calls_keep_their_own_responses() -> None:
    raw_get = async_to_raw_response_wrapper(Operations().aget)
    names = [f"n{i}" for i in range(50)]
    results = await asyncio.gather(*(raw_get(name) for name in names))
    assert [result.parsed for result in results] == names
