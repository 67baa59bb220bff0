"""Parameters on the wire: every OpenAPI style and explode, for query, path, header and cookie.

Each test calls `client._call(Operation, args)` (sync and async) through an `httpx.MockTransport`
and asserts the exact bytes httpx sent. The table tests use the OpenAPI "Style Examples": a
parameter `color` with the values "blue", ["blue", "black", "brown"] and {"R": 100, "G": 200,
"B": 150}, expected as OpenAPI 3.1.1 (and 3.0.4, 3.2) print them.
"""

from __future__ import annotations

import datetime
import enum
import urllib.parse
import warnings
from pathlib import Path
from typing import Any

import pydantic
import pytest
from rt_pkg import _operation as operation_module
from rt_pkg._filters import eq, gt
from rt_pkg._models import APIModel
from rt_pkg._operation import Operation, Param
from rt_pkg._serialize import NaiveDatetimeError

Wire = Any  # tests/runtime/conftest.py: Wire

STRING = "blue"
ARRAY = ["blue", "black", "brown"]
OBJECT = {"R": 100, "G": 200, "B": 150}


def query_of(wire: Wire) -> str:
    return wire.last.url.query.decode("ascii")


def path_of(wire: Wire) -> str:
    return wire.last.url.raw_path.decode("ascii").partition("?")[0]


# -- the spec's table: query -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("style", "explode", "value", "expected"),
    [
        ("form", False, STRING, "color=blue"),
        ("form", False, ARRAY, "color=blue,black,brown"),
        ("form", False, OBJECT, "color=R,100,G,200,B,150"),
        ("form", True, STRING, "color=blue"),
        ("form", True, ARRAY, "color=blue&color=black&color=brown"),
        ("form", True, OBJECT, "R=100&G=200&B=150"),
        ("spaceDelimited", False, ARRAY, "color=blue%20black%20brown"),
        ("spaceDelimited", False, OBJECT, "color=R%20100%20G%20200%20B%20150"),
        ("pipeDelimited", False, ARRAY, "color=blue%7Cblack%7Cbrown"),
        ("pipeDelimited", False, OBJECT, "color=R%7C100%7CG%7C200%7CB%7C150"),
        ("deepObject", True, OBJECT, "color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150"),
        # The "empty"/"undefined" column: an empty string, array or object.
        ("form", False, "", "color="),
        ("form", True, "", "color="),
        ("form", False, [], "color="),
        ("form", True, [], "color="),
        ("form", True, {}, "color="),
        ("pipeDelimited", False, [], "color="),
    ],
)
def test_query_styles_as_the_spec_table(
    wire: Wire, style: Any, explode: bool, value: object, expected: str
) -> None:
    operation = Operation(
        "GET", "/items", params=[Param.query("color", style=style, explode=explode)]
    )
    wire.call(operation, {"color": value})
    assert query_of(wire) == expected


def test_the_delimiters_of_older_tables_are_the_same_once_decoded(wire: Wire) -> None:
    # OpenAPI 3.0.3/3.1.0 printed `blue|black|brown` and `color[R]=100`: RFC 3986 does not allow
    # `|`, `[` or `]` in a query, so they are encoded, and decode to exactly those.
    pipes = Operation("GET", "/items", params=[Param.query("color", style="pipeDelimited")])
    deep = Operation("GET", "/items", params=[Param.query("color", style="deepObject")])
    wire.call(pipes, {"color": ARRAY})
    assert urllib.parse.unquote(query_of(wire)) == "color=blue|black|brown"
    wire.call(deep, {"color": OBJECT})
    assert urllib.parse.unquote(query_of(wire)) == "color[R]=100&color[G]=200&color[B]=150"


def test_query_defaults_are_form_and_explode(wire: Wire) -> None:
    operation = Operation("GET", "/items", params=[Param.query("ids"), Param.query("point")])
    wire.call(operation, {"ids": [1, 2], "point": {"x": 1, "y": 2}})
    assert query_of(wire) == "ids=1&ids=2&x=1&y=2"


def test_delimited_styles_exploded_repeat_the_key(wire: Wire) -> None:
    operation = Operation(
        "GET",
        "/items",
        params=[
            Param.query("a", style="spaceDelimited", explode=True),
            Param.query("b", style="deepObject"),
        ],
    )
    wire.call(operation, {"a": ["x", "y"], "b": ["p", "q"]})
    assert query_of(wire) == "a=x&a=y&b=p&b=q"


