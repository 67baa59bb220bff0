"""What generated code tells the runtime about an operation, once, and what the runtime does with it.

Each generated operation is a module-level `Operation` built at import from what the spec says:
method, path template, parameters (wire name, location, style, explode, allowReserved), request
body media types (with the `encoding` of form and multipart fields) and documented responses (media
types and types by status). A method then hands its argument values to `client._call(operation,
args, body=...)`; everything below runs once per call, the same for the sync and async clients:

- `Operation.prepare` turns the values into the request (path, query, headers, body);
- `Operation.parse` turns the response into `APIResponse[T]` (JSON into the documented type, binary
  as `bytes`, text as `str`), and `Operation.parse_error` gives an error response's documented model
  (or None) for `APIStatusError.parsed`.

```python
_GET_ITEMS: Final[Operation[models.ItemList]] = Operation(
    "GET",
    "/stores/{storeID}/items",
    params=(
        Param.path("storeID", "store_id"),
        Param.query("filter", style="deepObject"),
        Param.query("ids", explode=False),
        Param.cookie("session"),
    ),
    responses={200: models.ItemList, "4XX": models.ErrorBody},
)
```
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Generic, Literal, NamedTuple, TypeVar

import httpx
import pydantic

from ._response import APIResponse, decode_body, pick_content
from ._serialize import (
    NaiveDatetimeError,
    PartFile,
    cookie_pairs,
    form_pairs,
    header_value,
    is_json_media_type,
    json_bytes,
    json_text,
    multipart_parts,
    path_segment,
    read_content,
    request_data,
    scalar,
)

__all__ = ["Body", "Content", "Encoding", "Operation", "Param", "PreparedRequest"]

T = TypeVar("T")

ParamLocation = Literal["path", "query", "header", "cookie"]

#: The styles OpenAPI allows in each location; the first is the default.
_STYLES: Final[Mapping[str, tuple[str, ...]]] = {
    "path": ("simple", "label", "matrix"),
    "query": ("form", "spaceDelimited", "pipeDelimited", "deepObject"),
    "header": ("simple",),
    "cookie": ("form",),
}
_PATH_PLACEHOLDER: Final = re.compile(r"\{([^{}/]+)\}")


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter as the spec declares it.

    `arg` is the key of its value in the `args` given to `_call` (the method's argument name; by
    default the wire `name`). `style` defaults to the location's (`form` for query and cookie,
    `simple` for path and header), `explode` to true for `form` and false otherwise, as OpenAPI
    says. `media_type` is set for a parameter declared with `content` rather than `schema`: its
    value is sent as that media type's text (JSON for a JSON type), encoded as a primitive. A
    `deprecated` parameter given a value warns (`DeprecationWarning`, at the caller's line).
    """

    name: str
    location: ParamLocation
    arg: str = ""
    style: str = ""
    explode: bool | None = None
    allow_reserved: bool = False
    media_type: str | None = None
    deprecated: bool = False

    def __post_init__(self) -> None:
        styles = _STYLES.get(self.location)
        if styles is None:
            raise ValueError(f"parameter {self.name!r}: no location {self.location!r}")
        style = self.style or styles[0]
        if style not in styles:
            raise ValueError(
                f"{self.location} parameter {self.name!r}: style {style!r} is not one of {styles}"
            )
        object.__setattr__(self, "style", style)
        object.__setattr__(self, "arg", self.arg or self.name)
        if self.explode is None:
            object.__setattr__(self, "explode", style == "form")

    @classmethod
    def path(
        cls,
        name: str,
        arg: str = "",
        *,
        style: Literal["simple", "label", "matrix"] = "simple",
        explode: bool = False,
        media_type: str | None = None,
        deprecated: bool = False,
    ) -> Param:
        return cls(name, "path", arg, style, explode, media_type=media_type, deprecated=deprecated)

    @classmethod
    def query(
        cls,
        name: str,
        arg: str = "",
        *,
        style: Literal["form", "spaceDelimited", "pipeDelimited", "deepObject"] = "form",
        explode: bool | None = None,
        allow_reserved: bool = False,
        media_type: str | None = None,
        deprecated: bool = False,
    ) -> Param:
        return cls(name, "query", arg, style, explode, allow_reserved, media_type, deprecated)

    @classmethod
    def header(
        cls,
        name: str,
        arg: str = "",
        *,
        explode: bool = False,
        media_type: str | None = None,
        deprecated: bool = False,
    ) -> Param:
        return cls(
            name, "header", arg, "simple", explode, media_type=media_type, deprecated=deprecated
        )

    @classmethod
    def cookie(
        cls,
        name: str,
        arg: str = "",
        *,
        explode: bool = True,
        media_type: str | None = None,
        deprecated: bool = False,
    ) -> Param:
        return cls(
            name, "cookie", arg, "form", explode, media_type=media_type, deprecated=deprecated
        )

    def content_value(self, value: object) -> object:
        """A `content` parameter's value as its media type's text; others as they are."""
        if self.media_type is None or value is None:
            return value
        return json_text(value) if is_json_media_type(self.media_type) else scalar(value)


