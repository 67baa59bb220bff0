"""Python source text: literals for values, and spec text made safe in docstrings and comments.

Spec text reaches the generated code only through these functions (the templates use them as the
`pystr`, `docstring` and `comment` filters): tests/hostile/test_injection.py holds them to it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import NamedTuple

from .wrapping import wrap_prose


class Code(NamedTuple):
    """A Python expression or annotation written here, with the module-level names it reads.

    `names` is what the generated module must import for it (`Any`, `datetime`, `models`,
    `to_json`, ...): builtins, parameters and classes of the same module are not in it. Import blocks
    are made from these, never read back from the text. (A named tuple: views hold tens of
    thousands of them on a large spec, and a tuple is the cheapest immutable value to build.)
    """

    text: str
    names: frozenset[str] = frozenset()
    # Whether it ends in a `None` member as written (`X | None`, `None`, or `Any`): then `optional`
    # leaves it as it is.
    none_last: bool = False

    def __str__(self) -> str:
        return self.text


def code(text: str, *names: str) -> Code:
    """`Code(text)` that reads `names`."""
    return Code(text, frozenset(names))


def names_of(codes: Iterable[Code | None]) -> set[str]:
    """Every name that any of `codes` reads."""
    found: set[str] = set()
    for item in codes:
        if item is not None:
            found.update(item.names)
    return found


# One encoder for every literal (`json.dumps` with options builds a new one per call).
_JSON = json.JSONEncoder(ensure_ascii=False)


def py_str(value: object) -> str:
    """A Python string literal for any text, in ASCII.

    JSON escapes quotes, backslashes and control characters as Python does; every other non-ASCII
    character becomes `\\uXXXX` or `\\UXXXXXXXX`. (JSON's own `ensure_ascii` writes a character
    beyond U+FFFF as a surrogate pair, which Python reads as two lone surrogates, not the character.)
    """
    text = _JSON.encode(str(value))
    if text.isascii() and "\x7f" not in text:
        return text
    return "".join(
        ch if ord(ch) < 127 else f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}"
        for ch in text
    )


def string_body(value: object) -> str:
    """What `py_str` writes between the quotes: for text shown as the code spells it (Markdown)."""
    return py_str(value)[1:-1]


def py_value(value: object) -> str:
    """A Python literal for a JSON scalar (enum values, consts)."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int | float):
        text = repr(value)
        return text if text not in ("inf", "-inf", "nan") else f'float("{text}")'
    return py_str(value)


# Control characters other than newline and tab (carriage returns are made newlines first).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# Whitespace at the end of a line (what `str.rstrip` removes from each line).
_LINE_END_SPACE = re.compile(r"[^\S\n]+(?=\n)")


def _clean(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", text)


def docstring_body(text: str) -> str:
    """Text made safe inside a triple-quoted docstring: no closing quotes, no escapes, no controls."""
    text = _clean(text).strip()
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if "\n" in text:
        text = _LINE_END_SPACE.sub("", text)
    if text.endswith('"'):
        text += " "
    return text


def comment(text: str) -> str:
    """Text made safe on one line of a comment or a one-line docstring: whitespace runs are one space."""
    return " ".join(_clean(text).split())


def docstring(*parts: str, indent: str = "") -> str:
    """A docstring body from paragraphs of spec text (empty ones left out), wrapped and made safe.

    A multi-line body ends with a newline, so the closing quotes get their own line; with `indent`
    (the docstring's own indentation) its lines after the first, and those quotes, are indented too.
    """
    text = docstring_body(wrap_prose("\n\n".join(p.strip() for p in parts if p and p.strip())))
    if "\n" not in text:
        return text
    # With the closing quotes on their own line, the space that keeps a final `"` off them would
    # only be trailing whitespace.
    text = text.removesuffix(" ")
    if indent:
        first, *rest = text.split("\n")
        text = "\n".join([first, *(indent + line if line else line for line in rest)])
    return text + "\n" + indent


def dict_literal(entries: list[tuple[str, Code]]) -> Code | None:
    """`{"key": value, ...}` from (text, expression) pairs; None for no pairs."""
    if not entries:
        return None
    text = "{" + ", ".join(f"{py_str(key)}: {value.text}" for key, value in entries) + "}"
    return Code(text, frozenset(names_of(value for _, value in entries)))
