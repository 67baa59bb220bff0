"""The HTTP core of every generated client: URLs, headers, auth, timeouts, retries, errors, logging.

`SyncAPIClient` and `AsyncAPIClient` differ only in I/O; everything they decide is decided once,
here: `_BaseClient._plan` turns a call into a `_RequestPlan` (URL, query, headers, body, timeout,
retry budget), and `_Attempts` judges each attempt's outcome (deliver the response, retry after a
delay, renew the token and replay, or raise a typed error). The two send loops only send, read,
sleep and fetch tokens.

Retry rules (each retry waits `retry_delay`, and is logged at INFO):

- any method: 408, 429, and failures where the request never left (`ConnectError`, `ConnectTimeout`,
  `PoolTimeout`), since nothing can have happened on the server;
- GET, HEAD, PUT, DELETE, OPTIONS also: 5xx and every other transport error or timeout, since
  repeating them is harmless;
- POST and PATCH never after the request may have reached the server: repeating one could create a
  second job.

A 401 on a request authenticated by a refreshable grant renews the token and replays the request
once; that replay does not count as a retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime
import email.utils
import functools
import logging
import math
import random
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType, TracebackType
from typing import TYPE_CHECKING, Any, Final, NamedTuple, Self, TypedDict, TypeVar, cast

import httpx
import pydantic

from ._auth import Auth, BearerToken
from ._constants import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    INITIAL_RETRY_DELAY,
    MAX_RETRY_AFTER,
    MAX_RETRY_DELAY,
    REQUEST_ID_HEADER,
    RETRY_JITTER,
    TOKEN_PATH,
    USER_AGENT,
)
from ._exceptions import APIError, connection_error, make_status_error
from ._logging import CREDENTIAL_HEADERS, logger, redact_headers, redact_url, setup_logging
from ._response import (
    APIResponse,
    AsyncStreamedResponse,
    StreamedResponse,
    pick_adapter,
    validation_error,
)
from ._serialize import PartFile, form_pairs, pct, read_content

if TYPE_CHECKING:
    from ._operation import Operation, PreparedRequest

T = TypeVar("T")

__all__ = ["NOT_GIVEN", "AsyncAPIClient", "RequestOptions", "SyncAPIClient"]


class RequestOptions(TypedDict, total=False):
    """Per-call overrides of the client's defaults."""

    #: Seconds (all phases) or an `httpx.Timeout`; None waits forever.
    timeout: float | httpx.Timeout | None
    max_retries: int
    #: Added to (and overriding) the client's and the operation's headers.
    extra_headers: Mapping[str, str]
    #: Added to (and overriding) the operation's query parameters.
    extra_query: Mapping[str, object]


_OPTION_KEYS: Final = RequestOptions.__optional_keys__ | RequestOptions.__required_keys__


