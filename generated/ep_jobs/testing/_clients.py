"""Ready-made clients wired to the fake (in memory or on its sockets), sleeping on its virtual clock
when asked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from .._auth import Auth
from ._state import VirtualClock

if TYPE_CHECKING:  # generated modules, imported lazily at run time (see `sync_client`)
    from .._client import AsyncClient, Client


def sync_client(
    base_url: str,
    *,
    transport: httpx.BaseTransport | None,
    auth: Auth | str | None,
    virtual_time: bool,
    options: Mapping[str, Any],
    token: str | None,
    clock: VirtualClock,
) -> Client:
    """A `Client` on `base_url` (through `transport` when given) that owns its HTTP client; `auth`
    defaults to `token`. With `virtual_time` its retries and job polls sleep on `clock`."""
    from .. import _client

    http_client = None
    if transport is not None:
        http_client = httpx.Client(transport=transport, follow_redirects=True)
    client = _client.Client(
        auth=_auth(auth, token), base_url=base_url, http_client=http_client, **options
    )
    client._owns_http_client = True
    if virtual_time:
        client._sleep = clock.sleep
        # The same kind of facade (the generated one has the typed accessors), on the clock.
        client.jobs = type(client.jobs)(
            client, client.jobs.profiles, clock=clock.now, sleep=clock.sleep
        )
    return client


def async_client(
    base_url: str,
    *,
    transport: httpx.AsyncBaseTransport | None,
    auth: Auth | str | None,
    virtual_time: bool,
    options: Mapping[str, Any],
    token: str | None,
    clock: VirtualClock,
) -> AsyncClient:
    """An `AsyncClient`; see `sync_client`."""
    from .. import _client

    http_client = None
    if transport is not None:
        http_client = httpx.AsyncClient(transport=transport, follow_redirects=True)
    client = _client.AsyncClient(
        auth=_auth(auth, token), base_url=base_url, http_client=http_client, **options
    )
    client._owns_http_client = True
    if virtual_time:
        client._sleep = clock.asleep
        client.jobs = type(client.jobs)(
            client, client.jobs.profiles, clock=clock.now, sleep=clock.asleep
        )
    return client


def _auth(auth: Auth | str | None, token: str | None) -> Auth | str:
    if auth is not None:
        return auth
    return token if token is not None else "fake-token"
