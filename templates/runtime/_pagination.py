"""Auto-pagination over Elastic Path's `page[offset]` / `page[limit]` lists.

Both pagers take `fetch(query)`, which performs one page request with the extra query parameters
given (`page[offset]`, `page[limit]`), and `items_of(parsed)`, which picks the items out of a parsed
page. Where the next page is comes from the raw JSON of each page: `links.next` when there is one,
otherwise offset arithmetic from `meta.page` (`limit`, `offset`, `current`, `total` pages) and
`meta.results.total`. The decisions live in `_Cursor`, shared by the sync and async pagers.

Pagination stops at the first of: an empty page; a short page (fewer items than the page limit);
the known total reached; a next page whose offset was already fetched (the promotions API's last
page names itself as `next`) or a next link without an offset; a page without any pagination
metadata (an endpoint that does not paginate); `max_items` yielded. So it never loops forever.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
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
        page = _PageInfo.read(_json_object(response))
        limit = page.limit or self._page_size
        if (limit is not None and count < limit) or page.is_last_by_count:
            return None
        target = self._target(page, limit, count)
        if target is None:
            return None
        next_offset, limit = target
        if page.total_items is not None and next_offset >= page.total_items:
            return None
        if next_offset in self._fetched_offsets:
            return None
        self._fetched_offsets.add(next_offset)
        self._offset = next_offset
        query: dict[str, object] = {OFFSET_PARAM: next_offset}
        if limit is not None:
            query[LIMIT_PARAM] = limit
        return query

    def _target(
        self, page: _PageInfo, limit: int | None, count: int
    ) -> tuple[int, int | None] | None:
        """`(offset, limit)` of the next page: from `links.next`, else by arithmetic."""
        if page.next_link is not None:
            target = _link_target(page.next_link)
            return None if target is None else (target[0], target[1] or limit)
        if not page.has_page_meta and page.total_items is None:
            return None  # no pagination metadata at all: the endpoint does not paginate
        offset = self._offset if page.offset is None else page.offset
        return offset + (limit or count), limit


@dataclass(frozen=True)
class _PageInfo:
    """What one page's JSON says about the list: `links.next`, `meta.page`, `meta.results`."""

    next_link: str | None
    has_page_meta: bool
    limit: int | None
    offset: int | None
    current_page: int | None
    total_pages: int | None
    total_items: int | None

    @classmethod
    def read(cls, body: Mapping[str, object]) -> _PageInfo:
        following = _mapping(body.get("links")).get("next")
        meta = _mapping(body.get("meta"))
        page = _mapping(meta.get("page"))
        return cls(
            next_link=following.strip()
            if isinstance(following, str) and following.strip()
            else None,
            has_page_meta=bool(page),
            limit=_count(page.get("limit"), minimum=1),
            offset=_count(page.get("offset")),
            current_page=_count(page.get("current")),
            total_pages=_count(page.get("total")),
            total_items=_count(_mapping(meta.get("results")).get("total")),
        )

    @property
    def is_last_by_count(self) -> bool:
        """Whether `meta.page` says this is the last page (`current >= total` pages)."""
        if self.current_page is None or self.total_pages is None:
            return False
        return self.current_page >= self.total_pages


def _link_target(link: str) -> tuple[int, int | None] | None:
    """`(offset, limit)` from the query of a `links.next` URL; None without an offset."""
    try:
        params = httpx.URL(link).params
    except httpx.InvalidURL:
        return None
    offset = _count(params.get(OFFSET_PARAM))
    return None if offset is None else (offset, _count(params.get(LIMIT_PARAM), minimum=1))


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
