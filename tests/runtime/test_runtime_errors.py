"""Error bodies (`_errors.parse_error_body`) and the typed exceptions built from error responses."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx
from rt_pkg._errors import APIErrorDetail, parse_error_body
from rt_pkg._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    JobError,
    JobFailedError,
    JobOperationNotSupported,
    JobTimeoutError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    UnprocessableEntityError,
    make_status_error,
)

# -- every envelope the APIs use, and junk ---------------------------------------------------------

PCM_400 = {
    "errors": [
        {"title": "Bad Request", "detail": "Could not parse the supplied filter", "status": "400"}
    ]
}
EXPORTER_500 = {
    "errors": [
        {
            "status": 500,
            "title": "Internal Server Error",
            "detail": "There was an internal server error, you can report with your request id.",
            "request_id": "635da56d-75a1-43cd-b696-7ab119756b3a",
            "meta": {"missing_ids": ["e7d50bd5"]},
        }
    ]
}


def detail(status: int, title: str, detail: str | None = None, **kw: Any) -> APIErrorDetail:
    return APIErrorDetail(status=status, title=title, detail=detail, **kw)


ENVELOPES: list[tuple[str, object, list[APIErrorDetail]]] = [
    (
        "pcm list, status as a string",
        PCM_400,
        [detail(400, "Bad Request", "Could not parse the supplied filter")],
    ),
    (
        "exporter list, status as an int, request id and meta",
        EXPORTER_500,
        [
            detail(
                500,
                "Internal Server Error",
                "There was an internal server error, you can report with your request id.",
                request_id="635da56d-75a1-43cd-b696-7ab119756b3a",
                meta={"missing_ids": ["e7d50bd5"]},
            )
        ],
    ),
    (
        "promotions: errors as one object",
        {
            "errors": {
                "status": 422,
                "title": "Failed Validation",
                "detail": "name can not be empty",
            }
        },
        [detail(422, "Failed Validation", "name can not be empty")],
    ),
    (
        "exporter 404 example: a bare error object",
        {"title": "Resource Not Found", "status": 404, "detail": "The resource does not exist"},
        [detail(404, "Resource Not Found", "The resource does not exist")],
    ),
    (
        "several errors, in order",
        {"errors": [{"status": 422, "title": "A"}, {"status": "422", "title": "B"}]},
        [detail(422, "A"), detail(422, "B")],
    ),
    (
        "missing status: the response's status fills in",
        {"errors": [{"title": "Conflict"}]},
        [detail(409, "Conflict")],
    ),
    (
        "missing title: the detail becomes the title",
        {"errors": [{"status": 400, "detail": "bad filter"}]},
        [detail(400, "bad filter")],
    ),
    (
        "missing title and detail: the status phrase",
        {"errors": [{"status": "404"}]},
        [detail(404, "Not Found")],
    ),
    (
        "status text with a phrase",
        {"errors": [{"status": "503 Service Unavailable", "title": "Down"}]},
        [detail(503, "Down")],
    ),
    (
        "unusable statuses fall back to the response's",
        {"errors": [{"status": s, "title": "t"} for s in (True, "abc", 42, 404.5, "1001", None)]},
        [detail(409, "t")] * 6,
    ),
    (
        "a message string in the errors list",
        {"errors": ["Something went wrong", "", 7, None]},
        [detail(409, "Something went wrong")],
    ),
    (
        "oauth-style error",
        {"error": "invalid_client", "error_description": "Client authentication failed"},
        [detail(409, "invalid_client", "Client authentication failed")],
    ),
    (
        "meta that is not an object is dropped",
        {"errors": [{"status": 400, "title": "x", "meta": ["not", "a", "dict"]}]},
        [detail(400, "x")],
    ),
    ("empty errors list", {"errors": []}, []),
    ("errors is null", {"errors": None}, []),
    ("a job document is not an error", {"data": {"id": "1", "status": "pending"}}, []),
    ("a JSON string", "just text", []),
    ("a number", 42, []),
    ("null", None, []),
    ("a list of junk", [1, None, [2]], []),
    ("empty object", {}, []),
]


@pytest.mark.parametrize(
    ("body", "expected"), [(b, e) for _, b, e in ENVELOPES], ids=[n for n, _, _ in ENVELOPES]
)
def test_parse_error_body_normalises_every_envelope(
    body: object, expected: list[APIErrorDetail]
) -> None:
    assert parse_error_body(body, default_status=409) == expected


@pytest.mark.parametrize(
    "raw",
    [
        json.dumps(PCM_400),
        json.dumps(PCM_400).encode(),
    ],
)
def test_parse_error_body_decodes_raw_json_text(raw: str | bytes) -> None:
    assert parse_error_body(raw) == [
        detail(400, "Bad Request", "Could not parse the supplied filter")
    ]


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "<html><body>502 Bad Gateway</body></html>",
        '{"errors": [',
        "[" * 100_000,
        b"\xff\xfe",
    ],
    ids=["empty", "blank", "html", "truncated", "deeply nested", "not utf-8"],
)
def test_parse_error_body_never_raises_on_junk_text(raw: str | bytes) -> None:
    assert parse_error_body(raw) == []


def test_the_status_defaults_to_zero_without_a_response_status() -> None:
    assert parse_error_body({"errors": [{"title": "x"}]}) == [detail(0, "x")]


def test_error_detail_str_is_title_and_detail() -> None:
    assert str(detail(400, "Bad Request", "Could not parse")) == "Bad Request: Could not parse"
    assert str(detail(400, "Bad Request")) == "Bad Request"
    assert str(detail(400, "Same", "Same")) == "Same"


# -- status -> exception class ---------------------------------------------------------------------

STATUS_CLASSES = [
    (400, BadRequestError),
    (401, AuthenticationError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (409, ConflictError),
    (422, UnprocessableEntityError),
    (429, RateLimitError),
    (500, InternalServerError),
    (502, InternalServerError),
    (503, InternalServerError),
    (599, InternalServerError),
    (405, APIStatusError),
    (410, APIStatusError),
    (418, APIStatusError),
]


def error_response(status: int, body: bytes | str = b"", **headers: str) -> httpx.Response:
    request = httpx.Request("GET", "https://api.test/v2/jobs/abc")
    content = body.encode() if isinstance(body, str) else body
    return httpx.Response(status, content=content, headers=headers, request=request)


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES)
def test_make_status_error_picks_the_class_for_the_status(
    status: int, cls: type[APIStatusError]
) -> None:
    error = make_status_error(error_response(status, json.dumps(PCM_400)))
    assert type(error) is cls
    assert isinstance(error, APIStatusError)
    assert isinstance(error, APIError)
    assert error.status_code == status


def test_a_status_error_carries_everything_a_caller_needs() -> None:
    response = error_response(500, json.dumps(EXPORTER_500), **{"x-request-id": "hdr-id"})
    error = make_status_error(response)
    assert error.response is response
    assert error.request is response.request
    assert error.body == json.dumps(EXPORTER_500)
    assert error.request_id == "hdr-id"  # the header wins over the body
    assert [e.title for e in error.errors] == ["Internal Server Error"]
    assert error.errors[0].meta == {"missing_ids": ["e7d50bd5"]}


def test_the_request_id_falls_back_to_the_body() -> None:
    error = make_status_error(error_response(500, json.dumps(EXPORTER_500)))
    assert error.request_id == "635da56d-75a1-43cd-b696-7ab119756b3a"


def test_str_is_one_useful_line() -> None:
    body = json.dumps(PCM_400)
    error = make_status_error(error_response(400, body, **{"x-request-id": "req-9"}))
    text = str(error)
    assert "\n" not in text
    assert text == (
        "400 Bad Request: Bad Request: Could not parse the supplied filter "
        "(GET https://api.test/v2/jobs/abc, request_id=req-9)"
    )


def test_str_counts_further_errors() -> None:
    body = {
        "errors": [{"status": 422, "title": "A"}, {"status": 422, "title": "B"}, {"title": "C"}]
    }
    error = make_status_error(error_response(422, json.dumps(body)))
    assert str(error).startswith("422 Unprocessable Entity: A (+2 more errors) (GET ")


@pytest.mark.parametrize(
    ("body", "content_type", "shown"),
    [
        (
            "<html>\n<body><h1>502 Bad Gateway</h1></body>\n</html>",
            "text/html",
            "<html> <body><h1>502",
        ),
        ('{"errors": [{"status": 500', "application/json", '{"errors": [{"status": 500'),
        ("", "application/json", "empty body"),
        ("upstream connect error", "text/plain", "upstream connect error"),
    ],
    ids=["html", "malformed json", "empty", "plain text"],
)
def test_bodies_without_errors_still_give_a_typed_error(
    body: str, content_type: str, shown: str
) -> None:
    response = error_response(502, body, **{"content-type": content_type, "x-request-id": "rid-1"})
    error = make_status_error(response)
    assert isinstance(error, InternalServerError)
    assert error.errors == []
    assert error.body == body
    assert error.request_id == "rid-1"
    assert error.status_code == 502
    assert shown in str(error)
    assert "\n" not in str(error)


def test_a_long_junk_body_is_cut_in_the_message_but_kept_whole() -> None:
    body = "x" * 5000
    error = make_status_error(error_response(500, body))
    assert len(str(error)) < 400
    assert error.body == body


def test_a_query_secret_does_not_reach_the_message() -> None:
    request = httpx.Request("GET", "https://api.test/files?X-Amz-Signature=abc123&id=7")
    error = make_status_error(httpx.Response(403, request=request))
    assert "abc123" not in str(error)
    assert "id=7" in str(error)


def test_a_response_built_without_request_still_describes_itself() -> None:
    error = NotFoundError(response=httpx.Response(404, json={"title": "gone", "status": 404}))
    assert error.request is None
    assert str(error) == "404 Not Found: gone"


def test_the_message_and_body_can_be_given() -> None:
    response = error_response(404, json.dumps(PCM_400))
    error = NotFoundError("job x is not in the list", response=response, body=None)
    assert str(error) == "job x is not in the list"
    assert error.body == json.dumps(PCM_400)
    error = NotFoundError("m", response=response, body="given", errors=[], request_id="r")
    assert (error.body, error.errors, error.request_id) == ("given", [], "r")


# -- through the client ----------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES)
def test_the_client_raises_the_typed_error(
    make_api: Callable[..., Any], router: respx.MockRouter, status: int, cls: type[APIStatusError]
) -> None:
    router.post("/v2/jobs").respond(status, json=PCM_400, headers={"x-request-id": "r-1"})
    api = make_api(max_retries=0)
    with pytest.raises(cls) as caught:
        api.request("POST", "/v2/jobs", json={})
    assert type(caught.value) is cls
    assert caught.value.status_code == status
    assert caught.value.request_id == "r-1"
    assert caught.value.errors[0].detail == "Could not parse the supplied filter"


@pytest.mark.parametrize(
    ("error", "cls"),
    [
        (httpx.ConnectError("refused"), APIConnectionError),
        (httpx.ReadError("reset"), APIConnectionError),
        (httpx.RemoteProtocolError("peer closed"), APIConnectionError),
        (httpx.UnsupportedProtocol("ftp"), APIConnectionError),
        (httpx.ConnectTimeout("slow connect"), APITimeoutError),
        (httpx.ReadTimeout("slow read"), APITimeoutError),
        (httpx.WriteTimeout("slow write"), APITimeoutError),
        (httpx.PoolTimeout("pool full"), APITimeoutError),
    ],
)
def test_transport_failures_become_connection_errors_keeping_request_and_cause(
    make_api: Callable[..., Any], router: respx.MockRouter, error: Exception, cls: type[APIError]
) -> None:
    router.get("/v2/jobs").mock(side_effect=error)
    api = make_api(max_retries=0)
    with pytest.raises(cls) as caught:
        api.request("GET", "/v2/jobs")
    assert type(caught.value) is cls
    assert caught.value.__cause__ is error
    assert caught.value.request is not None
    assert caught.value.request.url == "https://api.test/v2/jobs"
    assert type(error).__name__ in str(caught.value)
    assert isinstance(caught.value, APIConnectionError)


def test_a_timeout_is_a_connection_error_too() -> None:
    assert issubclass(APITimeoutError, APIConnectionError)


# -- job errors ------------------------------------------------------------------------------------


def test_job_errors_keep_what_the_job_facade_gives_them() -> None:
    job = object()
    failed = JobFailedError("job 1 failed", job=job, errors=["a", "b"])
    assert (failed.message, failed.job, failed.errors) == ("job 1 failed", job, ["a", "b"])
    timed_out = JobTimeoutError("slow", job=job, timeout=2.5)
    assert (timed_out.job, timed_out.timeout) == (job, 2.5)
    unsupported = JobOperationNotSupported("no", api="exporter", operation="cancel")
    assert (unsupported.api, unsupported.operation, unsupported.job) == ("exporter", "cancel", None)
    for error in (failed, timed_out, unsupported):
        assert isinstance(error, JobError)
        assert isinstance(error, APIError)
        assert error.request is None


def test_response_validation_error_without_a_response() -> None:
    error = ResponseValidationError("not a job", body='{"x": 1}')
    assert (error.response, error.status_code, error.request_id) == (None, None, None)
    assert error.body == '{"x": 1}'
    assert str(error) == "not a job"
