"""Wrapping the prose of docstrings: `textwrap.wrap` with jobgen's settings.

`wrap_line` is a copy of it specialised to those settings, a speed trick (`wrap`, see `speed.py`)
whose plain twin is `textwrap_line`; tests/test_wrap.py holds the two to each other, line for line.
"""

from __future__ import annotations

import re
import textwrap
from functools import cache

from .. import speed

WIDTH = 88
_KEEP_LINE = ("|", "#", "```", "    ", "\t")


def wrap_prose(text: str) -> str:
    """Wrap long prose lines; keep tables, headings, code and indented lines as written."""
    wrap = wrap_line if speed.on("wrap") else textwrap_line
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= WIDTH or line.startswith(_KEEP_LINE):
            out.append(line)
            continue
        bullet = re.match(r"^(\s*(?:[-*+]|\d+[.)])\s+)", line)
        indent = " " * len(bullet.group(1)) if bullet else ""
        out.extend(wrap(line, WIDTH, indent) or [""])
    return "\n".join(out)


def textwrap_line(line: str, width: int, indent: str = "") -> list[str]:
    """`line` wrapped at `width` with jobgen's settings: words are never broken, not even at
    hyphens; lines after the first start with `indent`."""
    return textwrap.wrap(
        line, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
    )


# Prose whose only whitespace is single spaces between words (nearly all of it) is wrapped line by
# line with a regex; anything else goes through the general, word-by-word loop.
_NOT_SIMPLE = re.compile(r"^ | $|  |[^\S ]")
_WORD_RUN = re.compile("[^ ]+")


@cache
def _fitting(width: int) -> re.Pattern[str]:
    # The longest run of words, at most `width` long, that a space or the end follows.
    return re.compile(f"[^ ].{{0,{width - 1}}}(?= |$)")


def _wrap_simple(text: str, width: int, indent: str) -> list[str]:
    lines: list[str] = []
    first, rest = _fitting(width), _fitting(width - len(indent))
    position, end = 0, len(text)
    while position < end:
        found = (rest if lines else first).match(text, position)
        if found is None:  # a word longer than the line stands alone
            found = _WORD_RUN.match(text, position)
            assert found is not None
        lines.append(indent + found.group() if lines else found.group())
        position = found.end() + 1  # past the space between the lines
    return lines


# textwrap's whitespace: ASCII only (a no-break space is part of a word).
_TEXTWRAP_SPACES = str.maketrans(dict.fromkeys("\t\n\x0b\x0c\r", " "))
_SPACE_RUNS = re.compile("( +)")


def wrap_line(line: str, width: int, indent: str = "") -> list[str]:
    """`textwrap_line(line, width, indent)`, line for line, without textwrap's general machinery."""
    if not _NOT_SIMPLE.search(line) and width - len(indent) >= 1:
        return _wrap_simple(line, width, indent)
    text = line.expandtabs().translate(_TEXTWRAP_SPACES)
    chunks = [chunk for chunk in _SPACE_RUNS.split(text) if chunk]
    lines: list[str] = []
    count = len(chunks)
    index = 0
    while index < count:
        prefix = indent if lines else ""
        room = width - len(prefix)
        if lines and not chunks[index].strip():
            index += 1  # whitespace at the start of a line after the first is dropped
        current: list[str] = []
        length = 0
        while index < count and length + len(chunks[index]) <= room:
            length += len(chunks[index])
            current.append(chunks[index])
            index += 1
        if index < count and not current and len(chunks[index]) > room:
            current.append(chunks[index])  # a word longer than the line stands alone, unbroken
            index += 1
        if current and not current[-1].strip():
            current.pop()  # and so is whitespace at the end of a line
        if current:
            lines.append(prefix + "".join(current))
    return lines
