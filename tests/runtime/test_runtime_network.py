"""Against a real HTTP server on 127.0.0.1: what mocks cannot show. A reset in the middle of a
body, a response slower than the timeout, a body shorter than its Content-Length, a refused
connection. Timeouts here are real but short (0.2 s); backoff sleeps are still only recorded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pydantic
import pytest
from rt_pkg._exceptions import (
    APIConnectionError,
    APITimeoutError,
    InternalServerError,
    ResponseValidationError,
)

MakeApi = Callable[..., Any]
SHORT = httpx.Timeout(0.2)


def test_a_healthy_request(make_api: MakeApi, local_server: Any) -> None:
    api = make_api(base_url=local_server.base_url)
    response = api.request("GET", "/ok")
    assert response.json() == {"data": {"id": "1"}}
    assert response.headers["x-request-id"] == "req-local"


@pytest.mark.parametrize(("method", "hits"), [("GET", 2), ("POST", 1)])
def test_a_connection_reset_mid_body(
    make_api: MakeApi, local_server: Any, method: str, hits: int
) -> None:
    api = make_api(base_url=local_server.base_url, max_retries=1)
    with pytest.raises(APIConnectionError) as caught:
        api.request(method, "/reset-mid-body", json={} if method == "POST" else None)
    assert not isinstance(caught.value, APITimeoutError)
    assert isinstance(caught.value.__cause__, httpx.ReadError | httpx.RemoteProtocolError)
    assert caught.value.request is not None
    assert caught.value.request.url.path == "/reset-mid-body"
    assert local_server.hits("/reset-mid-body") == hits


@pytest.mark.parametrize(("method", "hits"), [("GET", 2), ("POST", 1)])
def test_a_response_slower_than_the_timeout(
    make_api: MakeApi, local_server: Any, method: str, hits: int
) -> None:
    api = make_api(base_url=local_server.base_url, max_retries=1, timeout=SHORT)
    with pytest.raises(APITimeoutError) as caught:
        api.request(method, "/slow")
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert local_server.hits("/slow") == hits
    assert api.sleeps == ([0.5] if hits == 2 else [])


def test_a_per_call_timeout_overrides_the_client(make_api: MakeApi, local_server: Any) -> None:
    api = make_api(base_url=local_server.base_url, max_retries=0)  # default: 60 s read
    with pytest.raises(APITimeoutError):
        api.request("GET", "/slow", options={"timeout": 0.2})


def test_a_body_shorter_than_its_content_length(make_api: MakeApi, local_server: Any) -> None:
    api = make_api(base_url=local_server.base_url, max_retries=2)
    with pytest.raises(APIConnectionError) as caught:
        api.request("GET", "/truncated-long-length")
    assert isinstance(caught.value.__cause__, httpx.RemoteProtocolError)
    assert local_server.hits("/truncated-long-length") == 3


def test_complete_http_with_truncated_json_is_a_validation_error(
    make_api: MakeApi, local_server: Any
) -> None:
    api = make_api(base_url=local_server.base_url)
    response = api.request("GET", "/truncated-json")
    with pytest.raises(ResponseValidationError, match="malformed JSON") as caught:
        api.client.parse(response, {200: pydantic.TypeAdapter(dict[str, Any])})
    assert caught.value.body == '{"data": [{"id": "1"'
    assert caught.value.request_id == "req-local"


def test_an_html_error_page_from_a_proxy(make_api: MakeApi, local_server: Any) -> None:
    api = make_api(base_url=local_server.base_url)
    with pytest.raises(InternalServerError) as caught:
        api.request("GET", "/html-error")
    assert caught.value.status_code == 502
    assert caught.value.errors == []
    assert "<h1>502 Bad Gateway</h1>" in caught.value.body
    assert local_server.hits("/html-error") == 3


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_refused_connection_is_retried_for_any_method(
    make_api: MakeApi, closed_port: int, method: str
) -> None:
    api = make_api(base_url=f"http://127.0.0.1:{closed_port}")
    with pytest.raises(APIConnectionError) as caught:
        api.request(method, "/v2/jobs")
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert api.sleeps == [0.5, 1.0]  # never sent, so even a POST was tried three times
