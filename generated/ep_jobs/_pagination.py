"""Auto-pagination over Elastic Path's `page[offset]` / `page[limit]` lists.

Both pagers take `fetch(query)`, which performs one page request with the extra query parameters
given (`page[offset]`, `page[limit]`), and `items_of(parsed)`, which picks the items out of a parsed
page. Where the next page is comes from the raw JSON of each page: `links.next` when there is one,
otherwise offset arithmetic from `meta.page` (`limit`, `offset`, `current`, `total` pages) and
`meta.results.total`. The decisions live in `_Cursor`, shared by the sync and async pagers.

Pagination stops at the first of: an empty page; a short page (fewer items than the page limit); the
known total reached; a next link equal to the current page, or an offset already fetched (the
promotions API's last page links to itself as `next`); a page without any pagination metadata (an
endpoint that does not paginate); `max_items` yielded. So it never loops forever.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Final, TypeVar

import httpx

from ._response import APIResponse

__all__ = ["paginate_async", "paginate_sync"]

P = TypeVar("P")
T = TypeVar("T")

OFFSET_PARAM: Final = "page[offset]"
LIMIT_PARAM: Final = "page[limit]"


def paginate_sync(
    fetch: Callable[[dict[str, object]], APIResponse[P]],
    items_of: Callable[[P], Sequence[T]],
    *,
    page_size: int | None = None,
    max_items: int | None = None,
) -> Iterator[T]:
    """Every item of every page, fetching each page only when the previous one is used up.

    `page_size` is sent as `page[limit]` (the API's default otherwise); `max_items` caps the items
    yielded (and so the pages fetched). Bad arguments raise `ValueError` here, not on first use.
    """
    cursor = _Cursor(page_size=page_size, max_items=max_items)
    return _pages_sync(cursor, fetch, items_of)


def paginate_async(
    fetch: Callable[[dict[str, object]], Awaitable[APIResponse[P]]],
    items_of: Callable[[P], Sequence[T]],
    *,
    page_size: int | None = None,
    max_items: int | None = None,
) -> AsyncIterator[T]:
    """`paginate_sync` for an async `fetch`: use it with `async for`."""
    cursor = _Cursor(page_size=page_size, max_items=max_items)
    return _pages_async(cursor, fetch, items_of)


def _pages_sync(
    cursor: _Cursor,
    fetch: Callable[[dict[str, object]], APIResponse[P]],
    items_of: Callable[[P], Sequence[T]],
) -> Iterator[T]:
    query = cursor.first_query()
    while query is not None:
        response = fetch(query)
        items = items_of(response.parsed)
        yield from cursor.take(items)
        query = cursor.next_query(response.http_response, len(items))


async def _pages_async(
    cursor: _Cursor,
    fetch: Callable[[dict[str, object]], Awaitable[APIResponse[P]]],
    items_of: Callable[[P], Sequence[T]],
) -> AsyncIterator[T]:
    query = cursor.first_query()
    while query is not None:
        response = await fetch(query)
        items = items_of(response.parsed)
        for item in cursor.take(items):
            yield item
        query = cursor.next_query(response.http_response, len(items))


class _Cursor:
    """Where the next page is, and whether there is one."""

    def __init__(self, *, page_size: int | None, max_items: int | None) -> None:
        if page_size is not None and (isinstance(page_size, bool) or page_size < 1):
            raise ValueError(f"page_size must be >= 1, got {page_size!r}")
        if max_items is not None and (isinstance(max_items, bool) or max_items < 0):
            raise ValueError(f"max_items must be >= 0, got {max_items!r}")
        self._page_size = page_size
        self._remaining = max_items
        self._offset = 0
        self._fetched_offsets = {0}

    def first_query(self) -> dict[str, object] | None:
        if self._remaining == 0:
            return None
        return {} if self._page_size is None else {LIMIT_PARAM: self._page_size}

    def take(self, items: Sequence[T]) -> Sequence[T]:
        """`items`, cut to what `max_items` still allows."""
        if self._remaining is None:
            return items
        taken = items[: self._remaining]
        self._remaining -= len(taken)
        return taken

    def next_query(self, response: httpx.Response, count: int) -> dict[str, object] | None:
        """The query of the page after the one `response` holds (`count` items); None at the end."""
        if count == 0 or self._remaining == 0:
            return None
        body = _json_object(response)
        links, meta = _mapping(body.get("links")), _mapping(body.get("meta"))
        page, results = _mapping(meta.get("page")), _mapping(meta.get("results"))
        limit = _count(page.get("limit"), minimum=1) or self._page_size
        offset = _count(page.get("offset"))
        offset = self._offset if offset is None else offset
        total_items = _count(results.get("total"))
        total_pages, current_page = _count(page.get("total")), _count(page.get("current"))

        if limit is not None and count < limit:
            return None
        if total_pages is not None and current_page is not None and current_page >= total_pages:
            return None
        next_link = links.get("next")
        if isinstance(next_link, str) and next_link.strip():
            target = self._follow(next_link.strip(), links.get("current"), response)
            if target is None:
                return None
            next_offset, limit = target[0], target[1] or limit
        elif not page and total_items is None:
            return None  # no pagination metadata at all: the endpoint does not paginate
        else:
            next_offset = offset + (limit or count)
        if total_items is not None and next_offset >= total_items:
            return None
        if next_offset in self._fetched_offsets:
            return None
        self._fetched_offsets.add(next_offset)
        self._offset = next_offset
        query: dict[str, object] = {OFFSET_PARAM: next_offset}
        if limit is not None:
            query[LIMIT_PARAM] = limit
        return query

    def _follow(
        self, next_link: str, current_link: object, response: httpx.Response
    ) -> tuple[int, int | None] | None:
        """`(offset, limit)` of a `links.next` URL; None when it leads nowhere new."""
        if next_link == current_link or _same_url(next_link, response):
            return None
        try:
            params = httpx.URL(next_link).params
        except httpx.InvalidURL:
            return None
        offset = _count(params.get(OFFSET_PARAM))
        if offset is None:
            return None
        return offset, _count(params.get(LIMIT_PARAM), minimum=1)


def _json_object(response: httpx.Response) -> Mapping[str, object]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return _mapping(body)


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def _count(value: object, *, minimum: int = 0) -> int | None:
    """A whole number >= `minimum` from an int or a numeric string; None otherwise."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
        return value
    return None


def _same_url(link: str, response: httpx.Response) -> bool:
    """Whether `link` is the URL `response` was fetched from."""
    try:
        return httpx.URL(link) == response.request.url
    except (httpx.InvalidURL, RuntimeError):  # RuntimeError: a response built without a request
        return False
