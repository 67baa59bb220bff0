"""Parameters at the wire: what a generated method sends for each style, explode, allowReserved,
content parameter, header and cookie, with defaults from the spec and deprecation surfaced."""

from __future__ import annotations

import datetime
import inspect
import urllib.parse
import warnings
from pathlib import Path
from types import ModuleType

import pytest

from .conftest import EXPECTED_WARNINGS, Build, Wire, models_of


def test_query_styles_and_explode(wire: Wire, pkg: ModuleType) -> None:
    models = models_of(pkg, "query_styles")
    wire.run(
        lambda c: c.query_styles.items.list_items(
            form_array=["a", "b"],
            flat_array=[1, 2],
            point=models.Point(x=1, y=2),
            flat_point={"x": 3, "y": 4},
            spaced=["c", "d"],
            piped=["e", "f"],
            filter=models.Filter(color="red", size={"min": 1}),
        )
    )
    assert wire.query == (
        "form_array=a&form_array=b"
        "&flat_array=1,2"
        "&x=1&y=2"
        "&flat_point=x,3,y,4"
        "&spaced=c%20d"
        "&piped=e%7Cf"
        "&filter%5Bcolor%5D=red&filter%5Bsize%5D%5Bmin%5D=1"
    )
    assert wire.last.url.params.get_list("flat_array") == ["1,2"]


def test_allow_reserved_keeps_reserved_characters_and_others_are_encoded(wire: Wire) -> None:
    wire.run(lambda c: c.query_styles.items.list_items(path="a/b?c=d", escaped="a/b?c=d"))
    assert wire.query == "path=a/b?c=d&escaped=a%2Fb%3Fc%3Dd"


def test_a_content_parameter_is_sent_as_json_text(wire: Wire, pkg: ModuleType) -> None:
    point = models_of(pkg, "query_styles").Point(x=1)
    wire.run(lambda c: c.query_styles.items.list_items(where=point))
    assert urllib.parse.unquote(wire.query) == 'where={"x":1}'


def test_path_styles_in_path_order(wire: Wire) -> None:
    # Declared point, ids, store: the method takes them in the path's order.
    method = wire.client.path_styles.items.get_items
    assert list(inspect.signature(method).parameters)[:3] == ["store", "ids", "point"]
    wire.run(lambda c: c.path_styles.items.get_items("s 1", ["a", "b"], {"x": 1, "y": 2}))
    assert wire.last.url.raw_path.decode() == "/stores/s%201/items/.a,b/;x=1;y=2"
    wire.run(lambda c: c.path_styles.items.get_labels(["a", "b"], ["c", "d"]))
    assert wire.last.url.raw_path.decode() == "/labels/.a.b/;matrix=c,d"


def test_headers_and_every_cookie_in_one_header(wire: Wire) -> None:
    wire.run(
        lambda c: c.headers_cookies.session.get_session(
            x_tags=["a", "b"],
            x_point={"x": 1, "y": 2},
            x_flat_point={"x": 1, "y": 2},
            session="s1",
            theme="dark mode",
            prefs=["p", "q"],
        )
    )
    headers = wire.last.headers
    assert headers["X-Tags"] == "a,b"
    assert headers["X-Point"] == "x=1,y=2"
    assert headers["X-Flat-Point"] == "x,1,y,2"
    assert headers.get_list("Cookie") == ["session=s1; theme=dark%20mode; prefs=p,q"]


def test_unset_parameters_are_not_sent(wire: Wire) -> None:
    wire.run(lambda c: c.headers_cookies.session.get_session(theme="t"))
    assert wire.last.headers.get_list("Cookie") == ["theme=t"]
    assert "X-Tags" not in wire.last.headers
    wire.run(lambda c: c.query_styles.items.list_items())
    assert wire.query == ""


def test_the_construct_specs_warn_only_of_the_invalid_default(build: Build) -> None:
    assert [code for code in build.warnings if code != "no-job-profile"] == EXPECTED_WARNINGS


def test_defaults_are_in_the_signature_and_sent(wire: Wire, pkg: ModuleType) -> None:
    models = models_of(pkg, "defaults")
    signature = inspect.signature(wire.client.defaults.items.list_items)
    defaults = {name: p.default for name, p in signature.parameters.items()}
    assert defaults["limit"] == 25 and defaults["verbose"] is False
    assert defaults["order"] is models.Order.DESC and defaults["kind"] is models.Kind.B
    assert defaults["label"] == "all items"
    # Required with a default: optional, with that default.
    assert defaults["offset"] == 1
    # Not carried: an array (the server applies it), and an invalid default (a warning).
    assert defaults["ids"] is None and defaults["token"] is None
    wire.respond(200, json={})
    settings = wire.run(lambda c: c.defaults.items.list_items())
    assert wire.query == "limit=25&offset=1&order=desc&kind=b&verbose=false&label=all%20items"
    # Field defaults fill what the server left out.
    assert (settings.size, settings.order, settings.name, settings.ratio) == (
        10,
        models.Order.DESC,
        "unnamed",
        0.5,
    )
    wire.run(lambda c: c.defaults.items.list_items(limit=5, order=models.Order.ASC))
    assert wire.query.startswith("limit=5&offset=1&order=asc&")


def test_deprecation_warns_at_the_callers_line_and_is_documented(wire: Wire) -> None:
    legacy = wire.client.deprecation.legacy
    assert "(deprecated)" in (legacy.get_old.__doc__ or "")
    assert "Deprecated: `since`." in (legacy.list_items.__doc__ or "")
    with pytest.warns(DeprecationWarning, match=r"^GET /old is deprecated$") as caught:
        wire.run(lambda c: c.deprecation.legacy.get_old())
    if wire.kind == "sync":
        assert {Path(w.filename) for w in caught} == {Path(__file__)}
    with pytest.warns(DeprecationWarning, match="the query parameter 'since' of GET /items"):
        wire.run(lambda c: c.deprecation.legacy.list_items(since="2024"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wire.run(lambda c: c.deprecation.legacy.list_items(limit=1))


def test_a_naive_datetime_parameter_is_refused(wire: Wire) -> None:
    with pytest.raises(ValueError, match="GET /events: the datetime 2024-01-02T00:00:00 has no"):
        wire.run(lambda c: c.datetimes.events.list_events(since=datetime.datetime(2024, 1, 2)))
    assert wire.requests == []
    since = datetime.datetime(2024, 1, 2, tzinfo=datetime.UTC)
    wire.respond(200, json={"at": "2024-01-02T00:00:00Z"})
    wire.run(lambda c: c.datetimes.events.list_events(since=since))
    assert wire.query == "since=2024-01-02T00%3A00%3A00%2B00%3A00"
