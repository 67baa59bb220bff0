"""Docstring prose is wrapped at 88 columns; tables, headings, code and indented lines are kept."""

from __future__ import annotations

from generator.render.wrapping import WIDTH, wrap_prose

_LONG = " ".join(["word"] * 40)


def test_long_prose_is_wrapped_at_the_width() -> None:
    lines = wrap_prose(_LONG).split("\n")
    assert len(lines) > 1
    assert all(len(line) <= WIDTH for line in lines)
    assert " ".join(lines) == _LONG


def test_a_bullet_continues_under_its_text() -> None:
    lines = wrap_prose("- " + _LONG).split("\n")
    assert lines[0].startswith("- word")
    assert all(line.startswith("  word") for line in lines[1:])
    numbered = wrap_prose("10. " + _LONG).split("\n")
    assert all(line.startswith("    word") for line in numbered[1:])


def test_tables_headings_code_and_indented_lines_are_kept() -> None:
    for line in ("| a | " + _LONG, "# " + _LONG, "```" + _LONG, "    " + _LONG, "\t" + _LONG):
        assert wrap_prose(line) == line


def test_words_are_not_broken_even_at_hyphens() -> None:
    url = "https://example.com/" + "a-b" * 40
    assert wrap_prose(f"see {url} there") == f"see\n{url}\nthere"
