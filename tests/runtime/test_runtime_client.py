"""The client surface: URLs, query and headers, timeouts, copies, closing, parsing and streaming."""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable
from typing import Any

import httpx
import pydantic
import pytest
import respx
import rt_pkg._version
from rt_pkg._base_client import AsyncAPIClient, SyncAPIClient
from rt_pkg._constants import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, PACKAGE_NAME
from rt_pkg._exceptions import NotFoundError, ResponseValidationError
from rt_pkg._filters import eq, gt
from rt_pkg._response import APIResponse

MakeApi = Callable[..., Any]


def last_request(route: respx.Route) -> httpx.Request:
    return route.calls.last.request


# -- URLs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base_url", "expected_base", "url"),
    [
        ("https://api.test", "https://api.test/", "https://api.test/v2/jobs"),
        ("https://api.test/", "https://api.test/", "https://api.test/v2/jobs"),
        ("https://api.test///", "https://api.test/", "https://api.test/v2/jobs"),
        ("https://api.test/prefix", "https://api.test/prefix/", "https://api.test/prefix/v2/jobs"),
        (
            " https://api.test/prefix/ ",
            "https://api.test/prefix/",
            "https://api.test/prefix/v2/jobs",
        ),
        (httpx.URL("https://api.test"), "https://api.test/", "https://api.test/v2/jobs"),
    ],
)
def test_the_base_url_gets_one_trailing_slash(
    make_api: MakeApi, router: respx.MockRouter, base_url: Any, expected_base: str, url: str
) -> None:
    route = router.get(url).respond(200)
    api = make_api(base_url=base_url)
    assert isinstance(api.client.base_url, httpx.URL)
    assert str(api.client.base_url) == expected_base
    api.request("GET", "/v2/jobs")
    assert route.called


@pytest.mark.parametrize("base_url", ["api.test", "/v2", "ftp://api.test", ""])
def test_a_base_url_must_be_absolute_http(base_url: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        SyncAPIClient(base_url=base_url)


def test_path_params_are_percent_encoded(make_api: MakeApi, router: respx.MockRouter) -> None:
    route = router.get(url__startswith="https://api.test/v2/promotions/").respond(200)
    api = make_api()
    api.request(
        "GET",
        "/v2/promotions/{promotionID}/jobs/{jobID}",
        path_params={"promotionID": "a/b c?d#e", "jobID": "ü-1"},
    )
    assert last_request(route).url.raw_path == b"/v2/promotions/a%2Fb%20c%3Fd%23e/jobs/%C3%BC-1"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "needs the path parameter 'jobID'"),
        ({"jobID": ""}, "must not be ''"),
        ({"jobID": ".."}, "must not be"),
    ],
)
def test_bad_path_params_are_refused(
    make_api: MakeApi, params: dict[str, str], message: str
) -> None:
    api = make_api()
    with pytest.raises(ValueError, match=message):
        api.request("GET", "/v2/jobs/{jobID}", path_params=params)


class Colour(enum.Enum):
    RED = "red"


def test_query_encoding(make_api: MakeApi, router: respx.MockRouter) -> None:
    route = router.get("/v2/jobs").respond(200)
    api = make_api()
    api.request(
        "GET",
        "/v2/jobs",
        params={
            "skip": None,
            "yes": True,
            "no": False,
            "ids": ["a", None, "b"],
            "page": {"limit": 10, "offset": 0},
            "filter": eq("status", "pending") & gt("created_at", "2024-01-01"),
            "colour": Colour.RED,
            "day": datetime.date(2024, 1, 2),
            "n": 3,
        },
    )
    assert last_request(route).url.params.multi_items() == [
        ("yes", "true"),
        ("no", "false"),
        ("ids", "a"),
        ("ids", "b"),
        ("page[limit]", "10"),
        ("page[offset]", "0"),
        ("filter", "eq(status,pending):gt(created_at,2024-01-01)"),
        ("colour", "red"),
        ("day", "2024-01-02"),
        ("n", "3"),
    ]


