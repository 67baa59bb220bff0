"""`render.wrap_line` is `textwrap.wrap` with jobgen's settings, line for line."""

from __future__ import annotations

import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.render import wrap_line

# Words, runs of every kind of whitespace textwrap knows (and some it does not), long words.
_PIECES = st.sampled_from(
    [
        "a",
        "bb",
        "word",
        "x" * 95,
        "-",
        "é",
        ".",
        " ",
        "  ",
        "\t",
        "\x0b",
        "\x0c",
        "\r",
        "\u00a0",
        "\u2003",
    ]
)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(
    line=st.lists(_PIECES | st.text(max_size=5), max_size=60).map("".join),
    width=st.integers(min_value=1, max_value=100),
    indent=st.sampled_from(["", " ", "  ", "    "]),
)
def test_wrap_line_is_textwrap(line: str, width: int, indent: str) -> None:
    expected = textwrap.wrap(
        line, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
    )
    assert wrap_line(line, width, indent) == expected


@settings(max_examples=500, deadline=None, derandomize=True)
@given(
    words=st.lists(
        st.text(
            st.characters(blacklist_categories=["Zs", "Zl", "Zp", "Cc"]), min_size=1, max_size=12
        )
        | st.sampled_from(["a", "word", "x" * 30, "é"]),
        max_size=40,
    ),
    width=st.integers(min_value=2, max_value=100),
    indent=st.sampled_from(["", " ", "   "]),
)
def test_prose_of_single_spaced_words_wraps_as_textwrap_does(
    words: list[str], width: int, indent: str
) -> None:
    line = " ".join(words)
    expected = textwrap.wrap(
        line, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
    )
    assert wrap_line(line, width, indent) == expected