def test_deep_objects_nest_and_repeat_arrays(wire: Wire) -> None:
    operation = Operation("GET", "/items", params=[Param.query("filter", style="deepObject")])
    wire.call(
        operation,
        {
            "filter": {
                "color": "red",
                "size": {"min": 1, "max": None},
                "tags": ["a", "b"],
                "x": None,
            }
        },
    )
    assert urllib.parse.unquote(query_of(wire)) == (
        "filter[color]=red&filter[size][min]=1&filter[tags]=a&filter[tags]=b"
    )
    wire.call(operation, {"filter": {}})
    assert query_of(wire) == ""


def test_a_nested_structure_in_a_flat_style_is_json(wire: Wire) -> None:
    operation = Operation("GET", "/items", params=[Param.query("q", explode=False)])
    wire.call(operation, {"q": [{"a": 1}, [2, 3]]})
    assert urllib.parse.unquote(query_of(wire)) == 'q={"a":1},[2,3]'


# -- the spec's table: path ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("style", "explode", "value", "expected"),
    [
        ("simple", False, STRING, "blue"),
        ("simple", False, ARRAY, "blue,black,brown"),
        ("simple", False, OBJECT, "R,100,G,200,B,150"),
        ("simple", True, STRING, "blue"),
        ("simple", True, ARRAY, "blue,black,brown"),
        ("simple", True, OBJECT, "R=100,G=200,B=150"),
        ("label", False, STRING, ".blue"),
        ("label", False, ARRAY, ".blue,black,brown"),
        ("label", False, OBJECT, ".R,100,G,200,B,150"),
        ("label", True, STRING, ".blue"),
        ("label", True, ARRAY, ".blue.black.brown"),
        ("label", True, OBJECT, ".R=100.G=200.B=150"),
        ("matrix", False, STRING, ";color=blue"),
        ("matrix", False, ARRAY, ";color=blue,black,brown"),
        ("matrix", False, OBJECT, ";color=R,100,G,200,B,150"),
        ("matrix", True, STRING, ";color=blue"),
        ("matrix", True, ARRAY, ";color=blue;color=black;color=brown"),
        ("matrix", True, OBJECT, ";R=100;G=200;B=150"),
        ("matrix", False, "", ";color"),
        ("matrix", True, [], ";color"),
    ],
)
def test_path_styles_as_the_spec_table(
    wire: Wire, style: Any, explode: bool, value: object, expected: str
) -> None:
    operation = Operation(
        "GET", "/items/{color}", params=[Param.path("color", style=style, explode=explode)]
    )
    wire.call(operation, {"color": value})
    assert path_of(wire) == "/items/" + expected


def test_an_empty_label_is_a_dot(wire: Wire) -> None:
    operation = Operation("GET", "/items/v{color}", params=[Param.path("color", style="label")])
    wire.call(operation, {"color": ""})
    assert path_of(wire) == "/items/v."


@pytest.mark.parametrize(
    ("style", "value"), [("simple", ""), ("simple", ".."), ("simple", []), ("label", "")]
)
def test_a_path_parameter_cannot_empty_or_dot_a_segment(
    wire: Wire, style: Any, value: object
) -> None:
    operation = Operation("GET", "/items/{id}/parts", params=[Param.path("id", style=style)])
    with pytest.raises(ValueError, match="must not give the segment"):
        wire.call(operation, {"id": value})
    with pytest.raises(ValueError, match="needs the path parameter 'id'"):
        wire.call(operation, {})
    assert wire.requests == []


def test_path_values_are_percent_encoded_but_delimiters_are_not(wire: Wire) -> None:
    operation = Operation(
        "GET",
        "/a/{id}/{ids}",
        params=[Param.path("id", "item_id"), Param.path("ids", style="matrix", explode=True)],
    )
    wire.call(operation, {"item_id": "a/b c?d#ü", "ids": ["x,y", "z;w"]})
    assert path_of(wire) == "/a/a%2Fb%20c%3Fd%23%C3%BC/;ids=x%2Cy;ids=z%3Bw"


# -- header and cookie -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("explode", "value", "expected"),
    [
        (False, STRING, "blue"),
        (False, ARRAY, "blue,black,brown"),
        (False, OBJECT, "R,100,G,200,B,150"),
        (True, STRING, "blue"),
        (True, ARRAY, "blue,black,brown"),
        (True, OBJECT, "R=100,G=200,B=150"),
        (False, [], ""),
    ],
)
def test_header_styles_as_the_spec_table(
    wire: Wire, explode: bool, value: object, expected: str
) -> None:
    operation = Operation("GET", "/items", params=[Param.header("X-Color", explode=explode)])
    wire.call(operation, {"X-Color": value})
    assert wire.last.headers.get_list("x-color") == [expected]