def test_extra_query_overrides_the_operation_query(
    make_api: MakeApi, router: respx.MockRouter
) -> None:
    route = router.get("/v2/jobs").respond(200)
    make_api().request(
        "GET",
        "/v2/jobs",
        params={"page[limit]": 5, "filter": "eq(a,b)"},
        options={"extra_query": {"page[limit]": 50, "page[offset]": 100}},
    )
    assert last_request(route).url.params.multi_items() == [
        ("filter", "eq(a,b)"),
        ("page[limit]", "50"),
        ("page[offset]", "100"),
    ]


def test_json_form_and_no_body(make_api: MakeApi, router: respx.MockRouter) -> None:
    route = router.post("/v2/jobs").respond(201)
    api = make_api()
    api.request("POST", "/v2/jobs", json={"data": {"type": "job"}})
    assert last_request(route).headers["content-type"] == "application/json"
    assert last_request(route).content == b'{"data":{"type":"job"}}'
    api.request("POST", "/v2/jobs", data={"a": "1"})
    assert last_request(route).content == b"a=1"
    api.request("POST", "/v2/jobs")
    assert last_request(route).content == b""


# -- headers ---------------------------------------------------------------------------------------


def test_default_headers_and_user_agent(make_api: MakeApi, router: respx.MockRouter) -> None:
    route = router.get("/v2/jobs").respond(200)
    make_api().request("GET", "/v2/jobs")
    headers = last_request(route).headers
    version = rt_pkg._version.__version__
    assert headers["user-agent"] == f"{PACKAGE_NAME}/{version} httpx/{httpx.__version__}"
    assert headers["accept"] == "application/json"


def test_header_layers_override_in_order(make_api: MakeApi, router: respx.MockRouter) -> None:
    route = router.get("/v2/jobs").respond(200)
    api = make_api(default_headers={"X-A": "client", "X-B": "client", "X-C": "client"})
    api.request(
        "GET",
        "/v2/jobs",
        headers={"x-b": "operation", "X-C": "operation"},
        options={"extra_headers": {"x-c": "call"}},
    )
    headers = last_request(route).headers
    assert (headers["x-a"], headers["x-b"], headers["x-c"]) == ("client", "operation", "call")
    assert headers.get_list("x-c") == ["call"]


@pytest.mark.parametrize("own_pool", [False, True], ids=["given-pool", "own-pool"])
def test_headers_are_the_same_whoever_made_the_pool(
    make_api: MakeApi, router: respx.MockRouter, own_pool: bool
) -> None:
    # A client that makes its own pool puts the default headers on it rather than on every request:
    # what reaches the server must not depend on that.
    route = router.get("/v2/jobs").respond(200)
    version = rt_pkg._version.__version__
    user_agent = f"{PACKAGE_NAME}/{version} httpx/{httpx.__version__}"
    api = make_api(auth="tok", own_pool=own_pool)
    api.request("GET", "/v2/jobs")
    headers = last_request(route).headers
    assert headers.get_list("accept") == ["application/json"]
    assert headers.get_list("user-agent") == [user_agent]
    assert headers.get_list("authorization") == ["Bearer tok"]

    api.request(
        "GET",
        "/v2/jobs",
        headers={"accept": "text/csv"},
        options={"extra_headers": {"USER-AGENT": "mine/1"}},
    )
    headers = last_request(route).headers
    assert headers.get_list("accept") == ["text/csv"]
    assert headers.get_list("user-agent") == ["mine/1"]

    copy = api.client.with_options(
        default_headers={"Accept": "application/vnd.api+json", "X-A": "1"}
    )
    api.run(lambda _: copy.request("GET", "/v2/jobs"))
    headers = last_request(route).headers
    assert headers.get_list("accept") == ["application/vnd.api+json"]
    assert headers.get_list("user-agent") == [user_agent]
    assert headers["x-a"] == "1"


# -- timeouts --------------------------------------------------------------------------------------


