"""Raw responses: an operation's whole `APIResponse` instead of its parsed body.

Every generated operation returns its parsed body through `deliver`. Its raw form,
`resource.with_raw_response.<operation>`, is the same method wrapped by `to_raw_response_wrapper`
(or `async_to_raw_response_wrapper`): the wrapper runs the call with a catch set in a context
variable, `deliver` leaves the whole `APIResponse` there, and the wrapper returns that instead.
A context variable is local to its thread and to its asyncio task, so concurrent calls, raw or
plain, never see each other's catch; and outside a wrapped call there is none.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from ._response import APIResponse

__all__ = ["async_to_raw_response_wrapper", "deliver", "to_raw_response_wrapper"]

P = ParamSpec("P")
R = TypeVar("R")


class _Catch:
    """Where `deliver` leaves the response of the call that a raw-response wrapper runs."""

    __slots__ = ("response",)

    def __init__(self) -> None:
        self.response: APIResponse[Any] | None = None


_CATCH: ContextVar[_Catch | None] = ContextVar("raw_response_catch", default=None)


def deliver(response: APIResponse[R]) -> R:
    """The parsed body, for an operation to return; the whole `response` goes to the raw-response
    wrapper that runs the call, if one does."""
    catch = _CATCH.get()
    if catch is not None:
        # The last delivery wins: it is the one made by the wrapped operation as it returns.
        catch.response = response
    return response.parsed


def to_raw_response_wrapper(func: Callable[P, R]) -> Callable[P, APIResponse[R]]:
    """`func`, an operation, made to return its whole `APIResponse` instead of the parsed body."""

    @functools.wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[R]:
        catch = _Catch()
        token = _CATCH.set(catch)
        try:
            func(*args, **kwargs)
        finally:
            _CATCH.reset(token)
        return _caught(catch, func)

    return wrapped


def async_to_raw_response_wrapper(
    func: Callable[P, Awaitable[R]],
) -> Callable[P, Awaitable[APIResponse[R]]]:
    """`to_raw_response_wrapper` for an async operation."""

    @functools.wraps(func)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[R]:
        catch = _Catch()
        token = _CATCH.set(catch)
        try:
            await func(*args, **kwargs)
        finally:
            _CATCH.reset(token)
        return _caught(catch, func)

    return wrapped


def _caught(catch: _Catch, func: Callable[..., object]) -> APIResponse[Any]:
    if catch.response is None:
        name = getattr(func, "__qualname__", repr(func))
        raise TypeError(f"{name} returned without delivering an APIResponse")
    return catch.response
