"""Credentials: a static bearer token, or an Elastic Path OAuth grant with a cached, renewed token.

An `Auth` hands the client a token for each request. For the OAuth grants that means one
`POST {base_url}/oauth/access_token` (form-encoded), made through the client itself, so it gets the
same transport, timeouts, retries and error mapping as any other request. The token is renewed
before it expires, and after the API rejects it with a 401. Concurrent callers share one renewal:
threads wait on a `threading.Lock`, asyncio tasks on an `asyncio.Lock` (one per event loop, made on
first use there, because an asyncio lock belongs to the loop that first waits on it).

Secrets are held in `_Secret` boxes that print as `REDACTED`, so no repr, log line or traceback
shows them.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import ClassVar, Final

import httpx

from ._constants import TOKEN_REFRESH_LEEWAY
from ._exceptions import ResponseValidationError
from ._logging import REDACTED, logger

__all__ = [
    "AsyncTokenFetcher",
    "Auth",
    "BearerToken",
    "ClientCredentials",
    "ImplicitGrant",
    "TokenFetcher",
]

#: Sends the token request (form fields) and returns the successful response; raises on errors.
TokenFetcher = Callable[[Mapping[str, str]], httpx.Response]
AsyncTokenFetcher = Callable[[Mapping[str, str]], Awaitable[httpx.Response]]


class _Secret:
    """A string that never shows itself: `repr` and `str` give `REDACTED`, `reveal()` the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return REDACTED

    __str__ = __repr__


class Auth:
    """How a client authenticates. Subclass it for other schemes.

    `get_token`/`aget_token` return the bearer token for the next request (fetching one with
    `fetch` when needed); `invalidate` is called with a token the API rejected with a 401. When
    `refreshable` is true, the client then asks for a new token and replays the request once.
    """

    refreshable: bool = False

    def get_token(self, fetch: TokenFetcher) -> str:
        raise NotImplementedError

    async def aget_token(self, fetch: AsyncTokenFetcher) -> str:
        raise NotImplementedError

    def invalidate(self, token: str) -> None:
        """Forget `token` if it is still the current one (no-op for static tokens)."""


class BearerToken(Auth):
    """A token you already have (for example from your own token service); never refreshed."""

    def __init__(self, token: str) -> None:
        # Accept a pasted "Bearer abc" as well as "abc": the client adds the scheme itself.
        scheme, _, rest = token.strip().partition(" ")
        token = rest.strip() if scheme.lower() == "bearer" else token.strip()
        if not token:
            raise ValueError("BearerToken needs a non-empty token")
        self._token = _Secret(token)

    def get_token(self, fetch: TokenFetcher) -> str:
        return self._token.reveal()

    async def aget_token(self, fetch: AsyncTokenFetcher) -> str:
        return self._token.reveal()

    def __repr__(self) -> str:
        return f"BearerToken({REDACTED})"


@dataclass(frozen=True)
class _Token:
    value: _Secret
    #: Wall-clock time (epoch seconds) from which the token is no longer used; None: until a 401.
    renew_at: float | None


class _OAuthGrant(Auth):
    """An OAuth grant (`/oauth/access_token`): the token is cached and renewed one at a time."""

    refreshable = True
    grant_type: ClassVar[str]

    def __init__(self, *, leeway: float, clock: Callable[[], float]) -> None:
        if not leeway >= 0:
            raise ValueError(f"leeway must be >= 0 seconds, got {leeway}")
        self._leeway = leeway
        self._clock = clock
        self._token: _Token | None = None
        self._thread_lock = threading.Lock()
        self._loop_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self._loop_locks_guard = threading.Lock()

    def _form(self) -> dict[str, str]:
        """The token request's form fields."""
        raise NotImplementedError

    def get_token(self, fetch: TokenFetcher) -> str:
        current = self._current()
        if current is not None:
            return current
        with self._thread_lock:
            # Whoever held the lock before us may have renewed the token already.
            current = self._current()
            if current is not None:
                return current
            logger.debug("Requesting an access token (grant_type=%s)", self.grant_type)
            return self._store(fetch(self._form()))

    async def aget_token(self, fetch: AsyncTokenFetcher) -> str:
        current = self._current()
        if current is not None:
            return current
        async with self._loop_lock():
            current = self._current()
            if current is not None:
                return current
            logger.debug("Requesting an access token (grant_type=%s)", self.grant_type)
            return self._store(await fetch(self._form()))

    def invalidate(self, token: str) -> None:
        # Compare first: of many requests rejected with the same old token, only the first one
        # drops it; the others must not drop the fresh token that the first one caused.
        cached = self._token
        if cached is not None and cached.value.reveal() == token:
            self._token = None

    def _current(self) -> str | None:
        cached = self._token
        if cached is None:
            return None
        if cached.renew_at is not None and self._clock() >= cached.renew_at:
            return None
        return cached.value.reveal()

    def _loop_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        with self._loop_locks_guard:
            lock = self._loop_locks.get(loop)
            if lock is None:
                lock = self._loop_locks[loop] = asyncio.Lock()
            return lock

    def _store(self, response: httpx.Response) -> str:
        token = _parse_token(response, now=self._clock(), leeway=self._leeway)
        self._token = token
        return token.value.reveal()


