"""Which failures are retried, how long the client waits, and what it logs. Nothing really sleeps:
the harness records each requested sleep instead."""

from __future__ import annotations

import email.utils
import io
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx
from rt_pkg._base_client import retry_after_seconds, retry_delay, should_retry_error
from rt_pkg._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
)

MakeApi = Callable[..., Any]
IDEMPOTENT = ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]
NOT_IDEMPOTENT = ["POST", "PATCH"]
METHODS = IDEMPOTENT + NOT_IDEMPOTENT


def expect_retry_on_status(method: str, status: int) -> bool:
    return status in (408, 429) or (status >= 500 and method in IDEMPOTENT)


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 400, 401, 404, 409, 422])
@pytest.mark.parametrize("method", METHODS)
def test_status_retry_rules(
    make_api: MakeApi, router: respx.MockRouter, method: str, status: int
) -> None:
    route = router.route(method=method, path="/v2/jobs/1").respond(status, json={})
    api = make_api()  # default: 2 retries
    with pytest.raises(APIStatusError) as caught:
        api.request(method, "/v2/jobs/1")
    assert caught.value.status_code == status
    if expect_retry_on_status(method, status):
        assert route.call_count == 3
        assert api.sleeps == [0.5, 1.0]
    else:
        assert route.call_count == 1
        assert api.sleeps == []


NOT_SENT = [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout]
MAYBE_SENT = [
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
]


@pytest.mark.parametrize("error_type", NOT_SENT + MAYBE_SENT + [httpx.UnsupportedProtocol])
@pytest.mark.parametrize("method", METHODS)
def test_transport_error_retry_rules(
    make_api: MakeApi, router: respx.MockRouter, method: str, error_type: type[Exception]
) -> None:
    route = router.route(method=method, path="/v2/jobs").mock(side_effect=error_type("boom"))
    api = make_api()
    expected = (
        APITimeoutError if issubclass(error_type, httpx.TimeoutException) else APIConnectionError
    )
    with pytest.raises(expected):
        api.request(method, "/v2/jobs")
    if error_type in NOT_SENT or (error_type in MAYBE_SENT and method in IDEMPOTENT):
        assert route.call_count == 3
    else:
        assert route.call_count == 1


def test_a_non_transport_error_is_never_retried() -> None:
    assert not should_retry_error("GET", httpx.TooManyRedirects("loop"))
    assert not should_retry_error("GET", ValueError("not httpx"))


@pytest.mark.parametrize("method", METHODS)
def test_a_transient_failure_then_success_returns_the_success(
    make_api: MakeApi, router: respx.MockRouter, method: str
) -> None:
    route = router.route(method=method, path="/v2/jobs").mock(
        side_effect=[
            httpx.Response(429),
            httpx.ConnectError("refused"),
            httpx.Response(200, json={}),
        ]
    )
    api = make_api()
    response = api.request(method, "/v2/jobs")
    assert response.status_code == 200
    assert route.call_count == 3


def test_post_429_then_success_resends_json_and_file_content(
    make_api: MakeApi, router: respx.MockRouter
) -> None:
    route = router.post("/pcm/products/import").mock(
        side_effect=[httpx.Response(429), httpx.Response(201, json={})]
    )
    api = make_api()
    api.request(
        "POST",
        "/pcm/products/import",
        files={"file": ("products.csv", io.BytesIO(b"sku,name\na,b\n"), "text/csv")},
        data={"mode": "upsert"},
    )
    bodies = [call.request.content for call in route.calls]
    assert len(bodies) == 2
    assert b"sku,name\na,b\n" in bodies[1]
    assert b"upsert" in bodies[1]


# -- how long to wait ------------------------------------------------------------------------------


def http_date(seconds_from_now: float) -> str:
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)


@pytest.mark.parametrize(
    ("headers", "low", "high"),
    [
        ({"Retry-After": "3"}, 3.0, 3.0),
        ({"Retry-After": "0"}, 0.0, 0.0),
        ({"Retry-After": "1.5"}, 1.5, 1.5),
        ({"retry-after-ms": "1500"}, 1.5, 1.5),
        ({"retry-after-ms": "250", "Retry-After": "30"}, 0.25, 0.25),
        ({"Retry-After": "60"}, 60.0, 60.0),
        ({"Retry-After": "<date +30s>"}, 27.0, 30.0),
        # Beyond the cap, in the past, or unreadable: the backoff (0.5 s for the first retry).
        ({"Retry-After": "61"}, 0.5, 0.5),
        ({"Retry-After": "3600"}, 0.5, 0.5),
        ({"retry-after-ms": "600000"}, 0.5, 0.5),
        ({"Retry-After": "<date +1h>"}, 0.5, 0.5),
        ({"Retry-After": "<date -1h>"}, 0.5, 0.5),
        ({"Retry-After": "-5"}, 0.5, 0.5),
        ({"Retry-After": "soon"}, 0.5, 0.5),
        ({"Retry-After": "inf"}, 0.5, 0.5),
        ({"Retry-After": "nan"}, 0.5, 0.5),
        ({"retry-after-ms": "abc", "Retry-After": "2"}, 2.0, 2.0),
    ],
)
def test_retry_after_is_honoured_up_to_the_cap(
    make_api: MakeApi,
    router: respx.MockRouter,
    headers: dict[str, str],
    low: float,
    high: float,
) -> None:
    dates = {"<date +30s>": 30, "<date +1h>": 3600, "<date -1h>": -3600}
    headers = {k: http_date(dates[v]) if v in dates else v for k, v in headers.items()}
    router.get("/v2/jobs").mock(
        side_effect=[httpx.Response(429, headers=headers), httpx.Response(200, json={})]
    )
    api = make_api()
    api.request("GET", "/v2/jobs")
    assert len(api.sleeps) == 1
    assert low <= api.sleeps[0] <= high


