"""What changed in the package's API between two regenerations, what breaks, and the next version.

`compare` lists the differences between the surface the output folder holds and the new one
(`surface.py`), each classified by the rules below; `next_version` moves the version by semver;
`record` adds the release to the history the changelog is rendered from.

The rules judge the Python API users program against, under `mypy --strict`:

- Anything removed is breaking (an API, resource, method, parameter, model, field, enum, enum
  member, job family, job status word or job operation), and so is a class renamed.
- Added: not breaking, except a required parameter, or a required field of a model that requests
  send (code that calls or builds it without that argument stops working).
- Types are judged by the way values flow. What the user passes (parameters, fields of models that
  requests send) may widen, not narrow; what the user reads (return types, fields of models that
  responses carry) may narrow, not widen. A model used both ways may not change type at all. A
  type that neither contains the other (`str` to `int`) is breaking either way.
- Optional to required: breaking for what the user passes; required to optional: breaking for
  what the user reads (the value may now be missing: `X | None`).
- A parameter moved between positional and keyword, or to another position: breaking.
- A job status word mapped to another canonical status, a job state reached under other conditions,
  a job family's get and list taking other parents: breaking (waiting and polling act on them).
- Not breaking: a default changed, a field's wire name changed (the Python name stays), an enum
  member's value changed (its name stays), a deprecation.

Unions are compared member by member; `int` fits `float`, a literal fits its type, `Any` fits
everything both ways, and `list[...]`/`dict[str, ...]` are compared by their items.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .surface import Symbol

ChangeKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class Change:
    """One difference between two surfaces, and whether it breaks code written for the older."""

    kind: ChangeKind
    breaking: bool
    symbol: str
    message: str
    location: str  # `file:line #pointer` (no line for what was removed: it is in the old spec)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "breaking": self.breaking,
            "symbol": self.symbol,
            "message": self.message,
            "location": self.location,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Change:
        """The change `as_json` gave; TypeError or ValueError when `data` is not one."""
        kind, breaking = data["kind"], data["breaking"]
        texts = (data["symbol"], data["message"], data["location"])
        if kind not in ("added", "removed", "changed") or not isinstance(breaking, bool):
            raise ValueError(f"not a change: {kind!r}")
        if not all(isinstance(t, str) for t in texts):
            raise TypeError("a change's symbol, message and location are strings")
        return cls(kind, breaking, *texts)

    def __str__(self) -> str:
        """One line (what a spec names is escaped: `check` prints these as the `#` lines of a
        patch, where a line break would start a line of the patch)."""
        tag = "breaking" if self.breaking else self.kind
        return one_line(f"{tag}: {self.symbol}: {self.message} ({self.location})")


_LINE_BREAKING = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")


def one_line(text: str) -> str:
    """`text` with every control character and line separator escaped as in a Python string."""
    return _LINE_BREAKING.sub(lambda found: repr(found.group())[1:-1], text)


@dataclass(frozen=True)
class Release:
    """One version of the package in its history, and the changes that made it."""

    version: str
    changes: tuple[Change, ...] = ()
    first: bool = False  # the first generation: nothing to compare with


_NOUNS = {
    "api": "API",
    "resource": "resource",
    "method": "method",
    "parameter": "parameter",
    "module": "models module",
    "model": "model",
    "field": "field",
    "enum": "enum",
    "member": "enum member",
    "job family": "job family",
    "job status": "job status word",
    "job state": "job state",
}
_SENT: frozenset[str] = frozenset({"request", "both", "neither"})  # `neither`: users may use it
_READ: frozenset[str] = frozenset({"response", "both", "neither"})


# ------------------------------------------------------------------------------------------ compare
def compare(old: Mapping[str, Symbol], new: Mapping[str, Symbol]) -> list[Change]:
    """The changes from `old` to `new`, sorted by symbol. What is inside a removed or added
    symbol (the methods of a removed resource) is not listed again."""
    removed = {name for name in old if name not in new}
    added = {name for name in new if name not in old}
    changes: list[Change] = []
    for name in sorted(removed | added | {n for n in old if n in new and not old[n].same(new[n])}):
        if name in removed:
            if not _inside(name, removed):
                symbol = old[name]
                changes.append(
                    Change(
                        "removed",
                        True,
                        name,
                        f"{_NOUNS.get(symbol.kind, symbol.kind)} removed",
                        symbol.where(),
                    )
                )
        elif name in added:
            if not _inside(name, added):
                changes.append(_added(name, new[name], old, new))
        else:
            change = _changed(name, old[name], new[name], old, new)
            if change is not None:
                changes.append(change)
    return changes


def _inside(name: str, names: set[str]) -> bool:
    """Whether a symbol that encloses `name` (`a.b` for `a.b.c`, `a` for `a["x"]`) is in `names`."""
    return any(char in ".[" and name[:index] in names for index, char in enumerate(name))


def _owner(name: str, symbols: Mapping[str, Symbol]) -> Symbol | None:
    """The symbol that encloses `name` directly (a field's model)."""
    return symbols.get(name.rsplit(".", 1)[0])


def _model_use(name: str, old: Mapping[str, Symbol], new: Mapping[str, Symbol]) -> set[str]:
    """How a field's model is used, before or after (both count: code written for either)."""
    uses: set[str] = set()
    for symbols in (old, new):
        model = _owner(name, symbols)
        if model is not None:
            uses.add(str(model.facts.get("use", "neither")))
    return uses


def _added(
    name: str, symbol: Symbol, old: Mapping[str, Symbol], new: Mapping[str, Symbol]
) -> Change:
    noun = _NOUNS.get(symbol.kind, symbol.kind)
    where = symbol.where()
    if symbol.kind == "parameter" and symbol.facts.get("required"):
        return Change("added", True, name, f"required {noun} added", where)
    if (
        symbol.kind == "field"
        and symbol.facts.get("required")
        and _model_use(name, old, new) & _SENT
    ):
        return Change("added", True, name, f"required {noun} added to a model requests send", where)
    return Change("added", False, name, f"{noun} added", where)


def _changed(
    name: str, before: Symbol, after: Symbol, old: Mapping[str, Symbol], new: Mapping[str, Symbol]
) -> Change | None:
    where = after.where()
    if before.kind != after.kind:
        message = (
            f"was {_NOUNS.get(before.kind, before.kind)}, is {_NOUNS.get(after.kind, after.kind)}"
        )
        return Change("changed", True, name, message, where)
    was, now = before.facts, after.facts
    reasons: list[tuple[str, bool]] = []  # (what changed, whether it breaks)
    kind = before.kind
    if kind in ("api", "resource") and was.get("class") != now.get("class"):
        reasons.append(
            (
                f"class renamed from {inline_code(was.get('class'))} to {inline_code(now.get('class'))}",
                True,
            )
        )
    elif kind == "method":
        if was.get("returns") != now.get("returns"):
            reasons.append(
                _type_change("return type", was.get("returns"), now.get("returns"), {"response"})
            )
        _deprecation(was, now, reasons)
    elif kind == "parameter":
        if was.get("position") != now.get("position"):
            reasons.append((_position(was.get("position"), now.get("position")), True))
        _required_and_type(was, now, {"request"}, reasons)
        if (
            not was.get("required")
            and not now.get("required")
            and was.get("default") != now.get("default")
        ):
            reasons.append(
                (
                    f"default changed from {inline_code(was.get('default'))} to {inline_code(now.get('default'))}",
                    False,
                )
            )
    elif kind == "model":
        if was.get("extra") != now.get("extra"):
            uses = {str(was.get("use")), str(now.get("use"))}
            reasons.append(
                _type_change("type of extra fields", was.get("extra"), now.get("extra"), uses)
            )
    elif kind == "field":
        if was.get("wire") != now.get("wire"):
            reasons.append(
                (
                    f"sent and read as {inline_code(now.get('wire'))} (was {inline_code(was.get('wire'))})",
                    False,
                )
            )
        _required_and_type(was, now, _model_use(name, old, new), reasons)
        _deprecation(was, now, reasons)
    elif kind == "enum" and was.get("values") != now.get("values"):
        reasons.append((f"values changed from {was.get('values')} to {now.get('values')}", True))
    elif kind == "member" and was.get("value") != now.get("value"):
        reasons.append(
            (
                f"value changed from {inline_code(was.get('value'))} to {inline_code(now.get('value'))}",
                False,
            )
        )
    elif kind == "job family":
        lost = sorted(set(was.get("roles", ())) - set(now.get("roles", ())))
        gained = sorted(set(now.get("roles", ())) - set(was.get("roles", ())))
        if lost:
            reasons.append(
                (f"no longer has the operation {', '.join(map(inline_code, lost))}", True)
            )
        if gained:
            reasons.append((f"now has the operation {', '.join(map(inline_code, gained))}", False))
        if was.get("parents") != now.get("parents"):
            reasons.append(
                (
                    f"get and list take the parents {inline_code(now.get('parents'))} "
                    f"(was {inline_code(was.get('parents'))})",
                    True,
                )
            )
        if was.get("api") != now.get("api"):
            reasons.append(
                (
                    f"read through the API {inline_code(now.get('api'))} (was {inline_code(was.get('api'))})",
                    False,
                )
            )
    elif kind == "job status" and was.get("status") != now.get("status"):
        reasons.append(
            (
                f"now means {inline_code(now.get('status'))} (was {inline_code(was.get('status'))})",
                True,
            )
        )
    elif kind == "job state" and was.get("when") != now.get("when"):
        reasons.append(
            (
                f"now reached when {inline_code(' or '.join(now.get('when', ())))} "
                f"(was {inline_code(' or '.join(was.get('when', ())))})",
                True,
            )
        )
    if not reasons:
        return None  # (a fact no rule reads, such as a model's use)
    breaking = any(breaks for _, breaks in reasons)
    return Change("changed", breaking, name, "; ".join(text for text, _ in reasons), where)


def _deprecation(
    was: Mapping[str, Any], now: Mapping[str, Any], reasons: list[tuple[str, bool]]
) -> None:
    if bool(was.get("deprecated")) != bool(now.get("deprecated")):
        reasons.append(("deprecated" if now.get("deprecated") else "no longer deprecated", False))


def _position(was: object, now: object) -> str:
    if was is None:
        return "now positional"
    if now is None:
        return "now keyword-only"
    return f"moved from position {was} to {now}"


def _required_and_type(
    was: Mapping[str, Any], now: Mapping[str, Any], uses: set[str], reasons: list[tuple[str, bool]]
) -> None:
    """Requiredness and type, judged by how values flow: `uses` has `request` for what users
    pass, `response` for what they read (a field of a model used both ways has both)."""
    sent, read = bool(uses & _SENT), bool(uses & _READ)
    old_type, new_type = was.get("annotation"), now.get("annotation")
    if was.get("required") != now.get("required"):
        if now.get("required"):
            reasons.append(("now required", sent))
        else:
            reasons.append(("now optional", read))
        # The `| None` of an optional value is said by "now optional"/"now required".
        old_type, new_type = _without_none(old_type), _without_none(new_type)
    if old_type != new_type:
        reasons.append(_type_change("type", old_type, new_type, uses))


def _type_change(what: str, before: object, after: object, uses: Iterable[str]) -> tuple[str, bool]:
    flows = set(uses)
    sent, read = bool(flows & _SENT), bool(flows & _READ)
    old_text, new_text = str(before), str(after)
    wider, narrower = _fits(old_text, new_text), _fits(new_text, old_text)
    span = f"from {inline_code(old_text)} to {inline_code(new_text)}"
    if wider and narrower:
        return f"{what} changed {span}", False
    if wider:
        return f"{what} widened {span}", read
    if narrower:
        return f"{what} narrowed {span}", sent
    return f"{what} changed {span}", True


def inline_code(value: object) -> str:
    """Text as Markdown inline code, on one line (the changelog shows the messages): fenced with
    more backticks than it holds in a row, and padded where it starts or ends with one."""
    text = " ".join(str(value).split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# ------------------------------------------------------------------------------------------- types
def _without_none(annotation: object) -> object:
    members = _members(str(annotation))
    if members is None or "None" not in members:
        return annotation
    rest = sorted(members - {"None"})
    return " | ".join(rest) if rest else "None"


def _fits(inner: str, outer: str) -> bool:
    """Whether every value of the annotation `inner` is a value of `outer` (as mypy sees it)."""
    if inner == outer:
        return True
    small, large = _members(inner), _members(outer)
    if small is None or large is None:
        return False
    return all(any(_member_fits(a, b) for b in large) for a in small)


@cache
def _members(annotation: str) -> frozenset[str] | None:
    """The members of a union annotation, each as its text (`Literal[...]` split up, `Annotated`
    unwrapped); None when it is not an annotation Python can parse."""
    import ast  # here: a run served by the result cache compares nothing

    try:
        tree = ast.parse(annotation, mode="eval").body
    except SyntaxError:
        return None
    found: set[str] = set()

    def walk(node: ast.expr) -> None:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            walk(node.left)
            walk(node.right)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "Annotated":
            inner = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
            walk(inner)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "Literal":
            values = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            found.update(f"Literal[{ast.unparse(value)}]" for value in values)
        else:
            found.add(ast.unparse(node))

    walk(tree)
    return frozenset(found)


_LITERAL_TYPES = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,)}


