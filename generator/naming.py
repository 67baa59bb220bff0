"""Safe Python names, made once at the edge (parse) and trusted everywhere after.

Rules (documented in README, "Naming"):
- Names are folded to ASCII (NFKD; other characters dropped), split into words at non-alphanumerics
  and at lower-to-upper case changes, then joined as snake_case (attributes, parameters, methods),
  PascalCase (classes) or UPPER_SNAKE (enum members).
- A name that starts with a digit gets a prefix (`n_`, `Model`, `VALUE_`); a Python keyword, soft keyword,
  or a name that shadows a pydantic `BaseModel` attribute gets a trailing underscore; an empty name
  becomes a placeholder (`field`, `Model`, `EMPTY`).
- Collisions inside one scope are resolved in the order the spec declares things: the first keeps its
  name, later ones get `_2`, `_3`, ... (classes: `2`, `3`, ...). The order is the document order, so the
  result is the same on every run and machine.
"""

from __future__ import annotations

import keyword
import re
import unicodedata

import pydantic

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z]+[0-9]*|[A-Z]+[0-9]*|[0-9]+[a-z]*")
_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | {"None", "True", "False"}
# Attributes of BaseModel (`json`, `schema`, `copy`, `model_config`, ...) and names our templates use.
_MODEL_RESERVED = frozenset(name for name in dir(pydantic.BaseModel) if not name.startswith("__"))
_MODULE_RESERVED = frozenset({"models", "resources", "testing"})


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def words(text: str) -> list[str]:
    return _WORD.findall(_ascii(text))


def snake(text: str, *, empty: str = "field") -> str:
    name = "_".join(w.lower() for w in words(text))
    if not name:
        return empty
    if name[0].isdigit():
        name = "n_" + name
    return name + "_" if name in _RESERVED else name


def field_name(text: str) -> str:
    """A pydantic field name: snake_case that shadows nothing on BaseModel."""
    name = snake(text)
    if name in _MODEL_RESERVED or name.startswith("model_"):
        name += "_"
    return name


def param_name(text: str) -> str:
    name = snake(text, empty="param")
    return name + "_" if name in {"self", "options", "body"} else name


def method_name(text: str) -> str:
    name = snake(text, empty="call")
    return name + "_" if name in {"with_raw_response"} else name


def module_name(text: str) -> str:
    name = snake(text, empty="api")
    return name + "_" if name in _MODULE_RESERVED or name.startswith("_") else name


def class_name(text: str, *, empty: str = "Model") -> str:
    name = "".join(w[:1].upper() + w[1:] for w in words(text))
    if not name:
        return empty
    if name[0].isdigit():
        name = empty + name
    return name + "_" if name in _RESERVED else name


def enum_member(value: object) -> str:
    text = (
        value
        if isinstance(value, str)
        else str(value).replace("-", "minus ").replace(".", " point ")
    )
    name = "_".join(w.upper() for w in words(text))
    if not name:
        return "EMPTY"
    if name[0].isdigit():
        name = "VALUE_" + name
    return name + "_" if name in _RESERVED or name in {"NAME", "VALUE"} else name


class Scope:
    """Hands out unique names in one namespace, first come first served."""

    def __init__(self, taken: frozenset[str] | set[str] = frozenset(), sep: str = "_") -> None:
        self._taken: set[str] = set(taken)
        self._sep = sep

    def claim(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self._taken:
            n += 1
            candidate = f"{name}{self._sep}{n}"
        self._taken.add(candidate)
        return candidate

    def __contains__(self, name: str) -> bool:
        return name in self._taken