@dataclass(frozen=True, slots=True)
class Encoding:
    """The spec's Encoding Object for one field of a form or multipart body.

    For `application/x-www-form-urlencoded`: `style` (default `form`), `explode` (default true for
    `form`) and `allow_reserved` as for a query parameter, or, when none of those is given and
    `content_type` is, the field's value as that media type's text (JSON for a JSON type). For
    `multipart/form-data`: `content_type` is the part's `Content-Type` (style is not used there).
    """

    content_type: str | None = None
    style: str | None = None
    explode: bool | None = None
    allow_reserved: bool = False


_NO_ENCODING: Final = Encoding()

BodyKind = Literal["json", "form", "multipart", "raw"]


@dataclass(frozen=True, slots=True)
class Body:
    """A request body media type the operation accepts, with its fields' `encoding`.

    How the value given to `_call(body=...)` is sent follows from `media_type`:

    - JSON (`application/json`, any `+json`): the value (a model, by alias without unset fields, or
      plain data) as JSON, with `Content-Type` the declared type (`application/vnd.api+json` stays);
    - `application/x-www-form-urlencoded`: a mapping of fields by wire name (or a model), None
      fields left out, each field encoded as its `Encoding` says;
    - `multipart/form-data`: the same mapping, one part per field (see `_serialize.multipart_parts`);
    - anything else: raw `bytes`, `str` (sent as UTF-8) or an open binary file, with the declared
      `Content-Type` (a wildcard such as `*/*` or `image/*` is sent as `application/octet-stream`;
      pass the real one in `options={"extra_headers": {"Content-Type": ...}}`).
    """

    media_type: str
    encoding: Mapping[str, Encoding] = field(default_factory=dict)
    kind: BodyKind = field(init=False)

    def __post_init__(self) -> None:
        essence = self.media_type.partition(";")[0].strip().lower()
        kind: BodyKind
        if is_json_media_type(essence):
            kind = "json"
        elif essence == "application/x-www-form-urlencoded":
            kind = "form"
        elif essence == "multipart/form-data":
            kind = "multipart"
        else:
            kind = "raw"
        object.__setattr__(self, "kind", kind)

    @property
    def content_type(self) -> str | None:
        """The `Content-Type` this body is sent with (None: httpx sets multipart's boundary)."""
        if self.kind == "multipart":
            return None
        if "*" in self.media_type:
            return "application/octet-stream"
        return self.media_type


@dataclass(frozen=True, slots=True)
class Content:
    """One documented response body: its type and media type.

    JSON media types are validated into `type`, and so is a wildcard (`*/*`, `application/*`)
    documented with a schema (a type other than `bytes` and `str`); otherwise a `bytes` type gives
    the raw body, a `str` type the decoded text, and any other type validates the text
    (`text/plain` holding a number).
    """

    type: Any
    media_type: str = "application/json"
    is_json: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        is_json = is_json_media_type(self.media_type) or (
            "*" in self.media_type and self.type not in (bytes, str)
        )
        object.__setattr__(self, "is_json", is_json)


def _contents(documented: object) -> tuple[Content, ...]:
    """A response's media types: a tuple holds one per media type, a bare type standing for
    `application/json` (as everywhere in `responses`)."""
    if isinstance(documented, tuple):
        return tuple(_content(item) for item in documented)
    return (_content(documented),)


def _content(documented: object) -> Content:
    return documented if isinstance(documented, Content) else Content(documented)


def _status_key(status: int | str) -> int | str:
    """200 and "200" as 200, "2xx" as "2XX", "default" as it is."""
    text = str(status).strip()
    if text.isdigit():
        return int(text)
    return "default" if text.lower() == "default" else text.upper()


def _accept(responses: Mapping[int | str, tuple[Content, ...]]) -> str | None:
    """The Accept header: every documented media type, JSON ones first; None if none is."""
    types = list(
        dict.fromkeys(c.media_type for cs in responses.values() for c in cs if c.type is not None)
    )
    if not types:
        return None
    return ", ".join(sorted(types, key=lambda media_type: not is_json_media_type(media_type)))


