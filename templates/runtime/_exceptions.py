"""Every exception the package raises, in one hierarchy.

```
APIError                          anything raised by this package
├── APIConnectionError            the request got no HTTP response (request kept, cause chained)
│   └── APITimeoutError           ... because an httpx timeout expired
├── APIStatusError                the API answered with a status >= 400
│   ├── BadRequestError           400
│   ├── AuthenticationError       401
│   ├── PermissionDeniedError     403
│   ├── NotFoundError             404
│   ├── ConflictError             409
│   ├── UnprocessableEntityError  422
│   ├── RateLimitError            429
│   └── InternalServerError       >= 500
├── ResponseValidationError       a success response whose body is not what the spec documents
└── JobError                      a job did not end as hoped
    ├── JobFailedError            ... it failed
    ├── JobCancelledError         ... it was cancelled
    ├── JobTimeoutError           ... it did not finish in time
    ├── JobStatusUnknownError     ... its status word stayed one nobody mapped for too long
    └── JobOperationNotSupported  ... its API cannot do that (e.g. cancel an exporter job)
```

Messages are one line and never hold credentials: URLs pass through `redact_url`, and request bodies
(where client secrets travel) are never quoted.
"""

from __future__ import annotations

import http
import re
from collections.abc import Sequence
from typing import Final

import httpx

from ._constants import REQUEST_ID_HEADER
from ._errors import APIErrorDetail, parse_error_body
from ._logging import redact_text, redact_url

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "JobCancelledError",
    "JobError",
    "JobFailedError",
    "JobOperationNotSupported",
    "JobStatusUnknownError",
    "JobTimeoutError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseValidationError",
    "UnprocessableEntityError",
    "connection_error",
    "make_status_error",
]

# How much of a body that holds no parseable error goes into a message.
_SNIPPET_CHARS: Final = 200
_WHITESPACE: Final = re.compile(r"\s+")


class APIError(Exception):
    """Base of every exception raised by this package; `message` is `str(error)`."""

    message: str
    request: httpx.Request | None

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request


# -- no response -----------------------------------------------------------------------------------


class APIConnectionError(APIError):
    """The request got no HTTP response: DNS, connect, TLS, reset, or a broken response body."""

    request: httpx.Request

    def __init__(self, message: str | None = None, *, request: httpx.Request) -> None:
        super().__init__(message or f"Connection error: {_where(request)}", request=request)


class APITimeoutError(APIConnectionError):
    """An httpx timeout (connect, read, write or pool) expired before the response arrived."""

    def __init__(self, message: str | None = None, *, request: httpx.Request) -> None:
        super().__init__(message or f"Request timed out: {_where(request)}", request=request)


def connection_error(request: httpx.Request, error: Exception) -> APIConnectionError:
    """The typed exception for `request` having got no response, with httpx's `error` as cause."""
    detail = type(error).__name__ + (f": {redact_text(str(error))}" if str(error) else "")
    if isinstance(error, httpx.TimeoutException):
        message = f"Request timed out: {_where(request)} ({detail})"
        failure: APIConnectionError = APITimeoutError(message, request=request)
    else:
        message = f"Connection error: {_where(request)} ({detail})"
        failure = APIConnectionError(message, request=request)
    failure.__cause__ = error
    return failure


# -- an error status -------------------------------------------------------------------------------


class APIStatusError(APIError):
    """The API answered with an error status.

    `errors` are the error objects of the body (possibly none: an HTML page from a proxy, an empty
    body), `body` is the raw body text, `request_id` comes from the `x-request-id` header or else
    from the body. Anything not given is read from `response`. `parsed` is the body as the model
    the operation documents for this status (`isinstance(error.parsed, models.Error)`), or None
    when it documents none or the body does not match it.
    """

    response: httpx.Response
    status_code: int
    errors: list[APIErrorDetail]
    request_id: str | None
    body: str
    parsed: object | None

    def __init__(
        self,
        message: str | None = None,
        *,
        response: httpx.Response,
        body: str | None = None,
        errors: Sequence[APIErrorDetail] | None = None,
        request_id: str | None = None,
        parsed: object | None = None,
    ) -> None:
        self.response = response
        self.status_code = response.status_code
        self.parsed = parsed
        self.body = _body_text(response) if body is None else body
        self.errors = (
            parse_error_body(self.body, default_status=self.status_code)
            if errors is None
            else list(errors)
        )
        self.request_id = request_id or _request_id(response, self.errors)
        super().__init__(message or self._describe(), request=_request_of(response))

    def _describe(self) -> str:
        head = f"{self.status_code} {_phrase(self.response)}"
        if self.errors:
            what = str(self.errors[0])
            if len(self.errors) > 1:
                more = len(self.errors) - 1
                what += f" (+{more} more error{'s' if more > 1 else ''})"
        else:
            what = _snippet(self.body)
        request = _request_of(self.response)
        context = [_where(request)] if request is not None else []
        if self.request_id:
            context.append(f"request_id={self.request_id}")
        return f"{head}: {what}" + (f" ({', '.join(context)})" if context else "")