def test_retry_after_on_a_503_is_honoured_too(make_api: MakeApi, router: respx.MockRouter) -> None:
    router.get("/v2/jobs").mock(
        side_effect=[httpx.Response(503, headers={"Retry-After": "7"}), httpx.Response(200)]
    )
    api = make_api()
    api.request("GET", "/v2/jobs")
    assert api.sleeps == [7.0]


def test_retry_after_seconds_reads_dates_without_a_zone_as_utc() -> None:
    now = 1_700_000_000.0
    headers = httpx.Headers({"Retry-After": "Tue, 14 Nov 2023 22:13:30"})  # no zone: UTC
    assert retry_after_seconds(headers, now=now) == pytest.approx(10.0)
    assert retry_after_seconds(httpx.Headers(), now=now) is None


@pytest.mark.parametrize(
    ("rand", "expected"),
    [
        (0.0, [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]),
        (1.0, [0.375, 0.75, 1.5, 3.0, 6.0, 6.0, 6.0]),
        (0.5, [0.4375, 0.875, 1.75, 3.5, 7.0, 7.0, 7.0]),
    ],
)
def test_backoff_is_exponential_capped_and_jittered(rand: float, expected: list[float]) -> None:
    delays = [retry_delay(n, None, rand=lambda: rand, now=0.0) for n in range(7)]
    assert delays == pytest.approx(expected)


def test_backoff_survives_a_huge_retry_count() -> None:
    assert retry_delay(100_000, None, rand=lambda: 0.0, now=0.0) == 8.0


def test_the_client_uses_the_injected_random_for_jitter(
    make_api: MakeApi, router: respx.MockRouter
) -> None:
    router.get("/v2/jobs").respond(503)
    api = make_api(max_retries=4, _random=lambda: 1.0)
    with pytest.raises(APIStatusError):
        api.request("GET", "/v2/jobs")
    assert api.sleeps == pytest.approx([0.375, 0.75, 1.5, 3.0])


# -- overrides -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("client_retries", "call_retries", "calls"), [(2, 0, 1), (0, 3, 4), (5, None, 6)]
)
def test_max_retries_per_client_and_per_call(
    make_api: MakeApi,
    router: respx.MockRouter,
    client_retries: int,
    call_retries: int | None,
    calls: int,
) -> None:
    route = router.get("/v2/jobs").respond(500)
    api = make_api(max_retries=client_retries)
    options = {} if call_retries is None else {"max_retries": call_retries}
    with pytest.raises(APIStatusError):
        api.request("GET", "/v2/jobs", options=options)
    assert route.call_count == calls
    assert len(api.sleeps) == calls - 1


def test_with_options_changes_retries_for_the_copy_only(
    make_api: MakeApi, router: respx.MockRouter
) -> None:
    route = router.get("/v2/jobs").respond(500)
    api = make_api(max_retries=2)
    copy = api.client.with_options(max_retries=0)
    with pytest.raises(APIStatusError):
        api.run(lambda _: copy.request("GET", "/v2/jobs"))
    assert route.call_count == 1
    with pytest.raises(APIStatusError):
        api.request("GET", "/v2/jobs")
    assert route.call_count == 4


@pytest.mark.parametrize("bad", [-1, 1.5, True, "2"])
def test_max_retries_must_be_a_non_negative_int(make_api: MakeApi, bad: object) -> None:
    with pytest.raises(ValueError, match="max_retries"):
        make_api(max_retries=bad)


def test_unknown_request_options_are_refused(make_api: MakeApi, router: respx.MockRouter) -> None:
    router.get("/v2/jobs").respond(200)
    api = make_api()
    with pytest.raises(TypeError, match="max_retry"):
        api.request("GET", "/v2/jobs", options={"max_retry": 1})


def test_a_401_with_a_static_token_is_not_retried(
    make_api: MakeApi, router: respx.MockRouter
) -> None:
    route = router.get("/v2/jobs").respond(
        401, json={"errors": [{"status": 401, "title": "Unauthorized"}]}
    )
    api = make_api(auth="static-token")
    with pytest.raises(AuthenticationError):
        api.request("GET", "/v2/jobs")
    assert route.call_count == 1


# -- logging ---------------------------------------------------------------------------------------


def test_each_retry_is_logged_with_method_url_attempt_and_delay(
    make_api: MakeApi, router: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    router.get("/v2/jobs").mock(
        side_effect=[httpx.Response(503), httpx.ConnectError("x"), httpx.Response(200)]
    )
    api = make_api()
    with caplog.at_level(logging.INFO):
        api.request("GET", "/v2/jobs", params={"client_secret": "hush-123", "page[limit]": 5})
    retries = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Retrying")]
    assert len(retries) == 2
    assert retries[0].startswith("Retrying GET https://api.test/v2/jobs?client_secret=REDACTED&")
    assert "in 0.50 s (retry 1 of 2) after 503 Service Unavailable" in retries[0]
    assert "in 1.00 s (retry 2 of 2) after ConnectError" in retries[1]
    assert "hush-123" not in caplog.text
    assert all(
        r.levelno == logging.INFO for r in caplog.records if r.getMessage().startswith("Retrying")
    )
