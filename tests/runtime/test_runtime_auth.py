"""Static tokens, Elastic Path OAuth grants, token caching, renewal and the 401 replay."""

from __future__ import annotations

import asyncio
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx
from rt_pkg._auth import BearerToken, ClientCredentials, ImplicitGrant
from rt_pkg._base_client import AsyncAPIClient, SyncAPIClient
from rt_pkg._exceptions import AuthenticationError, ResponseValidationError

MakeApi = Callable[..., Any]
BASE = "https://api.test"
CLIENT_ID = "client-id-1"
CLIENT_SECRET = "client-secret-value"


def form_of(request: httpx.Request) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(request.content.decode()))


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class TokenServer:
    """A respx token endpoint handing out tok-1, tok-2, ... with the given expiry fields."""

    def __init__(self, router: respx.MockRouter, **expiry: object) -> None:
        self.issued = 0
        self.expiry = expiry
        self.route = router.post("/oauth/access_token").mock(side_effect=self._issue)

    def _issue(self, request: httpx.Request) -> httpx.Response:
        self.issued += 1
        body = {"access_token": f"tok-{self.issued}", "token_type": "Bearer", **self.expiry}
        return httpx.Response(200, json=body)


def bearer(route: respx.Route, index: int = -1) -> str | None:
    return route.calls[index].request.headers.get("authorization")


# -- static tokens ---------------------------------------------------------------------------------


@pytest.mark.parametrize("auth", ["abc123", BearerToken("abc123"), BearerToken("Bearer abc123 ")])
def test_a_static_token_is_sent_as_is(
    make_api: MakeApi, router: respx.MockRouter, auth: Any
) -> None:
    route = router.get("/v2/jobs").respond(200, json={})
    api = make_api(auth=auth)
    api.request("GET", "/v2/jobs")
    assert bearer(route) == "Bearer abc123"


@pytest.mark.parametrize("token", ["", "   ", "Bearer "])
def test_an_empty_static_token_is_refused(token: str) -> None:
    with pytest.raises(ValueError, match="non-empty"):
        BearerToken(token)


def test_no_auth_sends_no_authorization(make_api: MakeApi, router: respx.MockRouter) -> None:
    route = router.get("/v2/jobs").respond(200)
    make_api().request("GET", "/v2/jobs")
    assert bearer(route) is None


def test_a_caller_given_authorization_header_wins(
    make_api: MakeApi, router: respx.MockRouter
) -> None:
    tokens = TokenServer(router)
    route = router.get("/v2/jobs").respond(200)
    api = make_api(auth=ClientCredentials(CLIENT_ID, CLIENT_SECRET))
    api.request("GET", "/v2/jobs", headers={"Authorization": "Bearer mine"})
    assert bearer(route) == "Bearer mine"
    assert tokens.issued == 0


# -- the grants ------------------------------------------------------------------------------------