def _member_fits(inner: str, outer: str) -> bool:
    if inner == outer or "Any" in (inner, outer):
        return True
    if inner == "int" and outer == "float":
        return True
    if inner.startswith("Literal["):
        import ast

        kinds = _LITERAL_TYPES.get(outer)
        if kinds is None:
            return False
        try:
            value = ast.literal_eval(inner[len("Literal[") : -1])
        except ValueError:
            return False
        if isinstance(value, bool) and outer != "bool":
            return False
        return isinstance(value, kinds)
    for container in ("list[", "dict[str, "):
        if inner.startswith(container) and outer.startswith(container):
            return _fits(inner[len(container) : -1], outer[len(container) : -1])
    return False


# ---------------------------------------------------------------------------------------- versions
def next_version(previous: str, changes: Iterable[Change], package_changed: bool) -> str:
    """The version after `previous`, by semver: breaking changes move the major version (the
    minor while it is 0), other API changes the minor (the patch while 0.x), any other change of
    the package the patch; no change keeps it."""
    listed = list(changes)
    major, minor, patch = release_numbers(previous)
    if any(change.breaking for change in listed):
        level = "major" if major else "minor"
    elif listed:
        level = "minor" if major else "patch"
    elif package_changed:
        level = "patch"
    else:
        return previous
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def release_numbers(version: str) -> tuple[int, int, int]:
    """The first three numbers of a version (`1.2` is 1.2.0; a pre-release suffix is left out)."""
    numbers = re.match(r"^(\d+)(?:\.(\d+))?(?:\.(\d+))?", version)
    if numbers is None:
        return (0, 0, 0)
    major, minor, patch = (int(n) if n else 0 for n in numbers.groups())
    return major, minor, patch


def record(
    releases: tuple[Release, ...], version: str, changes: Iterable[Change]
) -> tuple[Release, ...]:
    """The history with this regeneration in it: a new release when the version moved; the
    changes added to the newest release when it did not (a pinned version)."""
    listed = tuple(changes)
    if releases and releases[0].version == version:
        if not listed:
            return releases
        latest = releases[0]
        return (Release(version, latest.changes + listed, latest.first), *releases[1:])
    return (Release(version, listed, not releases and not listed), *releases)
