"""`APIResponse`: a parsed body together with the HTTP response it came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

import httpx

from ._constants import REQUEST_ID_HEADER

__all__ = ["APIResponse"]

T = TypeVar("T", covariant=True)


@dataclass(frozen=True)
class APIResponse(Generic[T]):
    """What an operation returned: `parsed` is the validated body, `http_response` the rest."""

    http_response: httpx.Response
    parsed: T

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        """The `x-request-id` the platform gave this response: quote it to Elastic Path support."""
        request_id: str | None = self.http_response.headers.get(REQUEST_ID_HEADER)
        return request_id