class BadRequestError(APIStatusError):
    """400: the request failed validation (for example a filter the API could not parse)."""


class AuthenticationError(APIStatusError):
    """401: missing, expired or rejected credentials."""


class PermissionDeniedError(APIStatusError):
    """403: the credentials may not do this."""


class NotFoundError(APIStatusError):
    """404: no such resource."""


class ConflictError(APIStatusError):
    """409: the resource is not in a state that allows this."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was understood but its content is invalid."""


class RateLimitError(APIStatusError):
    """429: too many requests; retried automatically before this is raised."""


class InternalServerError(APIStatusError):
    """>= 500: the platform failed; retried automatically (for idempotent methods) first."""


_STATUS_ERRORS: Final[dict[int, type[APIStatusError]]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def make_status_error(response: httpx.Response, *, parsed: object | None = None) -> APIStatusError:
    """The typed exception for an error response (its body must have been read); `parsed` is the
    body as the operation's documented error model, if any."""
    if response.status_code >= 500:
        return InternalServerError(response=response, parsed=parsed)
    error_type = _STATUS_ERRORS.get(response.status_code, APIStatusError)
    return error_type(response=response, parsed=parsed)


# -- a success response with the wrong body --------------------------------------------------------


class ResponseValidationError(APIError):
    """A response body that is not what the spec documents: malformed JSON, an empty body where a
    body is documented, or a schema mismatch. `body` keeps the raw text; the pydantic error, if any,
    is the `__cause__`."""

    response: httpx.Response | None
    status_code: int | None
    request_id: str | None
    body: str

    def __init__(
        self, message: str, *, response: httpx.Response | None = None, body: str | None = None
    ) -> None:
        self.response = response
        self.status_code = None if response is None else response.status_code
        self.request_id = None if response is None else response.headers.get(REQUEST_ID_HEADER)
        self.body = (_body_text(response) if response is not None else "") if body is None else body
        super().__init__(message, request=None if response is None else _request_of(response))


# -- jobs ------------------------------------------------------------------------------------------


class JobError(APIError):
    """A job did not end as hoped; `job` is the last snapshot of it (a `Job`), when there is one."""

    job: object | None

    def __init__(self, message: str, *, job: object | None = None) -> None:
        super().__init__(message)
        self.job = job


class JobFailedError(JobError):
    """The job ended as failed; `errors` holds the messages the API gave for it."""

    errors: list[str]

    def __init__(
        self, message: str, *, job: object | None = None, errors: Sequence[str] = ()
    ) -> None:
        super().__init__(message, job=job)
        self.errors = list(errors)


class JobCancelledError(JobError):
    """The job ended as cancelled."""


class JobTimeoutError(JobError):
    """The job had not finished when the wait's `timeout` (seconds) ran out."""

    timeout: float | None

    def __init__(
        self, message: str, *, job: object | None = None, timeout: float | None = None
    ) -> None:
        super().__init__(message, job=job)
        self.timeout = timeout


class JobStatusUnknownError(JobError):
    """The job's status stayed a word its profile does not map for longer than the wait's
    `unknown_status_limit` (seconds): the client cannot tell whether it will ever finish.

    `word` is that status word and `job` the last snapshot (counted as running meanwhile).
    """

    word: str
    limit: float | None

    def __init__(
        self, message: str, *, job: object | None = None, word: str = "", limit: float | None = None
    ) -> None:
        super().__init__(message, job=job)
        self.word = word
        self.limit = limit


class JobOperationNotSupported(JobError):
    """The job's API cannot do `operation` (or not in the job's current state)."""

    api: str | None
    operation: str | None

    def __init__(
        self,
        message: str,
        *,
        api: str | None = None,
        operation: str | None = None,
        job: object | None = None,
    ) -> None:
        super().__init__(message, job=job)
        self.api = api
        self.operation = operation


# -- helpers ---------------------------------------------------------------------------------------


def _where(request: httpx.Request) -> str:
    return f"{request.method} {redact_url(request.url)}"


def _request_of(response: httpx.Response) -> httpx.Request | None:
    try:
        return response.request
    except RuntimeError:  # a response built by hand, without a request
        return None


def _body_text(response: httpx.Response) -> str:
    try:
        return response.text
    except httpx.ResponseNotRead:
        # A streamed response whose body nobody read: say so rather than fail while failing.
        return ""


def _request_id(response: httpx.Response, errors: Sequence[APIErrorDetail]) -> str | None:
    header: str | None = response.headers.get(REQUEST_ID_HEADER)
    if header:
        return header
    return next((e.request_id for e in errors if e.request_id), None)


def _phrase(response: httpx.Response) -> str:
    if response.reason_phrase:
        return response.reason_phrase
    try:
        return http.HTTPStatus(response.status_code).phrase
    except ValueError:
        return "Error"


def _snippet(body: str) -> str:
    text = _WHITESPACE.sub(" ", body).strip()
    if not text:
        return "empty body"
    if len(text) > _SNIPPET_CHARS:
        text = text[: _SNIPPET_CHARS - 1] + "…"
    return text
