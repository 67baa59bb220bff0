"""Wrapping the prose of docstrings: `textwrap.wrap` with jobgen's settings."""

from __future__ import annotations

import re
import textwrap

WIDTH = 88
_KEEP_LINE = ("|", "#", "```", "    ", "\t")


def wrap_prose(text: str) -> str:
    """Wrap long prose lines; keep tables, headings, code and indented lines as written."""
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= WIDTH or line.startswith(_KEEP_LINE):
            out.append(line)
            continue
        bullet = re.match(r"^(\s*(?:[-*+]|\d+[.)])\s+)", line)
        indent = " " * len(bullet.group(1)) if bullet else ""
        out.extend(wrap_line(line, WIDTH, indent) or [""])
    return "\n".join(out)


def wrap_line(line: str, width: int, indent: str = "") -> list[str]:
    """`line` wrapped at `width` with jobgen's settings: words are never broken, not even at
    hyphens; lines after the first start with `indent`."""
    return textwrap.wrap(
        line, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
    )
