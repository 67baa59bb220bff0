"""The fake's HTTP answers: responses stamped with a request id, and error bodies of no API."""

from __future__ import annotations

import http
from collections.abc import Mapping

import httpx


def json_response(
    request_id: str, status: int, body: object, *, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(
        status, json=body, headers={"x-request-id": request_id, **(headers or {})}
    )


def raw_response(
    request_id: str, status: int, content: bytes, *, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(
        status, content=content, headers={"x-request-id": request_id, **(headers or {})}
    )


def storage_error(request_id: str, status: int, code: str, message: str) -> httpx.Response:
    """An error of the storage origin, in the XML that S3-style storage answers."""
    xml = f"<?xml version='1.0'?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
    return raw_response(
        request_id, status, xml.encode(), headers={"Content-Type": "application/xml"}
    )


def generic_error(status: int, detail: str) -> dict[str, object]:
    return {"errors": [{"status": status, "title": phrase(status), "detail": detail}]}


def phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"