def timeout_of(route: respx.Route) -> dict[str, float | None]:
    return dict(last_request(route).extensions["timeout"])


@pytest.mark.parametrize(
    ("client_timeout", "options", "expected"),
    [
        ("default", None, {"connect": 5.0, "read": 60.0, "write": 60.0, "pool": 60.0}),
        (10, None, {"connect": 10.0, "read": 10.0, "write": 10.0, "pool": 10.0}),
        (None, None, {"connect": None, "read": None, "write": None, "pool": None}),
        ("default", {"timeout": 1.5}, {"connect": 1.5, "read": 1.5, "write": 1.5, "pool": 1.5}),
        (
            "default",
            {"timeout": None},
            {"connect": None, "read": None, "write": None, "pool": None},
        ),
        (
            10,
            {"timeout": httpx.Timeout(3.0, connect=1.0)},
            {"connect": 1.0, "read": 3.0, "write": 3.0, "pool": 3.0},
        ),
    ],
)
def test_timeouts_per_client_and_per_call(
    make_api: MakeApi,
    router: respx.MockRouter,
    client_timeout: Any,
    options: Any,
    expected: dict[str, float | None],
) -> None:
    route = router.get("/v2/jobs").respond(200)
    kwargs = {} if client_timeout == "default" else {"timeout": client_timeout}
    make_api(**kwargs).request("GET", "/v2/jobs", options=options)
    assert timeout_of(route) == expected


def test_the_defaults() -> None:
    assert httpx.Timeout(60.0, connect=5.0) == DEFAULT_TIMEOUT
    assert DEFAULT_MAX_RETRIES == 2
    client = SyncAPIClient(base_url="https://api.test")
    assert client.timeout == DEFAULT_TIMEOUT
    assert client.max_retries == 2
    client.close()


# -- copies and closing ----------------------------------------------------------------------------


@respx.mock
def test_with_options_copies_and_shares_the_pool(make_api: MakeApi) -> None:
    route = respx.get("https://other.test/v2/jobs").respond(200)
    api = make_api(default_headers={"X-A": "1"}, auth="tok")
    copy = api.client.with_options(
        base_url="https://other.test",
        timeout=2,
        max_retries=0,
        default_headers={"X-B": "2"},
        auth=None,
    )
    assert type(copy) is type(api.client)
    assert copy._http is api.client._http
    assert (copy.max_retries, copy.timeout, copy.auth) == (0, httpx.Timeout(2), None)
    assert copy.default_headers == {"X-A": "1", "X-B": "2"}
    assert api.client.default_headers == {"X-A": "1"}
    assert str(api.client.base_url) == "https://api.test/"
    api.run(lambda _: copy.request("GET", "/v2/jobs"))
    request = last_request(route)
    assert request.url == "https://other.test/v2/jobs"
    assert "authorization" not in request.headers
    assert request.headers["x-b"] == "2"


def test_with_options_calls_the_post_copy_hook() -> None:
    class Client(SyncAPIClient):
        def _post_copy(self) -> None:
            self.rebuilt_for = self.max_retries

    client = Client(base_url="https://api.test")
    copy = client.with_options(max_retries=7)
    assert copy.rebuilt_for == 7
    assert not hasattr(client, "rebuilt_for")
    client.close()


def test_a_sync_client_closes_only_the_pool_it_made() -> None:
    with SyncAPIClient(base_url="https://api.test") as client:
        copy = client.with_options(max_retries=0)
        copy.close()  # a copy never closes the shared pool
        assert not client.is_closed
    assert client.is_closed
    given = httpx.Client()
    with SyncAPIClient(base_url="https://api.test", http_client=given):
        pass
    assert not given.is_closed
    given.close()


async def test_an_async_client_closes_only_the_pool_it_made() -> None:
    async with AsyncAPIClient(base_url="https://api.test") as client:
        await client.with_options(max_retries=0).aclose()
        assert not client.is_closed
    assert client.is_closed
    given = httpx.AsyncClient()
    async with AsyncAPIClient(base_url="https://api.test", http_client=given):
        pass
    assert not given.is_closed
    await given.aclose()


