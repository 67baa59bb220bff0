"""What an operation returns, and how a response body becomes it.

`APIResponse[T]` is a parsed body together with the HTTP response it came from; `StreamedResponse`
and `AsyncStreamedResponse` hold a response whose (large) body has not been read yet. The functions
below pick the documented body for a response (by status, then media type) and decode it.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Generic, TypeVar

import httpx
import pydantic

from ._constants import REQUEST_ID_HEADER
from ._exceptions import ResponseValidationError, connection_error
from ._logging import redact_url
from ._serialize import is_json_media_type

if TYPE_CHECKING:
    from ._operation import Content

__all__ = [
    "APIResponse",
    "AsyncStreamedResponse",
    "StreamedResponse",
    "adapter",
    "decode_body",
    "pick_content",
]

T = TypeVar("T", covariant=True)


class _ResponseInfo:
    http_response: httpx.Response

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        """The `x-request-id` the platform gave this response: quote it to Elastic Path support."""
        request_id: str | None = self.http_response.headers.get(REQUEST_ID_HEADER)
        return request_id


@dataclass(frozen=True)
class APIResponse(_ResponseInfo, Generic[T]):
    """What an operation returned: `parsed` is the validated body, `http_response` the rest."""

    http_response: httpx.Response
    parsed: T


class StreamedResponse(_ResponseInfo):
    """A success response whose body is still on the wire: iterate it or write it to a file.

    Only valid inside the `with client._call_stream(...)` block that gave it. A body that breaks
    off raises `APIConnectionError` (the httpx error chained).
    """

    def __init__(self, http_response: httpx.Response) -> None:
        self.http_response = http_response

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        try:
            yield from self.http_response.iter_bytes(chunk_size)
        except httpx.RequestError as error:
            raise connection_error(self.http_response.request, error) from error

    def read(self) -> bytes:
        return b"".join(self.iter_bytes())

    def write_to(self, path: str | os.PathLike[str]) -> Path:
        """Stream the body into the file `path`, which appears only once the body is complete."""
        with _staged(Path(path)) as sink:
            for chunk in self.iter_bytes():
                sink.write(chunk)
        return Path(path)


class AsyncStreamedResponse(_ResponseInfo):
    """`StreamedResponse` for the async client."""

    def __init__(self, http_response: httpx.Response) -> None:
        self.http_response = http_response

    async def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        try:
            async for chunk in self.http_response.aiter_bytes(chunk_size):
                yield chunk
        except httpx.RequestError as error:
            raise connection_error(self.http_response.request, error) from error

    async def aread(self) -> bytes:
        return b"".join([chunk async for chunk in self.aiter_bytes()])

    async def write_to(self, path: str | os.PathLike[str]) -> Path:
        """Stream the body into the file `path`, which appears only once the body is complete."""
        with _staged(Path(path)) as sink:
            async for chunk in self.aiter_bytes():
                sink.write(chunk)
        return Path(path)


@contextlib.contextmanager
def _staged(target: Path) -> Iterator[IO[bytes]]:
    """A temporary file beside `target` that replaces it on success and is removed on failure,
    so a broken-off download never leaves a truncated file under the real name."""
    with tempfile.NamedTemporaryFile(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
    ) as sink:
        staged = Path(sink.name)
        try:
            yield sink
        except BaseException:
            sink.close()
            staged.unlink(missing_ok=True)
            raise
    os.replace(staged, target)


# -- decoding --------------------------------------------------------------------------------------


@functools.cache
def adapter(type_: Any) -> pydantic.TypeAdapter[Any]:
    """A cached TypeAdapter: built once per response type, on first use rather than at import."""
    return pydantic.TypeAdapter(type_)


def pick_content(
    response: httpx.Response, responses: Mapping[int | str, tuple[Content, ...]]
) -> Content | None:
    """The documented body for `response`: by exact status, then `2XX`-style range, then
    `default` (for a success status only when no success is documented: a `default` beside
    documented successes describes the errors); among several media types, the one its
    `Content-Type` names (exactly, then by a `type/*` range, then the first JSON one for a JSON
    response), else the first. None for 204 and 304, which have no body."""
    status = response.status_code
    if status in (204, 304):
        return None
    contents = responses.get(status) or responses.get(f"{status // 100}XX")
    if contents is None and (status >= 400 or not _documents_success(responses)):
        contents = responses.get("default")
    if not contents:
        return None
    if len(contents) == 1:
        return contents[0]
    received = response.headers.get("content-type", "").partition(";")[0].strip().lower()
    for content in contents:
        if content.media_type.lower() == received:
            return content
    for content in contents:
        family, _, subtype = content.media_type.lower().partition("/")
        if (subtype == "*" and received.startswith(family + "/")) or family == "*":
            return content
    if is_json_media_type(received):
        return next((content for content in contents if content.is_json), contents[0])
    return contents[0]


def _documents_success(responses: Mapping[int | str, object]) -> bool:
    return any(str(status).startswith("2") for status in responses)


def decode_body(response: httpx.Response, content: Content) -> Any:
    """`response`'s body as `content` documents it: JSON validated into its type; otherwise
    `bytes` as they came, `str` as text, other types validated from the text."""
    if content.type is None:
        return None
    try:
        if content.is_json:
            return adapter(content.type).validate_json(response.content)
        if content.type is bytes:
            return response.content
        if content.type is str:
            return response.text
        return adapter(content.type).validate_python(response.text)
    except pydantic.ValidationError as error:
        raise validation_error(response, error) from error


def pick_adapter(
    status: int, adapters: Mapping[int | str, pydantic.TypeAdapter[Any]]
) -> pydantic.TypeAdapter[Any] | None:
    """The adapter for `status`: exact status, then its `2XX`-style range, then `default`."""
    found = adapters.get(status)  # the usual case: the documented status itself
    if found is not None:
        return found
    for key in (str(status), f"{status // 100}XX", f"{status // 100}xx", "default"):
        if key in adapters:
            return adapters[key]
    return None


def validation_error(
    response: httpx.Response, error: pydantic.ValidationError
) -> ResponseValidationError:
    problems = error.errors(include_url=False, include_input=False)
    if not response.content.strip():
        problem = "an empty body where a JSON body is expected"
    elif problems and problems[0]["type"] == "json_invalid":
        problem = f"malformed JSON ({problems[0]['msg']})"
    else:
        first = problems[0] if problems else {"loc": (), "msg": str(error)}
        where = ".".join(str(part) for part in first["loc"]) or "the body"
        count = f"{len(problems)} problems, first" if len(problems) > 1 else "problem"
        problem = f"a body that does not match the documented schema ({count}: {where}: "
        problem += f"{first['msg']})"
    where = f"{response.request.method} {redact_url(response.request.url)}"
    return ResponseValidationError(
        f"{where} returned {response.status_code} with {problem}", response=response
    )