class _NotGiven:
    """The default of `with_options` arguments for which None is a meaningful value."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = _NotGiven()


# -- retry decisions -------------------------------------------------------------------------------

_IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
_RETRY_STATUSES_ANY_METHOD: Final = frozenset({408, 429})
# The request never left the client, so even a POST can be repeated safely.
_NOT_SENT_ERRORS: Final = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Mistakes in the request itself: repeating it cannot help.
_PERMANENT_ERRORS: Final = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)


def should_retry_status(method: str, status: int) -> bool:
    """Whether a response with `status` to a `method` request is worth another attempt."""
    if status in _RETRY_STATUSES_ANY_METHOD:
        return True
    return status >= 500 and method.upper() in _IDEMPOTENT_METHODS


def should_retry_error(method: str, error: Exception) -> bool:
    """Whether a `method` request that failed with transport `error` is worth another attempt."""
    if isinstance(error, _NOT_SENT_ERRORS):
        return True
    if isinstance(error, _PERMANENT_ERRORS) or not isinstance(error, httpx.TransportError):
        return False
    return method.upper() in _IDEMPOTENT_METHODS


def retry_after_seconds(headers: httpx.Headers, *, now: float) -> float | None:
    """The wait the server asked for: `retry-after-ms`, else `Retry-After` (seconds or a date)."""
    millis = _finite(headers.get("retry-after-ms"))
    if millis is not None:
        return millis / 1000
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    seconds = _finite(value)
    if seconds is not None:
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return when.timestamp() - now


def retry_delay(
    retries_done: int, headers: httpx.Headers | None, *, rand: Callable[[], float], now: float
) -> float:
    """Seconds to wait before retry number `retries_done + 1`.

    The server's own `Retry-After`/`retry-after-ms` when it gives one between 0 and
    `MAX_RETRY_AFTER` seconds; otherwise `min(0.5 * 2**n, 8) * (1 - 0.25 * rand())`.
    """
    if headers is not None:
        asked = retry_after_seconds(headers, now=now)
        if asked is not None and 0 <= asked <= MAX_RETRY_AFTER:
            return asked
    # The exponent is capped so a huge max_retries cannot overflow the float.
    backoff = min(INITIAL_RETRY_DELAY * 2.0 ** min(retries_done, 32), MAX_RETRY_DELAY)
    return backoff * (1 - RETRY_JITTER * rand())


def _finite(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


# -- one logical request ---------------------------------------------------------------------------


class _RequestPlan(NamedTuple):
    """Everything needed to send (and resend) one call; only Authorization is added per attempt.

    A NamedTuple rather than a frozen dataclass: as immutable, and cheaper to make on every call.
    """

    method: str
    #: The URL with its query, percent-encoded.
    url: str
    #: The headers to send, one entry per name (names compared case-insensitively).
    headers: dict[str, str]
    #: Whether `headers` carries an Authorization header (set by the caller: then no token is added).
    has_authorization: bool
    json: object | None
    data: Mapping[str, object] | None
    files: Mapping[str, object] | list[tuple[str, PartFile]] | None
    content: bytes | str | None
    timeout: httpx.Timeout
    max_retries: int
    authenticate: bool
    #: The operation whose documented error models `APIStatusError.parsed` is read with.
    operation: Operation[Any] | None


@dataclass(frozen=True)
class _Retry:
    delay: float


@dataclass(frozen=True)
class _Reauthenticate:
    pass


@dataclass(frozen=True)
class _Fail:
    error: APIError


_Next = _Retry | _Reauthenticate | _Fail


class _Attempts:
    """The decisions about the attempts of one call, shared by the sync and async send loops."""

    def __init__(self, plan: _RequestPlan, *, refreshable: bool, rand: Callable[[], float]) -> None:
        self._plan = plan
        self._refreshable = refreshable
        self._rand = rand
        self._retries_done = 0
        self._reauthenticated = False

    def after_response(self, response: httpx.Response) -> _Next | None:
        """None when `response` is the answer; else what to do next (its body has been read)."""
        _log_response(response)
        status = response.status_code
        if status < 400:
            return None
        if status == 401 and self._refreshable and not self._reauthenticated:
            self._reauthenticated = True
            logger.info(
                "%s %s: access token rejected (401); renewing it and replaying the request once",
                response.request.method,
                redact_url(response.request.url),
            )
            return _Reauthenticate()
        if self._can_retry() and should_retry_status(self._plan.method, status):
            reason = f"{status} {response.reason_phrase}".strip()
            return self._retry(response.request, reason, response.headers)
        operation = self._plan.operation
        parsed = None if operation is None else operation.parse_error(response)
        return _Fail(make_status_error(response, parsed=parsed))

    def after_error(self, request: httpx.Request, error: httpx.RequestError) -> _Next:
        """What to do after the attempt failed without a response."""
        if self._can_retry() and should_retry_error(self._plan.method, error):
            return self._retry(request, type(error).__name__, None)
        return _Fail(connection_error(request, error))

    def _can_retry(self) -> bool:
        return self._retries_done < self._plan.max_retries

    def _retry(self, request: httpx.Request, reason: str, headers: httpx.Headers | None) -> _Retry:
        delay = retry_delay(self._retries_done, headers, rand=self._rand, now=time.time())
        self._retries_done += 1
        logger.info(
            "Retrying %s %s in %.2f s (retry %d of %d) after %s",
            request.method,
            redact_url(request.url),
            delay,
            self._retries_done,
            self._plan.max_retries,
            reason,
        )
        return _Retry(delay)


def _log_request(request: httpx.Request) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "Request: %s %s headers=%s",
            request.method,
            redact_url(request.url),
            redact_headers(request.headers),
        )


def _log_response(response: httpx.Response) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "Response: %s %s -> %d %s request_id=%s headers=%s",
            response.request.method,
            redact_url(response.request.url),
            response.status_code,
            response.reason_phrase,
            response.headers.get(REQUEST_ID_HEADER),
            redact_headers(response.headers),
        )


# -- building requests -----------------------------------------------------------------------------

_PATH_PARAM: Final = re.compile(r"\{([^{}/]+)\}")


def _normalize_base_url(base_url: str | httpx.URL) -> httpx.URL:
    """`base_url` with exactly one trailing slash (as httpx does), so paths append cleanly."""
    url = httpx.URL(str(base_url).strip())
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"base_url must be an absolute http(s) URL, got {redact_url(url)!r}")
    return url.copy_with(path=url.path.rstrip("/") + "/")


def _join_url(base: str, path: str) -> str:
    """`path` under the base URL `base` (without its trailing slash); an absolute URL (a download
    link, say) is taken as it is."""
    # A path with one leading slash (every generated operation's) cannot be an absolute URL, so
    # only other strings pay for parsing; httpx parses the joined URL once more anyway.
    if (path[:1] != "/" or path[:2] == "//") and httpx.URL(path).is_absolute_url:
        return path
    return base + "/" + path.lstrip("/")


@functools.lru_cache(maxsize=512)
def _path_template(path: str) -> tuple[str, ...]:
    """`path` split at its `{name}` placeholders: literal, name, literal, ..., name, literal."""
    return tuple(_PATH_PARAM.split(path))


def _expand_path(path: str, path_params: Mapping[str, str]) -> str:
    """`path` with each `{name}` replaced by its percent-encoded value."""
    parts = _path_template(path)  # operations' paths are few: split once each, not per request
    expanded = [parts[0]]
    for index in range(1, len(parts), 2):
        name = parts[index]
        if name not in path_params:
            raise ValueError(f"path {path!r} needs the path parameter {name!r}")
        value = str(path_params[name])
        # An empty or dot segment would silently address another resource (`/v2/jobs/` is the list).
        if value in ("", ".", ".."):
            raise ValueError(f"path parameter {name!r} must not be {value!r}")
        expanded.append(pct(value))
        expanded.append(parts[index + 1])
    return "".join(expanded)


def _encode_query(params: Mapping[str, object]) -> list[tuple[str, str]]:
    """Percent-encoded query pairs of `request(params=...)` and `extra_query`: None and empty
    lists dropped, bools as true/false, lists repeated, mappings and models as `key[sub]`."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None or (isinstance(value, list | tuple) and not value):
            continue
        pairs += form_pairs(key, value, style="deepObject")
    return pairs