class ClientCredentials(_OAuthGrant):
    """Elastic Path client credentials (`grant_type=client_credentials`): server-side access."""

    grant_type = "client_credentials"

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        leeway: float = TOKEN_REFRESH_LEEWAY,
        _clock: Callable[[], float] = time.time,
    ) -> None:
        if not client_id or not client_secret:
            raise ValueError("ClientCredentials needs a client_id and a client_secret")
        super().__init__(leeway=leeway, clock=_clock)
        self.client_id = client_id
        self._client_secret = _Secret(client_secret)

    def _form(self) -> dict[str, str]:
        return {
            "grant_type": self.grant_type,
            "client_id": self.client_id,
            "client_secret": self._client_secret.reveal(),
        }

    def __repr__(self) -> str:
        return f"ClientCredentials(client_id={self.client_id!r}, client_secret={REDACTED})"


class ImplicitGrant(_OAuthGrant):
    """Elastic Path implicit grant (`grant_type=implicit`): shopper access with a client id."""

    grant_type = "implicit"

    def __init__(
        self,
        client_id: str,
        *,
        leeway: float = TOKEN_REFRESH_LEEWAY,
        _clock: Callable[[], float] = time.time,
    ) -> None:
        if not client_id:
            raise ValueError("ImplicitGrant needs a client_id")
        super().__init__(leeway=leeway, clock=_clock)
        self.client_id = client_id

    def _form(self) -> dict[str, str]:
        return {"grant_type": self.grant_type, "client_id": self.client_id}

    def __repr__(self) -> str:
        return f"ImplicitGrant(client_id={self.client_id!r})"


# -- the token response ----------------------------------------------------------------------------

# The token response holds the token itself: errors about it must not quote it.
_WITHHELD_BODY: Final = f"{REDACTED} (token response body withheld)"


def _parse_token(response: httpx.Response, *, now: float, leeway: float) -> _Token:
    """The token of a successful `/oauth/access_token` response and when to renew it.

    Elastic Path sends `expires_in` (seconds from now) and `expires` (epoch seconds); the earlier
    of the two wins. The leeway is capped at half the token's lifetime so that a short-lived token
    is still used for a while. Without either field the token is kept until the API rejects it.
    """
    try:
        decoded = response.json()
    except ValueError:
        decoded = None
    payload: Mapping[str, object] = decoded if isinstance(decoded, Mapping) else {}
    token = payload.get("access_token")
    if not isinstance(token, str) or not token.strip():
        raise ResponseValidationError(
            f"the token response ({response.status_code}) holds no access_token",
            response=response,
            body=_WITHHELD_BODY,
        )
    candidates = (_seconds(payload.get("expires_in"), base=now), _seconds(payload.get("expires")))
    expiries = [when for when in candidates if when is not None]
    if not expiries:
        return _Token(_Secret(token.strip()), renew_at=None)
    expires_at = min(expiries)
    lifetime = max(expires_at - now, 0.0)
    return _Token(_Secret(token.strip()), renew_at=expires_at - min(leeway, lifetime / 2))


def _seconds(value: object, *, base: float = 0.0) -> float | None:
    """`base + value` for a finite number or numeric string; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, int | float) and math.isfinite(value):
        return base + float(value)
    return None