def test_header_values_are_not_percent_encoded(wire: Wire) -> None:
    operation = Operation("GET", "/items", params=[Param.header("X-Where", "where")])
    wire.call(operation, {"where": "a b/c;d"})
    assert wire.last.headers["x-where"] == "a b/c;d"
    wire.call(operation, {"where": None})
    assert "x-where" not in wire.last.headers


def test_every_cookie_parameter_goes_in_one_cookie_header(wire: Wire) -> None:
    operation = Operation(
        "GET",
        "/items",
        params=[
            Param.cookie("session"),
            Param.cookie("lang"),
            Param.cookie("unset"),
            Param.cookie("colors", explode=False),
            Param.cookie("each"),
            Param.cookie("rgb"),
        ],
    )
    wire.call(
        operation,
        {"session": "a b", "lang": "en", "colors": ARRAY, "each": ["x", "y"], "rgb": OBJECT},
    )
    assert wire.last.headers.get_list("cookie") == [
        "session=a%20b; lang=en; colors=blue,black,brown; each=x; each=y; R=100; G=200; B=150"
    ]


def test_operation_cookies_join_the_clients_own(make_wire: Any) -> None:
    wire = make_wire(default_headers={"Cookie": "site=1"})
    operation = Operation("GET", "/items", params=[Param.cookie("lang")])
    wire.call(operation, {"lang": "en"})
    assert wire.last.headers.get_list("cookie") == ["site=1; lang=en"]
    wire.call(operation, {})
    assert wire.last.headers.get_list("cookie") == ["site=1"]


# -- primitives ------------------------------------------------------------------------------------


class Colour(enum.Enum):
    RED = "red"


class Size(enum.IntEnum):
    LARGE = 3


class Shade(enum.StrEnum):
    DARK = "dark"


class Point(APIModel):
    x_value: int = pydantic.Field(alias="x")
    y_value: int | None = pydantic.Field(default=None, alias="y")
    note: str | None = None


def test_primitives(wire: Wire) -> None:
    names = ["yes", "no", "colour", "size", "shade", "day", "at", "n", "f", "unset", "filter"]
    operation = Operation("GET", "/items", params=[Param.query(name) for name in names])
    at = datetime.datetime(
        2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
    )
    wire.call(
        operation,
        {
            "yes": True,
            "no": False,
            "colour": Colour.RED,
            "size": Size.LARGE,
            "shade": Shade.DARK,
            "day": datetime.date(2024, 1, 2),
            "at": at,
            "n": 3,
            "f": 0.5,
            "unset": None,
            "filter": eq("status", "pending") & gt("created_at", "2024-01-01"),
        },
    )
    assert query_of(wire) == (
        "yes=true&no=false&colour=red&size=3&shade=dark&day=2024-01-02"
        "&at=2024-01-02T03%3A04%3A05%2B02%3A00&n=3&f=0.5"
        "&filter=eq%28status%2Cpending%29%3Agt%28created_at%2C2024-01-01%29"
    )


def test_none_inside_arrays_and_objects_is_left_out(wire: Wire) -> None:
    operation = Operation(
        "GET", "/items", params=[Param.query("ids", explode=False), Param.query("o", explode=False)]
    )
    wire.call(operation, {"ids": ["a", None, "b"], "o": {"k": None, "v": True}})
    assert query_of(wire) == "ids=a,b&o=v,true"


def test_models_are_objects_by_alias_never_their_repr(wire: Wire) -> None:
    operation = Operation(
        "GET",
        "/items/{p}",
        params=[
            Param.path("p", explode=True),
            Param.query("point"),
            Param.query("deep", style="deepObject"),
            Param.header("X-Point"),
        ],
    )
    point = Point(x=1, y=None)
    wire.call(operation, {"p": point, "point": point, "deep": Point(x=2, y=3), "X-Point": point})
    assert path_of(wire) == "/items/x=1"
    assert urllib.parse.unquote(query_of(wire)) == "x=1&deep[x]=2&deep[y]=3"
    assert wire.last.headers["x-point"] == "x,1"