def _with_query(url: str, query: list[tuple[str, str]]) -> str:
    if not query:
        return url
    return url + ("&" if "?" in url else "?") + "&".join(f"{key}={text}" for key, text in query)


def _override_query(
    pairs: list[tuple[str, str]], overrides: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    replaced = {key for key, _ in overrides}
    return [pair for pair in pairs if pair[0] not in replaced] + overrides


#: The headers every request carries unless a layer overrides them: lower-case name -> (name, value).
#: Never changed (a plain dict, as copying a dict is cheaper than copying a read-only proxy).
_DEFAULT_HEADERS: Final[dict[str, tuple[str, str]]] = {
    "accept": ("Accept", "application/json"),
    "user-agent": ("User-Agent", USER_AGENT),
}
_NO_HEADERS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType({})
_NO_ARGS: Final[Mapping[str, object]] = MappingProxyType({})


def _merge_headers(
    *layers: Mapping[str, str] | Mapping[str, str | None] | None, credentials: bool
) -> dict[str, tuple[str, str]]:
    """The defaults, then each layer over the last (a None value is not sent), one entry per name
    (lower-case name -> (name, value): names compare case-insensitively, the last layer's spelling is
    kept). Without `credentials` (a request that must not be authenticated, such as a pre-signed
    download or the token request), no credential header of any layer is sent either."""
    merged = _DEFAULT_HEADERS.copy()
    for layer in layers:
        if not layer:
            continue
        for name, value in layer.items():
            if value is None:
                continue
            lower = name.lower()
            if credentials or lower not in CREDENTIAL_HEADERS:
                merged[lower] = (name, value)
    return merged


def _pool_default_headers() -> dict[str, str]:
    return dict(_DEFAULT_HEADERS.values())


def _buffer_files(files: Mapping[str, object] | None) -> dict[str, object] | None:
    """Multipart files with open files read into bytes (a retry must be able to send them again,
    and httpx's async client cannot read a plain, blocking, file); unset (None) files left out."""
    if files is None:
        return None
    return {name: _buffer_file(value) for name, value in files.items() if value is not None}


def _buffer_file(value: object) -> object:
    if isinstance(value, tuple):  # (filename, content[, content_type[, headers]])
        return tuple(_read_content(part) if i == 1 else part for i, part in enumerate(value))
    return _read_content(value)


def _read_content(value: object) -> object:
    return read_content(value) if callable(getattr(value, "read", None)) else value  # type: ignore[arg-type]


def _as_timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout:
    if isinstance(timeout, httpx.Timeout):
        return timeout
    return httpx.Timeout(None if timeout is None else float(timeout))


def _check_retries(max_retries: object) -> int:
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError(f"max_retries must be an int >= 0, got {max_retries!r}")
    return max_retries


def _check_options(options: RequestOptions | None) -> RequestOptions:
    if options is None:
        return {}
    unknown = set(options) - _OPTION_KEYS
    if unknown:
        raise TypeError(
            f"unknown request option(s) {sorted(unknown)}; known: {sorted(_OPTION_KEYS)}"
        )
    return options


def _as_auth(auth: Auth | str | None) -> Auth | None:
    return BearerToken(auth) if isinstance(auth, str) else auth


# -- the clients -----------------------------------------------------------------------------------


class _BaseClient:
    """What both clients share: configuration, request planning, response parsing, copies."""

    _owns_http_client: bool
    #: Headers the httpx client sends on its own (lower-case name -> (name, value)): the defaults
    #: when this package made the client, so they are not merged into every request again (httpx
    #: merges per-request headers over the client's own at some cost); none for a client you pass.
    _pool_headers: Mapping[str, tuple[str, str]] = _NO_HEADERS

    def __init__(
        self,
        *,
        base_url: str | httpx.URL,
        auth: Auth | str | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        rand: Callable[[], float],
    ) -> None:
        setup_logging()
        self._set_base_url(base_url)
        self.auth = _as_auth(auth)
        self.timeout = _as_timeout(timeout)
        self.max_retries = _check_retries(max_retries)
        self._default_headers = dict(default_headers or {})
        self._random = rand

    @property
    def base_url(self) -> httpx.URL:
        """The API's base URL, with one trailing slash."""
        return self._base_url

    def _set_base_url(self, base_url: str | httpx.URL) -> None:
        self._base_url = _normalize_base_url(base_url)
        # What paths are appended to, computed once rather than on every request.
        self._base_prefix = str(self._base_url).rstrip("/")

    @property
    def default_headers(self) -> dict[str, str]:
        """Headers sent with every request (besides Accept, User-Agent and Authorization)."""
        return dict(self._default_headers)

    def with_options(
        self,
        *,
        base_url: str | httpx.URL | None = None,
        auth: Auth | str | _NotGiven | None = NOT_GIVEN,
        timeout: float | httpx.Timeout | _NotGiven | None = NOT_GIVEN,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
    ) -> Self:
        """A copy with some defaults changed, sharing this client's connection pool (and token
        cache, unless `auth` is replaced). `default_headers` are merged over the current ones.

        The copy never closes the shared pool; close the original when done. Subclasses holding
        objects bound to the client rebuild them in `_post_copy`.
        """
        clone = copy.copy(self)
        clone._owns_http_client = False
        if base_url is not None:
            clone._set_base_url(base_url)
        if not isinstance(auth, _NotGiven):
            clone.auth = _as_auth(auth)
        if not isinstance(timeout, _NotGiven):
            clone.timeout = _as_timeout(timeout)
        if max_retries is not None:
            clone.max_retries = _check_retries(max_retries)
        if default_headers is not None:
            clone._default_headers = {**self._default_headers, **default_headers}
        clone._post_copy()
        return clone

    def _post_copy(self) -> None:
        """Called on the copy `with_options` returns, before it is returned; a no-op here."""

    def parse(
        self, response: httpx.Response, adapters: Mapping[int | str, pydantic.TypeAdapter[Any]]
    ) -> APIResponse[Any]:
        """Validate `response`'s body with the adapter documented for its status.

        Picks the adapter by exact status, then `"2XX"`-style range, then `"default"`; with none,
        `parsed` is None. Raises `ResponseValidationError` (status, request id and raw text kept)
        for malformed JSON, an empty body, or a body that does not match the schema.
        """
        adapter = pick_adapter(response.status_code, adapters)
        if adapter is None:
            return APIResponse(http_response=response, parsed=None)
        try:
            parsed = adapter.validate_json(response.content)
        except pydantic.ValidationError as error:
            raise validation_error(response, error) from error
        return APIResponse(http_response=response, parsed=parsed)

    def _plan(
        self,
        method: str,
        path: str,
        *,
        path_params: Mapping[str, str] | None = None,
        params: Mapping[str, object] | None = None,
        headers: Mapping[str, str | None] | None = None,
        json: object | None = None,
        data: Mapping[str, object] | None = None,
        files: Mapping[str, object] | None = None,
        content: bytes | str | None = None,
        options: RequestOptions | None = None,
        authenticate: bool = True,
    ) -> _RequestPlan:
        if path_params is not None:
            path = _expand_path(path, path_params)
        return self._make_plan(
            method,
            path,
            _encode_query(params) if params else [],
            headers,
            options,
            authenticate=authenticate,
            json=json,
            data=None if data is None else {k: v for k, v in data.items() if v is not None},
            files=_buffer_files(files),
            content=content,
        )

    def _call_plan(
        self, operation: Operation[Any], prepared: PreparedRequest, options: RequestOptions | None
    ) -> _RequestPlan:
        headers = prepared.headers
        if "Cookie" in headers:
            # One Cookie header carries every cookie: the client's own, then the operation's.
            for name, value in self._default_headers.items():
                if name.lower() == "cookie":
                    headers["Cookie"] = f"{value}; {headers['Cookie']}"
        return self._make_plan(
            operation.method,
            prepared.path,
            prepared.query,
            headers,
            options,
            content=prepared.content,
            files=prepared.files,
            operation=operation,
        )

    def _make_plan(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: Mapping[str, str | None] | None,
        options: RequestOptions | None,
        *,
        authenticate: bool = True,
        json: object | None = None,
        data: Mapping[str, object] | None = None,
        files: Mapping[str, object] | list[tuple[str, PartFile]] | None = None,
        content: bytes | str | None = None,
        operation: Operation[Any] | None = None,
    ) -> _RequestPlan:
        opts = _check_options(options)
        extra_query = opts.get("extra_query")
        if extra_query:
            query = _override_query(query, _encode_query(extra_query))
        merged = _merge_headers(
            self._default_headers, headers, opts.get("extra_headers"), credentials=authenticate
        )
        return _RequestPlan(
            method=method.upper(),
            url=_with_query(_join_url(self._base_prefix, path), query),
            # What the pool (see `_pool_headers`) already sends is not given again per request.
            headers={
                name: value
                for lower, (name, value) in merged.items()
                if self._pool_headers.get(lower) != (name, value)
            },
            has_authorization="authorization" in merged,
            json=json,
            data=data,
            files=files,
            content=content,
            timeout=_as_timeout(opts["timeout"]) if "timeout" in opts else self.timeout,
            max_retries=_check_retries(opts.get("max_retries", self.max_retries)),
            authenticate=authenticate,
            operation=operation,
        )

    def _token_plan(self, form: Mapping[str, str]) -> _RequestPlan:
        return self._plan("POST", TOKEN_PATH, data=form, authenticate=False)

    def _auth_for(self, plan: _RequestPlan) -> Auth | None:
        """The Auth that signs `plan`: none for the token request or when the caller set one."""
        if not plan.authenticate or plan.has_authorization:
            return None
        return self.auth

    def _attempts(self, plan: _RequestPlan) -> _Attempts:
        auth = self._auth_for(plan)
        return _Attempts(plan, refreshable=auth is not None and auth.refreshable, rand=self._random)

    @staticmethod
    def _build_request(
        http: httpx.Client | httpx.AsyncClient, plan: _RequestPlan, token: str | None
    ) -> httpx.Request:
        headers = plan.headers
        if token is not None:
            headers = {**headers, "Authorization": f"Bearer {token}"}
        request = http.build_request(
            plan.method,
            plan.url,
            headers=headers,
            json=plan.json,
            data=plan.data,
            files=cast(Any, plan.files),
            content=plan.content,
            timeout=plan.timeout,
        )
        _log_request(request)
        return request

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={redact_url(self._base_url)!r}, auth={self.auth!r}, "
            f"max_retries={self.max_retries})"
        )


