"""Degrade, don't die: what the validation finds wrong and no repair fixed is left out, the smallest
item that holds it (a property, a parameter, a response, an operation, a path, a component, a
server), and everything else is generated.

The pipeline calls `prune` with a document's problems (from `validate.py`); it removes each
problem's item from the document's data, records a located `skipped` entry naming the problem and
what was left out, and returns the problems no item holds (an invalid `info`, a `components` that is
a list): those are errors. The pruned document is then validated and parsed again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .diagnostics import Collector, InputError, join_pointer, unescape_pointer_token
from .load import Document
from .repair import HTTP_METHODS, remove_item
from .validate import Problem

# Schema keywords whose value is a schema, and those whose value holds schemas by name or index.
_SUBSCHEMA = frozenset(
    {
        "items",
        "additionalProperties",
        "not",
        "contains",
        "propertyNames",
        "unevaluatedItems",
        "unevaluatedProperties",
        "if",
        "then",
        "else",
    }
)
_SUBSCHEMAS = frozenset(
    {"allOf", "anyOf", "oneOf", "prefixItems", "$defs", "definitions", "patternProperties"}
)


@dataclass(frozen=True)
class Item:
    """Something the document holds that can be left out: its tokens (a JSON pointer's, unescaped)
    and what it is, in words (`the property 'id'`)."""

    tokens: tuple[str, ...]
    kind: str

    @property
    def pointer(self) -> str:
        return join_pointer("", *self.tokens)

    def holds(self, other: Item) -> bool:
        return other.tokens[: len(self.tokens)] == self.tokens


def enclosing_item(pointer: str) -> Item | None:
    """The smallest item that holds the value at `pointer`, or None when only the document does."""
    tokens = [unescape_pointer_token(t) for t in pointer.split("/")[1:]]
    found: list[Item] = []

    def add(end: int, kind: str) -> None:
        found.append(Item(tuple(tokens[:end]), kind))

    top = tokens[0] if tokens else ""
    if top == "paths" and len(tokens) >= 2:
        add(2, f"the path {tokens[1]}")
        rest, owner = 2, f"the path {tokens[1]}"
        if len(tokens) > 2 and tokens[2] in HTTP_METHODS:
            owner = f"{tokens[2].upper()} {tokens[1]}"
            add(3, f"the operation {owner}")
            rest = 3
        if len(tokens) > rest + 1 and tokens[rest] == "parameters":
            add(rest + 2, f"parameter {tokens[rest + 1]} of {owner}")
        elif len(tokens) > rest + 1 and tokens[rest] == "responses":
            add(rest + 2, f"the {tokens[rest + 1]} response of {owner}")
        elif len(tokens) > rest + 1 and tokens[rest] == "servers":
            add(rest + 2, f"server {tokens[rest + 1]} of {owner}")
        _schema_items(tokens, rest, add)
    elif top == "components" and len(tokens) >= 3:
        kind = {"schemas": "schema", "responses": "response", "parameters": "parameter"}.get(
            tokens[1], tokens[1]
        )
        add(3, f"the component {kind} {tokens[2]!r}")
        _schema_items(tokens, 3, add, start_in_schema=tokens[1] == "schemas")
    elif top in ("servers", "tags", "security") and len(tokens) >= 2:
        what = {"servers": "server", "tags": "tag", "security": "security requirement"}[top]
        add(2, f"{what} {tokens[1]}")
    elif top == "webhooks" and len(tokens) >= 2:
        add(2, f"the webhook {tokens[1]!r}")
    return found[-1] if found else None


def _schema_items(
    tokens: list[str], start: int, add: Callable[[int, str], None], *, start_in_schema: bool = False
) -> None:
    """The properties a pointer passes through in the schema it reaches (if any)."""
    index = start
    if not start_in_schema:
        try:  # the schema of a parameter, media type or header: after the first `schema`
            index = tokens.index("schema", start) + 1
        except ValueError:
            return
    while index < len(tokens):
        keyword = tokens[index]
        if keyword == "properties" and index + 1 < len(tokens):
            add(index + 2, f"the property {tokens[index + 1]!r}")
            index += 2
        elif keyword in _SUBSCHEMA:
            index += 1
        elif keyword in _SUBSCHEMAS and index + 1 < len(tokens):
            index += 2
        else:
            return


def prune(doc: Document, problems: list[Problem], report: Collector) -> list[InputError]:
    """Leave out of `doc` the item of each problem (recording it in `report`); the errors for the
    problems no item holds."""
    errors: list[InputError] = []
    items: list[tuple[Item, Problem]] = []
    for problem in problems:
        message, pointer, code = problem
        item = enclosing_item(pointer)
        if item is None:
            errors.append(InputError(message, doc.location(pointer), code))
        else:
            items.append((item, problem))
    # An item inside another that is left out goes with it (its problem is still reported).
    outermost = [i for i, _ in items if not any(o.holds(i) and o != i for o, _ in items)]
    for item, (message, pointer, code) in items:
        report.skip(
            f"{message}; {_outermost_of(item, outermost).kind} is left out",
            doc.location(pointer),
            code or "invalid",
        )
    # Later list items first, so that the indices of the earlier ones still hold.
    for item in sorted(set(outermost), key=_removal_order, reverse=True):
        _remove(doc, item.tokens)
    return errors


def _outermost_of(item: Item, outermost: list[Item]) -> Item:
    return next((o for o in outermost if o.holds(item)), item)


def _removal_order(item: Item) -> tuple[Any, ...]:
    return tuple((1, int(t), "") if t.isdigit() else (0, 0, t) for t in item.tokens)


def _remove(doc: Document, tokens: tuple[str, ...]) -> None:
    parent: Any = doc.data
    for token in tokens[:-1]:
        if isinstance(parent, dict):
            parent = parent.get(token)
        elif isinstance(parent, list) and token.isdigit() and int(token) < len(parent):
            parent = parent[int(token)]
        else:
            return
    last = tokens[-1]
    if isinstance(parent, dict):
        parent.pop(last, None)
    elif isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        remove_item(doc, parent, int(last), join_pointer("", *tokens[:-1]))