def test_a_naive_datetime_is_refused(wire: Wire) -> None:
    operation = Operation("GET", "/items", params=[Param.query("since")])
    with pytest.raises(
        NaiveDatetimeError, match=r"GET /items: .*2024-01-02T03:04:05 has no timezone"
    ):
        wire.call(operation, {"since": datetime.datetime(2024, 1, 2, 3, 4, 5)})
    with pytest.raises(ValueError, match="no timezone"):
        wire.call(operation, {"since": [datetime.datetime(2024, 1, 2)]})
    assert wire.requests == []


@pytest.mark.parametrize(
    ("allow_reserved", "expected"),
    [
        (True, "q=a/b:c?d@e!$'()*,;=f%23g%26h%2Bi%5Bj%5D%41%25z%20"),
        (False, "q=a%2Fb%3Ac%3Fd%40e%21%24%27%28%29%2A%2C%3B%3Df%23g%26h%2Bi%5Bj%5D%2541%25z%20"),
    ],
)
def test_allow_reserved_keeps_reserved_characters(
    wire: Wire, allow_reserved: bool, expected: str
) -> None:
    operation = Operation("GET", "/items", params=[Param.query("q", allow_reserved=allow_reserved)])
    wire.call(operation, {"q": "a/b:c?d@e!$'()*,;=f#g&h+i[j]%41%z "})
    assert query_of(wire) == expected


def test_a_content_parameter_is_sent_as_its_media_type(wire: Wire) -> None:
    operation = Operation(
        "GET",
        "/items",
        params=[Param.query("coordinates", media_type="application/json")],
    )
    wire.call(operation, {"coordinates": {"lat": 1.5, "long": -2}})
    assert query_of(wire) == "coordinates=%7B%22lat%22%3A1.5%2C%22long%22%3A-2%7D"


def test_extra_query_overrides_the_operations_parameters(wire: Wire) -> None:
    operation = Operation(
        "GET", "/items", params=[Param.query("page[limit]", "limit"), Param.query("q")]
    )
    wire.call(operation, {"limit": 5, "q": "x"}, options={"extra_query": {"page[limit]": 50}})
    assert urllib.parse.unquote(query_of(wire)) == "q=x&page[limit]=50"


# -- declarations ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("param", "style", "explode"),
    [
        (Param.query("a"), "form", True),
        (Param.query("a", style="pipeDelimited"), "pipeDelimited", False),
        (Param.path("a"), "simple", False),
        (Param.header("a"), "simple", False),
        (Param.cookie("a"), "form", True),
        (Param("a", "query"), "form", True),
        (Param("a", "path", style="matrix"), "matrix", False),
    ],
)
def test_defaults_per_location(param: Param, style: str, explode: bool) -> None:
    assert (param.style, param.explode, param.arg) == (style, explode, "a")


def test_declarations_the_spec_does_not_allow_are_refused() -> None:
    with pytest.raises(ValueError, match="style 'form' is not one of"):
        Param("id", "path", style="form")
    with pytest.raises(ValueError, match="style 'deepObject' is not one of"):
        Param("id", "header", style="deepObject")
    with pytest.raises(ValueError, match="no path parameter 'id' is declared"):
        Operation("GET", "/items/{id}")


# -- deprecation -----------------------------------------------------------------------------------


def test_a_deprecated_operation_and_parameter_warn_at_the_callers_line(wire: Wire) -> None:
    operation = Operation(
        "GET",
        "/old",
        params=[Param.query("since", deprecated=True), Param.query("limit")],
        deprecated=True,
    )
    with pytest.warns(DeprecationWarning) as caught:
        wire.call(operation, {"limit": 5})
    assert [str(w.message) for w in caught] == ["GET /old is deprecated"]
    with pytest.warns(DeprecationWarning) as caught:
        wire.call(operation, {"since": "2024-01-01"})
    assert [str(w.message) for w in caught] == [
        "GET /old is deprecated",
        "the query parameter 'since' of GET /old is deprecated",
    ]
    # Attributed to the first frame outside the runtime package (here the test harness, or for the
    # async client the event loop that runs the call).
    runtime = Path(operation_module.__file__).parent
    assert all(runtime not in Path(w.filename).parents for w in caught)
    assert {Path(w.filename).name for w in caught} <= {"conftest.py", "events.py"}


def test_a_deprecated_parameter_left_unset_does_not_warn(wire: Wire) -> None:
    operation = Operation("GET", "/items", params=[Param.query("old", deprecated=True)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wire.call(operation, {"old": None})