class PreparedRequest(NamedTuple):
    """One call's request, as the client sends it: `query` holds percent-encoded pairs."""

    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    content: bytes | None
    files: list[tuple[str, PartFile]] | None


class Operation(Generic[T]):
    """One operation, described once (see the module docstring); `T` is what `_call` returns.

    `responses` maps a status (`200`, `"2XX"`, `"default"`) to a type (JSON as `application/json`),
    a `Content`, or a tuple of them (one per media type: the response's `Content-Type` picks).
    `body` is one `Body` or several (the first is the default; `_call(content_type=...)` picks
    another).
    """

    __slots__ = (
        "_base_headers",
        "_bodies",
        "_cookie",
        "_deprecated_params",
        "_header",
        "_path_parts",
        "_query",
        "_responses",
        "accept",
        "deprecated",
        "method",
        "params",
        "path",
    )

    def __init__(
        self,
        method: str,
        path: str,
        *,
        params: Sequence[Param] = (),
        body: Body | Sequence[Body] | None = None,
        responses: Mapping[int | str, object] | None = None,
        deprecated: bool = False,
    ) -> None:
        self.method = method.upper()
        self.path = path
        self.params = tuple(params)
        self.deprecated = deprecated
        self._deprecated_params = tuple(param for param in self.params if param.deprecated)
        self._bodies = (body,) if isinstance(body, Body) else tuple(body or ())
        self._responses = {
            _status_key(status): _contents(documented)
            for status, documented in (responses or {}).items()
        }
        self.accept = _accept(self._responses)
        self._base_headers = {"Accept": self.accept} if self.accept else {}
        by_location: dict[str, list[Param]] = {"path": [], "query": [], "header": [], "cookie": []}
        for param in self.params:
            by_location[param.location].append(param)
        path_params = {param.name: param for param in by_location["path"]}
        parts = _PATH_PLACEHOLDER.split(path)
        for name in parts[1::2]:
            if name not in path_params:
                raise ValueError(f"{method} {path}: no path parameter {name!r} is declared")
        #: literal, param, literal, ..., param, literal
        self._path_parts: tuple[str | Param, ...] = tuple(
            path_params[part] if index % 2 else part for index, part in enumerate(parts)
        )
        self._query = tuple(by_location["query"])
        self._header = tuple(by_location["header"])
        self._cookie = tuple(by_location["cookie"])

    def __repr__(self) -> str:
        return f"Operation({self.method} {self.path})"

    # -- the request -------------------------------------------------------------------------------

    def prepare(
        self, args: Mapping[str, object], body: object = None, content_type: str | None = None
    ) -> PreparedRequest:
        """The request for these argument values (keys: each `Param.arg`; a missing or None value
        is not sent, but a path parameter must have one) and this body."""
        if self.deprecated or self._deprecated_params:
            self._warn_deprecated(args)
        try:
            path = self._expand_path(args) if len(self._path_parts) > 1 else self.path
            query: list[tuple[str, str]] = []
            for param in self._query:
                value = args.get(param.arg)
                if value is not None:
                    query += form_pairs(
                        param.name,
                        param.content_value(value),
                        style=param.style,
                        explode=bool(param.explode),
                        reserved=param.allow_reserved,
                    )
            headers = self._base_headers.copy()
            for param in self._header:
                value = args.get(param.arg)
                if value is not None:
                    headers[param.name] = header_value(
                        param.content_value(value), explode=bool(param.explode)
                    )
            if self._cookie:
                cookies = [
                    pair
                    for param in self._cookie
                    for pair in cookie_pairs(
                        param.name,
                        param.content_value(args.get(param.arg)),
                        explode=bool(param.explode),
                    )
                ]
                if cookies:
                    headers["Cookie"] = "; ".join(cookies)
        except NaiveDatetimeError as error:
            raise NaiveDatetimeError(f"{self.method} {self.path}: {error}") from None
        if body is None:
            return PreparedRequest(path, query, headers, None, None)
        chosen = self._body_for(content_type)
        try:
            content, files = _encode_body(chosen, body)
        except NaiveDatetimeError as error:
            raise NaiveDatetimeError(f"{self.method} {self.path} body: {error}") from None
        if chosen.content_type is not None:
            headers["Content-Type"] = chosen.content_type
        return PreparedRequest(path, query, headers, content, files)

    def _warn_deprecated(self, args: Mapping[str, object]) -> None:
        if self.deprecated:
            _warn_caller(f"{self.method} {self.path} is deprecated")
        for param in self._deprecated_params:
            if args.get(param.arg) is not None:
                _warn_caller(
                    f"the {param.location} parameter {param.name!r} of {self.method} {self.path} "
                    "is deprecated"
                )

    def _expand_path(self, args: Mapping[str, object]) -> str:
        parts = self._path_parts
        expanded: list[str] = []
        for index, part in enumerate(parts):
            if isinstance(part, str):
                expanded.append(part)
                continue
            value = args.get(part.arg)
            if value is None:
                raise ValueError(f"{self.method} {self.path} needs the path parameter {part.arg!r}")
            expansion = path_segment(
                part.name, part.content_value(value), style=part.style, explode=bool(part.explode)
            )
            if expansion in ("", ".", ".."):
                # An empty or dot segment would silently address another resource (`/jobs/`
                # lists them, `/jobs/.` is `/jobs/`): look at the whole segment it lands in.
                before = "".join(expanded).rpartition("/")[2]
                after = str(parts[index + 1]).partition("/")[0]
                if before + expansion + after in ("", ".", ".."):
                    raise ValueError(
                        f"{self.method} {self.path}: path parameter {part.arg!r} must not give "
                        f"the segment {before + expansion + after!r}"
                    )
            expanded.append(expansion)
        return "".join(expanded)

    def _body_for(self, content_type: str | None) -> Body:
        if not self._bodies:
            raise TypeError(f"{self.method} {self.path} takes no request body")
        if content_type is None:
            return self._bodies[0]
        for body in self._bodies:
            if body.media_type == content_type:
                return body
        accepted = [body.media_type for body in self._bodies]
        raise ValueError(f"{self.method} {self.path} accepts {accepted}, not {content_type!r}")

    # -- the response ------------------------------------------------------------------------------

    def parse(self, response: httpx.Response) -> APIResponse[T]:
        """The documented body of a success response (None when none is documented for its
        status); raises `ResponseValidationError` when it is not what the spec says."""
        content = pick_content(response, self._responses)
        if content is None:
            return APIResponse(http_response=response, parsed=None)  # type: ignore[arg-type]
        return APIResponse(http_response=response, parsed=decode_body(response, content))

    def parse_error(self, response: httpx.Response) -> object | None:
        """An error response's documented model, or None (undocumented, or not as documented)."""
        content = pick_content(response, self._responses)
        if content is None:
            return None
        try:
            parsed: object = decode_body(response, content)
        except Exception:  # the status error is raised either way, just without a model
            return None
        return parsed