def test_client_credentials_posts_the_form_and_uses_the_token(
    make_api: MakeApi, router: respx.MockRouter
) -> None:
    tokens = TokenServer(router, expires_in=3600)
    route = router.get("/v2/jobs").respond(200)
    api = make_api(auth=ClientCredentials(CLIENT_ID, CLIENT_SECRET))
    for _ in range(3):
        api.request("GET", "/v2/jobs")
    assert tokens.issued == 1
    token_request = tokens.route.calls[0].request
    assert token_request.url == f"{BASE}/oauth/access_token"
    assert token_request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "authorization" not in token_request.headers
    assert form_of(token_request) == {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    assert [call.request.headers["authorization"] for call in route.calls] == ["Bearer tok-1"] * 3


def test_implicit_grant_posts_only_the_client_id(
    make_api: MakeApi, router: respx.MockRouter
) -> None:
    tokens = TokenServer(router, expires=int(time.time()) + 3600)
    route = router.get("/v2/jobs").respond(200)
    make_api(auth=ImplicitGrant(CLIENT_ID)).request("GET", "/v2/jobs")
    assert form_of(tokens.route.calls[0].request) == {
        "grant_type": "implicit",
        "client_id": CLIENT_ID,
    }
    assert bearer(route) == "Bearer tok-1"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ClientCredentials("", "s"), "client_id and a client_secret"),
        (lambda: ClientCredentials("id", ""), "client_id and a client_secret"),
        (lambda: ImplicitGrant(""), "client_id"),
        (lambda: ClientCredentials("id", "s", leeway=-1), "leeway"),
    ],
)
def test_grants_refuse_missing_credentials(make: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_a_rejected_token_request_raises_authentication_error_without_calling_the_api(
    make_api: MakeApi, router: respx.MockRouter
) -> None:
    router.post("/oauth/access_token").respond(
        401, json={"errors": [{"status": 401, "title": "Unauthorized", "detail": "bad secret"}]}
    )
    route = router.get("/v2/jobs").respond(200)
    api = make_api(auth=ClientCredentials(CLIENT_ID, CLIENT_SECRET))
    with pytest.raises(AuthenticationError, match="bad secret"):
        api.request("GET", "/v2/jobs")
    assert route.call_count == 0


@pytest.mark.parametrize(
    "body",
    [b'{"token_type": "Bearer", "expires_in": 3600}', b'{"access_token": ""}', b"[]", b"<html>"],
)
def test_a_token_response_without_a_token_is_a_validation_error_that_withholds_the_body(
    make_api: MakeApi, router: respx.MockRouter, body: bytes
) -> None:
    router.post("/oauth/access_token").respond(200, content=body)
    api = make_api(auth=ClientCredentials(CLIENT_ID, CLIENT_SECRET))
    with pytest.raises(ResponseValidationError, match="holds no access_token") as caught:
        api.request("GET", "/v2/jobs")
    assert body.decode() not in caught.value.body
    assert caught.value.status_code == 200


def test_the_token_request_follows_the_post_retry_rule(
    make_api: MakeApi, router: respx.MockRouter
) -> None:
    token = router.post("/oauth/access_token").mock(
        side_effect=[httpx.Response(429), httpx.Response(200, json={"access_token": "t"})]
    )
    router.get("/v2/jobs").respond(200)
    api = make_api(auth=ClientCredentials(CLIENT_ID, CLIENT_SECRET))
    api.request("GET", "/v2/jobs")
    assert token.call_count == 2
    assert api.sleeps == [0.5]


# -- renewal before expiry -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expiry", "still_valid_at", "renewed_at"),
    [
        ({"expires_in": 3600}, 3600 - 61, 3600 - 60),
        ({"expires_in": "3600"}, 3600 - 61, 3600 - 60),
        ({"expires": "<now+600>"}, 600 - 61, 600 - 60),
        ({"expires_in": 3600, "expires": "<now+600>"}, 600 - 61, 600 - 60),  # the earlier wins
        ({"expires_in": 30}, 14, 15),  # leeway capped at half the lifetime
        ({"expires_in": 0}, None, 0),
    ],
)
def test_the_token_is_renewed_a_leeway_before_it_expires(
    make_api: MakeApi,
    router: respx.MockRouter,
    expiry: dict[str, object],
    still_valid_at: float | None,
    renewed_at: float,
) -> None:
    clock = FakeClock()
    start = clock.now
    expiry = {k: start + 600 if v == "<now+600>" else v for k, v in expiry.items()}
    tokens = TokenServer(router, **expiry)
    route = router.get("/v2/jobs").respond(200)
    api = make_api(auth=ClientCredentials(CLIENT_ID, CLIENT_SECRET, _clock=clock))
    api.request("GET", "/v2/jobs")
    assert tokens.issued == 1
    if still_valid_at is not None:
        clock.now = start + still_valid_at
        api.request("GET", "/v2/jobs")
        assert tokens.issued == 1
    clock.now = start + renewed_at
    api.request("GET", "/v2/jobs")
    assert tokens.issued == 2
    assert bearer(route) == "Bearer tok-2"


