"""Error bodies of the Elastic Path APIs, normalised into one shape.

The job APIs disagree on their error envelope: `{"errors": [...]}` with `status` as an integer
(exporter) or a string (PCM), `{"errors": {...}}` holding one object (promotions examples), a bare
error object (the exporter's 404 example), and whatever a proxy or load balancer puts in front of
them (HTML, plain text, nothing). `parse_error_body` accepts all of them and never raises.
"""

from __future__ import annotations

import http
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

__all__ = ["APIErrorDetail", "parse_error_body"]

# Keys that mark a mapping as an error object rather than some other JSON document.
_ERROR_KEYS: Final = frozenset({"title", "detail", "status", "message", "error"})
_STATUS_TEXT: Final = re.compile(r"\s*([1-5][0-9][0-9])(?:\s|$)")


@dataclass(frozen=True)
class APIErrorDetail:
    """One error reported by the API.

    `status` is the HTTP status the error object names (or the response's own status when the object
    names none, or 0 when neither is known); `title` is never empty when the status is known.
    """

    status: int
    title: str
    detail: str | None = None
    request_id: str | None = None
    meta: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        if self.detail and self.detail != self.title:
            return f"{self.title}: {self.detail}" if self.title else self.detail
        return self.title or (f"HTTP {self.status}" if self.status else "unknown error")


def parse_error_body(body: object, *, default_status: int = 0) -> list[APIErrorDetail]:
    """Every error in an error response body; `[]` when the body holds none.

    `body` is decoded JSON, or raw `str`/`bytes` that is decoded here (text that is not JSON gives
    `[]`). `default_status` (usually the response's status) fills in errors that name no status.
    Never raises, whatever `body` is.
    """
    if isinstance(body, str | bytes | bytearray):
        try:
            body = json.loads(body)
        except (ValueError, RecursionError):
            return []
    return [detail for item in _error_objects(body) if (detail := _detail(item, default_status))]


def _error_objects(body: object) -> list[object]:
    """The candidate error objects of any envelope, in order."""
    if isinstance(body, list):
        return list(body)
    if not isinstance(body, Mapping):
        return []
    errors = body.get("errors")
    if isinstance(errors, list):
        return list(errors)
    if isinstance(errors, Mapping | str):
        return [errors]
    if _ERROR_KEYS.intersection(k for k in body if isinstance(k, str)):
        return [body]
    return []


def _detail(item: object, default_status: int) -> APIErrorDetail | None:
    if isinstance(item, str):
        # `"errors": ["message", ...]`: a bare message is still an error worth reporting.
        return APIErrorDetail(status=default_status, title=item) if item.strip() else None
    if not isinstance(item, Mapping):
        return None
    status = _status(item.get("status")) or default_status
    detail = _text(item.get("detail")) or _text(item.get("error_description"))
    title = _text(item.get("title")) or _text(item.get("error")) or _text(item.get("message"))
    if title is None:
        title = detail if detail is not None else _phrase(status)
        detail = None if title == detail else detail
    meta = item.get("meta")
    return APIErrorDetail(
        status=status,
        title=title,
        detail=detail,
        request_id=_text(item.get("request_id")),
        meta=dict(meta) if isinstance(meta, Mapping) else {},
    )


def _status(value: object) -> int:
    """An HTTP status from `404`, `"404"`, `404.0` or `"404 Not Found"`; else 0."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, float):
        value = int(value) if math.isfinite(value) and value.is_integer() else 0
    if isinstance(value, str):
        match = _STATUS_TEXT.match(value)
        value = int(match.group(1)) if match else 0
    if isinstance(value, int) and 100 <= value <= 599:
        return value
    return 0


def _text(value: object) -> str | None:
    """A non-empty string field; numbers are spelled out, anything else counts as missing."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}" if status else "Unknown error"
