"""The filter builder: wire form, quoting, combination and raw strings."""

from __future__ import annotations

import datetime
import enum

import pytest
from rt_pkg._filters import Filter, eq, ge, gt, in_, is_null, le, like, lt


class Status(enum.Enum):
    PENDING = "pending"


@pytest.mark.parametrize(
    ("built", "wire"),
    [
        (eq("status", "pending"), "eq(status,pending)"),
        (like("name", "*shoe*"), "like(name,*shoe*)"),
        (gt("created_at", "2024-01-01"), "gt(created_at,2024-01-01)"),
        (ge("amount", 10), "ge(amount,10)"),
        (lt("amount", 9.5), "lt(amount,9.5)"),
        (le("amount", -1), "le(amount,-1)"),
        (in_("id", "a", "b", "c"), "in(id,a,b,c)"),
        (is_null("parent_id"), "is_null(parent_id)"),
        (eq("enabled", True), "eq(enabled,true)"),
        (eq("enabled", False), "eq(enabled,false)"),
        (eq("status", Status.PENDING), "eq(status,pending)"),
        (gt("created_at", datetime.date(2024, 1, 2)), "gt(created_at,2024-01-02)"),
        (eq("email", "andy@example.com"), "eq(email,andy@example.com)"),
        (eq("attributes.status", "x"), "eq(attributes.status,x)"),
    ],
)
def test_operators_give_the_wire_form(built: Filter, wire: str) -> None:
    assert str(built) == wire


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        ("a,b", '"a,b"'),
        ("a:b", '"a:b"'),
        ("f(x)", '"f(x)"'),
        ("two words", '"two words"'),
        ("tab\there", '"tab\there"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("", '""'),
        (" padded ", '" padded "'),
        (datetime.datetime(2024, 1, 2, 3, 4, 5), '"2024-01-02T03:04:05"'),
    ],
)
def test_values_with_syntax_characters_are_quoted_and_escaped(value: object, wire: str) -> None:
    assert str(eq("name", value)) == f"eq(name,{wire})"  # type: ignore[arg-type]


def test_in_quotes_each_value_on_its_own() -> None:
    assert str(in_("name", "a,b", "c", 'd"e')) == 'in(name,"a,b",c,"d\\"e")'


def test_and_joins_with_a_colon() -> None:
    combined = eq("status", "pending") & gt("created_at", "2024-01-01") & like("name", "x*")
    assert str(combined) == "eq(status,pending):gt(created_at,2024-01-01):like(name,x*)"
    assert combined.clauses == ("eq(status,pending)", "gt(created_at,2024-01-01)", "like(name,x*)")


def test_raw_strings_are_accepted_on_either_side() -> None:
    assert str(eq("a", 1) & "like(name,*shoe*)") == "eq(a,1):like(name,*shoe*)"
    assert str("like(name,*shoe*)" & eq("a", 1)) == "like(name,*shoe*):eq(a,1)"
    assert str(Filter("eq(a,1)", eq("b", 2), "  ")) == "eq(a,1):eq(b,2)"


def test_equality_hash_repr_and_truth() -> None:
    assert eq("a", 1) == eq("a", 1)
    assert eq("a", 1) == "eq(a,1)"
    assert eq("a", 1) != eq("a", 2)
    assert len({eq("a", 1), Filter("eq(a,1)")}) == 1
    assert repr(eq("a", 1) & eq("b", 2)) == "Filter('eq(a,1):eq(b,2)')"
    assert not Filter()
    assert Filter("eq(a,1)")


@pytest.mark.parametrize("field", ["", "a b", "a,b", "a:b", "a(b", 'a"b'])
def test_field_names_are_checked(field: str) -> None:
    with pytest.raises(ValueError, match="field name"):
        eq(field, 1)


def test_in_needs_a_value() -> None:
    with pytest.raises(ValueError, match="at least one value"):
        in_("id")


def test_only_filters_and_strings_combine() -> None:
    with pytest.raises(TypeError):
        eq("a", 1) & 5  # type: ignore[operator]
    with pytest.raises(TypeError, match="Filter or a str"):
        Filter(5)  # type: ignore[arg-type]