_PACKAGE_FOLDER: Final = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _warn_caller(message: str) -> None:
    """A `DeprecationWarning` at the first line outside this package: the code that called the
    operation (through its method, raw-response wrapper or pager), where Python's default filters
    show it once it is the user's `__main__` or a test runner shows them all."""
    frame = sys._getframe(1)
    level = 2
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE_FOLDER):
        frame = frame.f_back
        level += 1
    warnings.warn(message, DeprecationWarning, stacklevel=level)


def _fields(body: object) -> Mapping[str, object]:
    if isinstance(body, pydantic.BaseModel):
        return request_data(body)
    if isinstance(body, Mapping):
        return body
    raise TypeError(f"a form or multipart body is a mapping of fields, not {type(body).__name__}")


def _encode_body(
    body: Body, value: object
) -> tuple[bytes | None, list[tuple[str, PartFile]] | None]:
    if body.kind == "json":
        return json_bytes(value), None
    if body.kind == "multipart":
        part_types = {
            name: rules.content_type
            for name, rules in body.encoding.items()
            if rules.content_type is not None
        }
        return None, multipart_parts(_fields(value), part_types)
    if body.kind == "form":
        pairs: list[tuple[str, str]] = []
        for name, item in _fields(value).items():
            if item is None:
                continue
            rules = body.encoding.get(name, _NO_ENCODING)
            if rules.style is None and rules.explode is None and rules.content_type is not None:
                media_type = rules.content_type
                item = json_text(item) if is_json_media_type(media_type) else scalar(item)
            style = rules.style or "form"
            explode = rules.explode if rules.explode is not None else style == "form"
            pairs += form_pairs(
                name, item, style=style, explode=explode, reserved=rules.allow_reserved
            )
        return "&".join(f"{key}={text}" for key, text in pairs).encode("ascii"), None
    if isinstance(value, bytes):
        return value, None
    if isinstance(value, str):
        return value.encode(), None
    if isinstance(value, bytearray | memoryview):
        return bytes(value), None
    if callable(getattr(value, "read", None)):
        return read_content(value), None  # type: ignore[arg-type]
    raise TypeError(
        f"a {body.media_type} body is bytes, str or an open binary file, not {type(value).__name__}"
    )
