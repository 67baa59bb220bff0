"""Injected faults: the queue of faults to come, the error answers they give, and how they spoil an
answer in memory (on a socket, `_live` plays them out)."""

from __future__ import annotations

import fnmatch
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

import httpx

from ._api import SimulatedApi
from ._responses import generic_error, json_response, raw_response
from ._routes import Target

FaultKind = Literal["status", "disconnect", "garble", "cut", "stall"]


@dataclass(slots=True, kw_only=True)
class Fault:
    """A fault queued by one of `FakeJobServer`'s `*_next` methods."""

    kind: FaultKind
    remaining: int
    status: int | None = None
    retry_after: float | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    after: int = 0
    reset: bool = True
    delay: float = 0.0
    api: str | None = None
    operation: str | None = None
    method: str | None = None
    path: str | None = None

    def matches(self, target: Target, request: httpx.Request) -> bool:
        return (
            (self.api is None or self.api == target.api)
            and (self.operation is None or self.operation == target.operation)
            and (self.method is None or self.method.upper() == request.method)
            and (self.path is None or fnmatch.fnmatchcase(request.url.path, self.path))
        )


class FaultQueue:
    """Faults waiting for a matching request: the first queued that matches happens. Not locked
    itself: the server holds its lock around every use."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        self._faults.append(fault)

    def take(self, target: Target, request: httpx.Request) -> Fault | None:
        for fault in self._faults:
            if fault.matches(target, request):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    @property
    def pending(self) -> int:
        return sum(fault.remaining for fault in self._faults)

    def clear(self) -> None:
        self._faults.clear()


def fault_response(
    fault: Fault, target: Target, apis: Mapping[str, SimulatedApi], request_id: str
) -> httpx.Response:
    """The answer of a `fail_next` fault: its body, else the error envelope of the target's API."""
    status = fault.status or 503
    headers = dict(fault.headers)
    if fault.retry_after is not None:
        headers["Retry-After"] = f"{fault.retry_after:g}"
    if fault.body is not None:
        return raw_response(request_id, status, fault.body, headers=headers)
    if target.api is not None:
        body = apis[target.api].error_body(status, "injected by the fake")
    else:
        body = generic_error(status, "injected by the fake")
    return json_response(request_id, status, body, headers=headers)


def garbled(response: httpx.Response, fault: Fault) -> httpx.Response:
    """The answer of a `garble_next` fault: `response` with its body spoiled."""
    body = fault.body
    if body is None:
        body = response.content[: max(1, len(response.content) // 2)]
    headers = [
        (name, value)
        for name, value in response.headers.multi_items()
        if name.lower() != "content-length"
    ]
    return httpx.Response(fault.status or response.status_code, headers=headers, content=body)


def in_memory(
    request: httpx.Request, response: httpx.Response | None, fault: Fault | None
) -> httpx.Response:
    """The answer as an in-process transport gives it, with the fault still to happen played out:
    a disconnect or stall raises, a cut breaks the body off."""
    kind = fault.kind if fault is not None else None
    if response is None or kind == "disconnect":
        raise httpx.ConnectError("fake: connection refused", request=request)
    if kind == "stall":
        raise httpx.ReadTimeout("fake: no answer in time", request=request)
    if kind == "cut" and fault is not None:
        error: httpx.TransportError = (
            httpx.ReadError("fake: connection reset by peer", request=request)
            if fault.reset
            else httpx.RemoteProtocolError(
                "fake: peer closed connection without sending complete message body",
                request=request,
            )
        )
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_CutStream(response.content[: fault.after], error),
            request=request,
        )
    return response


class _CutStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that yields `data` and then fails, as a connection that breaks off mid-body."""

    def __init__(self, data: bytes, error: httpx.TransportError) -> None:
        self._data = data
        self._error = error

    def __iter__(self) -> Iterator[bytes]:
        if self._data:
            yield self._data
        raise self._error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._data:
            yield self._data
        raise self._error