def test_a_token_without_expiry_is_kept_until_rejected(
    make_api: MakeApi, router: respx.MockRouter
) -> None:
    clock = FakeClock()
    tokens = TokenServer(router)
    router.get("/v2/jobs").respond(200)
    api = make_api(auth=ClientCredentials(CLIENT_ID, CLIENT_SECRET, _clock=clock))
    api.request("GET", "/v2/jobs")
    clock.now += 10 * 365 * 86400
    api.request("GET", "/v2/jobs")
    assert tokens.issued == 1


# -- the 401 replay --------------------------------------------------------------------------------


def test_a_401_renews_the_token_and_replays_once(
    make_api: MakeApi, router: respx.MockRouter
) -> None:
    tokens = TokenServer(router, expires_in=3600)
    route = router.post("/v2/jobs").mock(
        side_effect=lambda request: httpx.Response(
            401 if request.headers["authorization"] == "Bearer tok-1" else 201, json={}
        )
    )
    api = make_api(auth=ClientCredentials(CLIENT_ID, CLIENT_SECRET))
    response = api.request("POST", "/v2/jobs", json={"data": {}})
    assert response.status_code == 201
    assert tokens.issued == 2
    assert [bearer(route, i) for i in range(2)] == ["Bearer tok-1", "Bearer tok-2"]
    assert route.calls[1].request.content == route.calls[0].request.content
    assert api.sleeps == []  # a replay is not a retry: no backoff


def test_a_second_401_raises_without_another_replay(
    make_api: MakeApi, router: respx.MockRouter
) -> None:
    tokens = TokenServer(router, expires_in=3600)
    route = router.get("/v2/jobs").respond(
        401, json={"errors": [{"status": 401, "title": "Unauthorized"}]}
    )
    api = make_api(auth=ClientCredentials(CLIENT_ID, CLIENT_SECRET))
    with pytest.raises(AuthenticationError) as caught:
        api.request("GET", "/v2/jobs")
    assert route.call_count == 2
    assert tokens.issued == 2
    assert caught.value.status_code == 401


def test_the_replay_and_retries_are_counted_apart(
    make_api: MakeApi, router: respx.MockRouter
) -> None:
    tokens = TokenServer(router)
    route = router.get("/v2/jobs").mock(
        side_effect=[
            httpx.Response(503),
            httpx.Response(401),
            httpx.Response(503),
            httpx.Response(200),
        ]
    )
    api = make_api(auth=ClientCredentials(CLIENT_ID, CLIENT_SECRET))
    assert api.request("GET", "/v2/jobs").status_code == 200
    assert route.call_count == 4
    assert api.sleeps == [0.5, 1.0]
    assert tokens.issued == 2


def test_copies_share_the_token_cache(make_api: MakeApi, router: respx.MockRouter) -> None:
    tokens = TokenServer(router)
    router.get("/v2/jobs").respond(200)
    api = make_api(auth=ClientCredentials(CLIENT_ID, CLIENT_SECRET))
    api.request("GET", "/v2/jobs")
    copy = api.client.with_options(timeout=5)
    api.run(lambda _: copy.request("GET", "/v2/jobs"))
    assert tokens.issued == 1


# -- one renewal at a time -------------------------------------------------------------------------


