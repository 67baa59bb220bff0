"""Auto-pagination: links vs offsets, the end of the list, caps, and never looping forever."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import httpx
import pytest
from rt_pkg._pagination import paginate_async, paginate_sync
from rt_pkg._response import APIResponse

URL = "https://api.test/v2/promotions/p1/jobs"


def page_link(offset: int, limit: int) -> str:
    return f"{URL}?page[offset]={offset}&page[limit]={limit}"


class FakeAPI:
    """Serves `total` items (0, 1, 2, ...) in pages; `style` decides what each page says about
    where the next one is. Records the query of every fetch."""

    def __init__(
        self,
        total: int,
        *,
        style: str = "links",
        default_limit: int = 25,
        max_limit: int = 100,
        body: Callable[[int, int, list[int]], dict[str, Any]] | None = None,
    ) -> None:
        self.total = total
        self.style = style
        self.default_limit = default_limit
        self.max_limit = max_limit
        self.body = body
        self.queries: list[dict[str, object]] = []

    def fetch(self, query: dict[str, object]) -> APIResponse[list[int]]:
        self.queries.append(dict(query))
        if len(self.queries) > 50:
            raise AssertionError("the pager keeps asking: it would loop forever")
        offset = int(str(query.get("page[offset]", 0)))
        limit = min(int(str(query.get("page[limit]", self.default_limit))), self.max_limit)
        items = list(range(self.total))[offset : offset + limit]
        body = self.body(offset, limit, items) if self.body else self._body(offset, limit, items)
        request = httpx.Request("GET", page_link(offset, limit))
        return APIResponse(httpx.Response(200, json=body, request=request), items)

    async def afetch(self, query: dict[str, object]) -> APIResponse[list[int]]:
        await asyncio.sleep(0)
        return self.fetch(query)

    def _body(self, offset: int, limit: int, items: list[int]) -> dict[str, Any]:
        pages = max(1, -(-self.total // limit))
        body: dict[str, Any] = {"data": items}
        if self.style in ("links", "both"):
            last = (pages - 1) * limit
            body["links"] = {
                "current": page_link(offset, limit),
                "first": page_link(0, limit),
                "last": page_link(last, limit),
                # Like the promotions API: the last page's `next` is itself.
                "next": page_link(min(offset + limit, last), limit),
            }
        if self.style in ("meta", "both"):
            body["meta"] = {
                "page": {
                    "limit": limit,
                    "offset": offset,
                    "current": offset // limit + 1,
                    "total": pages,
                },
                "results": {"total": self.total},
            }
        if self.style == "results-only":
            body["meta"] = {"results": {"total": self.total}}
        return body


def items(parsed: list[int]) -> Sequence[int]:
    return parsed


def offsets(api: FakeAPI) -> list[object]:
    return [q.get("page[offset]", 0) for q in api.queries]


STYLES = ["links", "meta", "both", "results-only"]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize(
    ("total", "page_size"),
    [(0, 10), (1, 10), (9, 10), (10, 10), (11, 10), (30, 10), (55, None), (50, None)],
)
def test_every_item_once_in_order(style: str, total: int, page_size: int | None) -> None:
    api = FakeAPI(total, style=style)
    assert list(paginate_sync(api.fetch, items, page_size=page_size)) == list(range(total))
    limit = page_size or 25
    pages = max(1, -(-total // limit))
    # The end is found without an extra empty request whenever the page says where it is.
    assert len(api.queries) == pages


@pytest.mark.parametrize("style", STYLES)
async def test_async_pages_the_same(style: str) -> None:
    api = FakeAPI(23, style=style)
    got = [item async for item in paginate_async(api.afetch, items, page_size=5)]
    assert got == list(range(23))
    assert offsets(api) == [0, 5, 10, 15, 20]


def test_page_size_goes_in_every_query() -> None:
    api = FakeAPI(25, style="meta")
    list(paginate_sync(api.fetch, items, page_size=10))
    assert api.queries == [
        {"page[limit]": 10},
        {"page[offset]": 10, "page[limit]": 10},
        {"page[offset]": 20, "page[limit]": 10},
    ]


def test_without_page_size_the_first_query_is_empty() -> None:
    api = FakeAPI(3, style="meta")
    list(paginate_sync(api.fetch, items))
    assert api.queries == [{}]


def test_a_server_capped_limit_is_followed() -> None:
    api = FakeAPI(250, style="meta", max_limit=100)
    assert list(paginate_sync(api.fetch, items, page_size=500)) == list(range(250))
    assert offsets(api) == [0, 100, 200]


def test_without_totals_an_exact_multiple_ends_on_the_empty_page() -> None:
    def body(offset: int, limit: int, found: list[int]) -> dict[str, Any]:
        return {"data": found, "meta": {"page": {"limit": limit, "offset": offset}}}

    api = FakeAPI(20, body=body)
    assert list(paginate_sync(api.fetch, items, page_size=10)) == list(range(20))
    assert offsets(api) == [0, 10, 20]


@pytest.mark.parametrize(
    ("max_items", "fetches"), [(0, 0), (1, 1), (10, 1), (11, 2), (25, 3), (1000, 3)]
)
def test_max_items_caps_items_and_pages(max_items: int, fetches: int) -> None:
    api = FakeAPI(25, style="both")
    got = list(paginate_sync(api.fetch, items, page_size=10, max_items=max_items))
    assert got == list(range(min(max_items, 25)))
    assert len(api.queries) == fetches


def test_a_next_link_equal_to_the_current_page_ends_the_list() -> None:
    def body(offset: int, limit: int, found: list[int]) -> dict[str, Any]:
        return {"data": found, "links": {"current": page_link(0, 25), "next": page_link(0, 25)}}

    api = FakeAPI(25, body=body)
    assert list(paginate_sync(api.fetch, items)) == list(range(25))
    assert len(api.queries) == 1


def test_a_next_link_back_to_a_fetched_offset_ends_the_list() -> None:
    def body(offset: int, limit: int, found: list[int]) -> dict[str, Any]:
        following = 10 if offset == 0 else 0  # page 2 links back to page 1
        return {"data": found, "links": {"next": page_link(following, 10)}}

    api = FakeAPI(100, body=body)
    assert list(paginate_sync(api.fetch, items, page_size=10)) == list(range(20))
    assert offsets(api) == [0, 10]


def test_links_win_over_offset_arithmetic() -> None:
    def body(offset: int, limit: int, found: list[int]) -> dict[str, Any]:
        # The link skips ahead by 20 while meta would say +10.
        return {
            "data": found,
            "links": {"next": page_link(offset + 20, 10)},
            "meta": {"page": {"limit": 10, "offset": offset}},
        }

    api = FakeAPI(60, body=body)
    assert list(paginate_sync(api.fetch, items, page_size=10)) == [
        *range(10),
        *range(20, 30),
        *range(40, 50),
    ]
    assert offsets(api) == [0, 20, 40, 60]


def test_a_relative_next_link_and_string_numbers() -> None:
    def body(offset: int, limit: int, found: list[int]) -> dict[str, Any]:
        return {
            "data": found,
            "links": {
                "next": f"/v2/jobs?page%5Boffset%5D={offset + limit}&page%5Blimit%5D={limit}"
            },
            "meta": {
                "page": {"limit": str(limit), "offset": str(offset)},
                "results": {"total": "12"},
            },
        }

    api = FakeAPI(12, body=body)
    assert list(paginate_sync(api.fetch, items, page_size=5)) == list(range(12))
    assert offsets(api) == [0, 5, 10]


def test_the_last_page_by_page_count_ends_the_list_even_with_a_next_link() -> None:
    def body(offset: int, limit: int, found: list[int]) -> dict[str, Any]:
        return {
            "data": found,
            "links": {"next": page_link(offset + limit, limit)},
            "meta": {
                "page": {
                    "limit": limit,
                    "offset": offset,
                    "current": offset // limit + 1,
                    "total": 2,
                }
            },
        }

    api = FakeAPI(1000, body=body)
    assert len(list(paginate_sync(api.fetch, items, page_size=10))) == 20
    assert len(api.queries) == 2


@pytest.mark.parametrize(
    "junk",
    [
        {"data": []},
        {"links": "nope", "meta": 3},
        {"links": {"next": 5}, "meta": {"page": "x"}},
        {"links": {"next": "https://api.test/v2/jobs?no=offset"}},
        {"links": {"next": "http://[bad"}},
    ],
)
def test_odd_pagination_metadata_never_loops(junk: dict[str, Any]) -> None:
    api = FakeAPI(1000, body=lambda offset, limit, found: {**junk, "data": found})
    assert list(paginate_sync(api.fetch, items, page_size=10)) == list(range(10))
    assert len(api.queries) == 1


def test_a_non_json_page_ends_after_its_items() -> None:
    def fetch(query: dict[str, object]) -> APIResponse[list[int]]:
        response = httpx.Response(200, content=b"not json", request=httpx.Request("GET", URL))
        return APIResponse(response, [1, 2])

    assert list(paginate_sync(fetch, items, page_size=2)) == [1, 2]


def test_pages_are_fetched_lazily() -> None:
    api = FakeAPI(30, style="meta")
    pager = paginate_sync(api.fetch, items, page_size=10)
    assert api.queries == []
    assert next(pager) == 0
    assert len(api.queries) == 1
    for _ in range(10):
        next(pager)
    assert len(api.queries) == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"page_size": 0}, "page_size"),
        ({"page_size": True}, "page_size"),
        ({"max_items": -1}, "max_items"),
    ],
)
def test_bad_arguments_raise_at_once(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        paginate_sync(FakeAPI(1).fetch, items, **kwargs)
    with pytest.raises(ValueError, match=message):
        paginate_async(FakeAPI(1).afetch, items, **kwargs)