def test_repr_names_the_client(make_api: MakeApi) -> None:
    text = repr(make_api(auth="tok").client)
    assert text.endswith(
        "APIClient(base_url='https://api.test/', auth=BearerToken(REDACTED), max_retries=2)"
    )


# -- parsing ---------------------------------------------------------------------------------------


class Job(pydantic.BaseModel):
    id: str
    status: str


class JobEnvelope(pydantic.BaseModel):
    data: Job


ADAPTERS: dict[int | str, pydantic.TypeAdapter[Any]] = {
    200: pydantic.TypeAdapter(JobEnvelope),
    "2XX": pydantic.TypeAdapter(dict[str, Any]),
    "default": pydantic.TypeAdapter(list[int]),
}


def response(status: int, content: bytes, **headers: str) -> httpx.Response:
    request = httpx.Request("GET", "https://api.test/v2/jobs/1?token=abc")
    return httpx.Response(status, content=content, headers=headers, request=request)


@pytest.mark.parametrize(
    ("status", "content", "expected"),
    [
        (200, b'{"data": {"id": "1", "status": "ok"}}', JobEnvelope(data=Job(id="1", status="ok"))),
        (202, b'{"any": 1}', {"any": 1}),
        (304, b"[1, 2]", [1, 2]),
    ],
)
def test_parse_picks_the_adapter_by_status_range_then_default(
    status: int, content: bytes, expected: object
) -> None:
    client = SyncAPIClient(base_url="https://api.test")
    parsed = client.parse(response(status, content, **{"x-request-id": "r"}), ADAPTERS)
    assert isinstance(parsed, APIResponse)
    assert parsed.parsed == expected
    assert (parsed.status_code, parsed.request_id, parsed.headers["x-request-id"]) == (
        status,
        "r",
        "r",
    )
    client.close()


def test_parse_without_an_adapter_gives_none() -> None:
    client = SyncAPIClient(base_url="https://api.test")
    assert client.parse(response(204, b""), {200: ADAPTERS[200]}).parsed is None
    assert client.parse(response(201, b"5"), {"201": pydantic.TypeAdapter(int)}).parsed == 5
    client.close()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "an empty body where a JSON body is expected"),
        (b"  \n", "an empty body where a JSON body is expected"),
        (b'{"data": {"id": "1"', "malformed JSON"),
        (b"<html>oops</html>", "malformed JSON"),
        (
            b'{"data": {"id": "1"}}',
            "does not match the documented schema (problem: data.status: Field required)",
        ),
        (b'{"data": {}}', "(2 problems, first: data.id: Field required)"),
    ],
)
def test_parse_raises_a_validation_error_keeping_the_raw_text(content: bytes, problem: str) -> None:
    client = SyncAPIClient(base_url="https://api.test")
    with pytest.raises(ResponseValidationError) as caught:
        client.parse(response(200, content, **{"x-request-id": "rid"}), ADAPTERS)
    error = caught.value
    assert problem in str(error)
    assert str(error).startswith("GET https://api.test/v2/jobs/1?token=REDACTED returned 200 with ")
    assert (error.status_code, error.request_id, error.body) == (200, "rid", content.decode())
    assert isinstance(error.__cause__, pydantic.ValidationError)
    client.close()


# -- streaming -------------------------------------------------------------------------------------


def test_stream_yields_an_unread_response_and_closes_it(router: respx.MockRouter) -> None:
    route = router.get("https://files.test/export.csv?X-Amz-Signature=s").respond(
        200, content=b"a,b\n1,2\n"
    )
    client = SyncAPIClient(base_url="https://api.test", auth="tok")
    with client.stream(
        "GET", "https://files.test/export.csv?X-Amz-Signature=s", authenticate=False
    ) as got:
        assert b"".join(got.iter_bytes()) == b"a,b\n1,2\n"
    assert got.is_closed
    request = last_request(route)
    assert "authorization" not in request.headers
    assert request.headers["accept"] == "*/*"
    client.close()