class CountingHandler:
    """A MockTransport handler: tok-1, tok-2, ... from the token endpoint (slowly, to let the
    callers pile up), and 401 for tokens listed in `rejected`."""

    def __init__(self, rejected: frozenset[str] = frozenset()) -> None:
        self.issued = 0
        self.lock = threading.Lock()
        self.rejected = rejected
        self.seen: list[str] = []

    def _token(self) -> httpx.Response:
        with self.lock:
            self.issued += 1
            number = self.issued
        return httpx.Response(200, json={"access_token": f"tok-{number}", "expires_in": 3600})

    def _api(self, request: httpx.Request) -> httpx.Response:
        token = request.headers["authorization"].removeprefix("Bearer ")
        with self.lock:
            self.seen.append(token)
        return httpx.Response(401 if token in self.rejected else 200, json={})

    def sync(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/access_token":
            time.sleep(0.05)  # widen the window in which the other threads ask for a token
            return self._token()
        return self._api(request)

    async def async_(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/access_token":
            await asyncio.sleep(0.01)  # let the other tasks run into the lock
            return self._token()
        return self._api(request)


def run_threads(client: SyncAPIClient, count: int) -> list[int]:
    barrier = threading.Barrier(count)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def call() -> None:
        try:
            barrier.wait(timeout=5)
            statuses.append(client.request("GET", "/v2/jobs").status_code)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=call) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not errors, errors
    return statuses


@pytest.mark.parametrize(
    "rejected", [frozenset(), frozenset({"tok-1"})], ids=["fresh", "after 401"]
)
def test_twenty_threads_share_one_token_request(rejected: frozenset[str]) -> None:
    handler = CountingHandler(rejected)
    http = httpx.Client(transport=httpx.MockTransport(handler.sync))
    client = SyncAPIClient(
        base_url=BASE, auth=ClientCredentials(CLIENT_ID, CLIENT_SECRET), http_client=http
    )
    assert run_threads(client, 20) == [200] * 20
    # One token for all; after a 401 on tok-1, exactly one more.
    assert handler.issued == 1 + len(rejected)
    assert set(handler.seen) == {"tok-1", *(("tok-2",) if rejected else ())}


@pytest.mark.parametrize(
    "rejected", [frozenset(), frozenset({"tok-1"})], ids=["fresh", "after 401"]
)
async def test_twenty_tasks_share_one_token_request(rejected: frozenset[str]) -> None:
    handler = CountingHandler(rejected)
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler.async_))
    client = AsyncAPIClient(
        base_url=BASE, auth=ClientCredentials(CLIENT_ID, CLIENT_SECRET), http_client=http
    )
    responses = await asyncio.gather(*(client.request("GET", "/v2/jobs") for _ in range(20)))
    assert [r.status_code for r in responses] == [200] * 20
    assert handler.issued == 1 + len(rejected)
    await http.aclose()


def test_one_grant_serves_clients_on_several_event_loops() -> None:
    """An asyncio.Lock belongs to one loop; the grant makes one per loop rather than failing."""
    clock = FakeClock()
    handler = CountingHandler()
    auth = ClientCredentials(CLIENT_ID, CLIENT_SECRET, _clock=clock)

    async def call() -> int:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler.async_))
        async with http:
            client = AsyncAPIClient(base_url=BASE, auth=auth, http_client=http)
            return (await client.request("GET", "/v2/jobs")).status_code

    assert asyncio.run(call()) == 200
    clock.now += 7200  # expired: the second loop must renew, under its own lock
    assert asyncio.run(call()) == 200
    assert handler.issued == 2


def test_a_late_401_for_an_old_token_does_not_drop_the_new_one() -> None:
    """Of many requests rejected with one old token, only the first renewal may happen."""
    issued: list[str] = []

    def fetch(form: object) -> httpx.Response:
        issued.append(f"tok-{len(issued) + 1}")
        request = httpx.Request("POST", f"{BASE}/oauth/access_token")
        return httpx.Response(200, json={"access_token": issued[-1]}, request=request)

    auth = ClientCredentials(CLIENT_ID, CLIENT_SECRET)
    assert auth.get_token(fetch) == "tok-1"
    auth.invalidate("tok-1")
    assert auth.get_token(fetch) == "tok-2"
    auth.invalidate("tok-1")  # a request that left with tok-1 comes back 401 only now
    assert auth.get_token(fetch) == "tok-2"
    assert issued == ["tok-1", "tok-2"]