class SyncAPIClient(_BaseClient):
    """The blocking client. See the module docstring for what it retries and how it authenticates.

    `_sleep` and `_random` replace `time.sleep` and `random.random` (tests never really wait).
    """

    def __init__(
        self,
        *,
        base_url: str | httpx.URL,
        auth: Auth | str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        _sleep: Callable[[float], None] = time.sleep,
        _random: Callable[[], float] = random.random,
    ) -> None:
        super().__init__(
            base_url=base_url,
            auth=auth,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            rand=_random,
        )
        self._owns_http_client = http_client is None
        if http_client is None:
            http_client = httpx.Client(
                timeout=self.timeout, follow_redirects=True, headers=_pool_default_headers()
            )
            self._pool_headers = _DEFAULT_HEADERS
        self._http = http_client
        self._sleep = _sleep

    def request(
        self,
        method: str,
        path: str,
        *,
        path_params: Mapping[str, str] | None = None,
        params: Mapping[str, object] | None = None,
        headers: Mapping[str, str | None] | None = None,
        json: object | None = None,
        data: Mapping[str, object] | None = None,
        files: Mapping[str, object] | None = None,
        content: bytes | str | None = None,
        options: RequestOptions | None = None,
    ) -> httpx.Response:
        """Send one API call; returns the (read) response, raises a typed `APIError` otherwise.

        The generated code's first interface, kept for it; `_call` replaces it. `path_params` fill
        `{name}` in `path` (percent-encoded); `params` is the query (None dropped, bools as
        true/false, lists repeated, mappings as `key[sub]`); `headers` with a None value are not
        sent; the body is `json`, form `data` (with multipart `files`; None fields of either are
        left out), or raw `content`.
        """
        plan = self._plan(
            method,
            path,
            path_params=path_params,
            params=params,
            headers=headers,
            json=json,
            data=data,
            files=files,
            content=content,
            options=options,
        )
        return self._send(plan)

    def _call(
        self,
        operation: Operation[T],
        args: Mapping[str, object] | None = None,
        *,
        body: object = None,
        content_type: str | None = None,
        options: RequestOptions | None = None,
    ) -> APIResponse[T]:
        """Send one operation with these argument values and return its documented response.

        `args` maps each parameter's `arg` to its value (None: not sent); `body` is the request
        body (None: none), sent as the operation's first body media type or as `content_type`.
        Raises the typed `APIStatusError` for a status >= 400, with `parsed` set to the error
        model the operation documents for it, and `ResponseValidationError` for a success body
        that is not what the spec says.
        """
        prepared = operation.prepare(args or _NO_ARGS, body, content_type)
        response = self._send(self._call_plan(operation, prepared, options))
        return operation.parse(response)

    @contextlib.contextmanager
    def _call_stream(
        self,
        operation: Operation[Any],
        args: Mapping[str, object] | None = None,
        *,
        body: object = None,
        content_type: str | None = None,
        options: RequestOptions | None = None,
    ) -> Iterator[StreamedResponse]:
        """`_call`, with the success response's body left on the wire: iterate it or write it to
        a file (`with client._call_stream(op, args) as response: response.write_to(path)`)."""
        prepared = operation.prepare(args or _NO_ARGS, body, content_type)
        response = self._send(self._call_plan(operation, prepared, options), stream=True)
        try:
            yield StreamedResponse(response)
        finally:
            response.close()

    @contextlib.contextmanager
    def stream(
        self,
        method: str,
        url: str,
        *,
        authenticate: bool = True,
        options: RequestOptions | None = None,
    ) -> Iterator[httpx.Response]:
        """Send a request and yield the response unread, to stream a large body; closed on exit.

        `url` is a path under the base URL or an absolute URL. Pass `authenticate=False` for a URL
        on another host: then no credential header at all is sent (no token, and no Authorization,
        Cookie or API key from `default_headers` either), since a pre-signed link must not get them.
        """
        plan = self._plan(
            method, url, headers={"Accept": "*/*"}, options=options, authenticate=authenticate
        )
        response = self._send(plan, stream=True)
        try:
            yield response
        finally:
            response.close()

    def _send(self, plan: _RequestPlan, *, stream: bool = False) -> httpx.Response:
        attempts = self._attempts(plan)
        while True:
            token = self._token(plan)
            request = self._build_request(self._http, plan, token)
            try:
                response = self._http.send(request, stream=stream)
                if stream and response.is_error:
                    # An error body is small, and the exception should carry it.
                    response.read()
            except httpx.RequestError as error:
                step = attempts.after_error(request, error)
            else:
                outcome = attempts.after_response(response)
                if outcome is None:
                    return response
                response.close()
                step = outcome
            if isinstance(step, _Fail):
                raise step.error
            if isinstance(step, _Retry):
                self._sleep(step.delay)
            elif self.auth is not None and token is not None:
                self.auth.invalidate(token)

    def _token(self, plan: _RequestPlan) -> str | None:
        auth = self._auth_for(plan)
        return None if auth is None else auth.get_token(self._fetch_token)

    def _fetch_token(self, form: Mapping[str, str]) -> httpx.Response:
        return self._send(self._token_plan(form))

    @property
    def is_closed(self) -> bool:
        return self._http.is_closed

    def close(self) -> None:
        """Close the connection pool if this client created it (a pool you passed in stays open)."""
        if self._owns_http_client:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncAPIClient(_BaseClient):
    """The asyncio client: the same behaviour as `SyncAPIClient`, with awaitable I/O.

    `_sleep` and `_random` replace `asyncio.sleep` and `random.random` (tests never really wait).
    """

    def __init__(
        self,
        *,
        base_url: str | httpx.URL,
        auth: Auth | str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        _sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        _random: Callable[[], float] = random.random,
    ) -> None:
        super().__init__(
            base_url=base_url,
            auth=auth,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            rand=_random,
        )
        self._owns_http_client = http_client is None
        if http_client is None:
            http_client = httpx.AsyncClient(
                timeout=self.timeout, follow_redirects=True, headers=_pool_default_headers()
            )
            self._pool_headers = _DEFAULT_HEADERS
        self._http = http_client
        self._sleep = _sleep

    async def request(
        self,
        method: str,
        path: str,
        *,
        path_params: Mapping[str, str] | None = None,
        params: Mapping[str, object] | None = None,
        headers: Mapping[str, str | None] | None = None,
        json: object | None = None,
        data: Mapping[str, object] | None = None,
        files: Mapping[str, object] | None = None,
        content: bytes | str | None = None,
        options: RequestOptions | None = None,
    ) -> httpx.Response:
        """Send one API call; returns the (read) response, raises a typed `APIError` otherwise.

        The generated code's first interface, kept for it; `_call` replaces it. `path_params` fill
        `{name}` in `path` (percent-encoded); `params` is the query (None dropped, bools as
        true/false, lists repeated, mappings as `key[sub]`); `headers` with a None value are not
        sent; the body is `json`, form `data` (with multipart `files`; None fields of either are
        left out), or raw `content`.
        """
        plan = self._plan(
            method,
            path,
            path_params=path_params,
            params=params,
            headers=headers,
            json=json,
            data=data,
            files=files,
            content=content,
            options=options,
        )
        return await self._send(plan)

    async def _call(
        self,
        operation: Operation[T],
        args: Mapping[str, object] | None = None,
        *,
        body: object = None,
        content_type: str | None = None,
        options: RequestOptions | None = None,
    ) -> APIResponse[T]:
        """`SyncAPIClient._call`, awaited."""
        prepared = operation.prepare(args or _NO_ARGS, body, content_type)
        response = await self._send(self._call_plan(operation, prepared, options))
        return operation.parse(response)

    @contextlib.asynccontextmanager
    async def _call_stream(
        self,
        operation: Operation[Any],
        args: Mapping[str, object] | None = None,
        *,
        body: object = None,
        content_type: str | None = None,
        options: RequestOptions | None = None,
    ) -> AsyncIterator[AsyncStreamedResponse]:
        """`SyncAPIClient._call_stream`, as an async context manager (`async with
        client._call_stream(op, args) as response: await response.write_to(path)`)."""
        prepared = operation.prepare(args or _NO_ARGS, body, content_type)
        response = await self._send(self._call_plan(operation, prepared, options), stream=True)
        try:
            yield AsyncStreamedResponse(response)
        finally:
            await response.aclose()

    @contextlib.asynccontextmanager
    async def astream(
        self,
        method: str,
        url: str,
        *,
        authenticate: bool = True,
        options: RequestOptions | None = None,
    ) -> AsyncIterator[httpx.Response]:
        """Send a request and yield the response unread, to stream a large body; closed on exit.

        `url` is a path under the base URL or an absolute URL. Pass `authenticate=False` for a URL
        on another host: then no credential header at all is sent (no token, and no Authorization,
        Cookie or API key from `default_headers` either), since a pre-signed link must not get them.
        """
        plan = self._plan(
            method, url, headers={"Accept": "*/*"}, options=options, authenticate=authenticate
        )
        response = await self._send(plan, stream=True)
        try:
            yield response
        finally:
            await response.aclose()

    async def _send(self, plan: _RequestPlan, *, stream: bool = False) -> httpx.Response:
        attempts = self._attempts(plan)
        while True:
            token = await self._token(plan)
            request = self._build_request(self._http, plan, token)
            try:
                response = await self._http.send(request, stream=stream)
                if stream and response.is_error:
                    # An error body is small, and the exception should carry it.
                    await response.aread()
            except httpx.RequestError as error:
                step = attempts.after_error(request, error)
            else:
                outcome = attempts.after_response(response)
                if outcome is None:
                    return response
                await response.aclose()
                step = outcome
            if isinstance(step, _Fail):
                raise step.error
            if isinstance(step, _Retry):
                await self._sleep(step.delay)
            elif self.auth is not None and token is not None:
                self.auth.invalidate(token)

    async def _token(self, plan: _RequestPlan) -> str | None:
        auth = self._auth_for(plan)
        return None if auth is None else await auth.aget_token(self._fetch_token)

    async def _fetch_token(self, form: Mapping[str, str]) -> httpx.Response:
        return await self._send(self._token_plan(form))

    @property
    def is_closed(self) -> bool:
        return self._http.is_closed

    async def aclose(self) -> None:
        """Close the connection pool if this client created it (a pool you passed in stays open)."""
        if self._owns_http_client:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