async def test_astream_authenticates_api_paths_and_raises_typed_errors(
    router: respx.MockRouter,
) -> None:
    ok = router.get("https://api.test/v2/jobs/1/file").respond(200, content=b"data")
    router.get("https://api.test/v2/jobs/2/file").respond(
        404, json={"errors": [{"status": 404, "title": "Not Found", "detail": "no file"}]}
    )
    async with AsyncAPIClient(base_url="https://api.test", auth="tok") as client:
        async with client.astream("GET", "/v2/jobs/1/file") as got:
            assert await got.aread() == b"data"
        assert last_request(ok).headers["authorization"] == "Bearer tok"
        with pytest.raises(NotFoundError, match="no file") as caught:
            async with client.astream("GET", "/v2/jobs/2/file"):
                pass
        assert caught.value.body  # the error body was read before raising


def test_stream_retries_before_yielding(router: respx.MockRouter) -> None:
    route = router.get("https://api.test/v2/jobs/1/file").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, content=b"x")]
    )
    slept: list[float] = []
    with (
        SyncAPIClient(
            base_url="https://api.test", _sleep=slept.append, _random=lambda: 0.0
        ) as client,
        client.stream("GET", "/v2/jobs/1/file") as got,
    ):
        assert got.read() == b"x"
    assert route.call_count == 2
    assert slept == [0.5]


def test_raw_content_is_sent_and_resent_on_retry(
    make_api: MakeApi, router: respx.MockRouter
) -> None:
    route = router.put("/v2/files/1").mock(side_effect=[httpx.Response(503), httpx.Response(200)])
    api = make_api()
    api.request(
        "PUT",
        "/v2/files/1",
        content=b"\x00raw",
        headers={"Content-Type": "application/octet-stream"},
    )
    assert [call.request.content for call in route.calls] == [b"\x00raw", b"\x00raw"]
    assert last_request(route).headers["content-type"] == "application/octet-stream"


def test_a_header_set_to_none_is_not_sent(make_api: MakeApi, router: respx.MockRouter) -> None:
    route = router.get("/v2/jobs").respond(200)
    make_api().request("GET", "/v2/jobs", headers={"EP-Channel": None, "X-Kept": "1"})
    headers = last_request(route).headers
    assert "ep-channel" not in headers
    assert headers["x-kept"] == "1"


@respx.mock
def test_an_unauthenticated_stream_sends_no_credentials_from_any_layer(make_api: MakeApi) -> None:
    route = respx.get("https://files.test/a.csv").respond(200, content=b"x")
    api = make_api(
        auth="api-token",
        default_headers={"Authorization": "Bearer from-defaults", "Cookie": "c=1", "X-Keep": "k"},
    )

    def download(client: Any) -> Any:
        if isinstance(client, SyncAPIClient):
            with client.stream(
                "GET",
                "https://files.test/a.csv",
                authenticate=False,
                options={"extra_headers": {"X-Api-Key": "key"}},
            ) as got:
                return got.read()

        async def adownload() -> bytes:
            async with client.astream(
                "GET",
                "https://files.test/a.csv",
                authenticate=False,
                options={"extra_headers": {"X-Api-Key": "key"}},
            ) as got:
                return await got.aread()

        return adownload()

    assert api.run(download) == b"x"
    headers = last_request(route).headers
    for name in ("authorization", "cookie", "x-api-key"):
        assert name not in headers
    assert headers["x-keep"] == "k"


def test_an_authenticated_request_keeps_credentials_from_default_headers(
    make_api: MakeApi, router: respx.MockRouter
) -> None:
    route = router.get("/v2/jobs").respond(200)
    make_api(default_headers={"Authorization": "Bearer own", "Cookie": "c=1"}).request(
        "GET", "/v2/jobs"
    )
    assert last_request(route).headers["authorization"] == "Bearer own"
    assert last_request(route).headers["cookie"] == "c=1"
