"""Stage 1, load: read YAML or JSON into plain Python data, remembering the line of every JSON pointer.

Uses PyYAML's C composer when present. Building the data ourselves from the node graph (rather than
letting PyYAML construct it) gives us line numbers, guards against alias bombs, cycles and absurd nesting,
and keeps YAML-only types (timestamps, binary) as the strings a JSON document would have held.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from . import speed
from .diagnostics import InputError, Location, join_pointer
from .inputs import note_read

try:  # the C composer, much faster on large specs
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

# Limits that keep a hostile document from exhausting the machine; far above any real spec (the
# largest we know, PIM, has 16,000 nodes, nests 20 levels, and its longest JSON pointer has 178
# characters; limits stay above what 255 nested schema levels need). A run costs about half a kilobyte per node (keys count), so two million keep it near a
# gigabyte. Schemas nest two levels per `properties`: 600 levels allow the 255 schema levels that
# openapi-pydantic validates.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_NODES = 2_000_000
MAX_DEPTH = 600
MAX_POINTER = 8192  # 255 schema levels of `/additionalProperties` need 5,400
# Line numbers are kept until their pointers add up to this many characters; past that (only absurdly
# deep and wide documents get there) a location gives the line of the nearest ancestor that has one.
_LINE_BUDGET = 64 * 1024 * 1024
# Room for recursion that follows the input's nesting. CPython 3.11+ runs Python-to-Python calls
# without growing the C stack, so a high limit is safe; what still overflows is an input error.
RECURSION_LIMIT = 50_000
# Where an alias (`*name`) may start; other `*`s (`*/*`, `**bold**`, `* item`) do not match.
_MAYBE_ALIAS = re.compile(r"(?:^|[\s\[{,:?-])\*[^\s,\]}*/]", re.MULTILINE)
# Characters JSON allows raw in strings that YAML reads otherwise: the reader refuses DEL, C1 controls
# and U+FFFE/F, and takes NEL, LS and PS for line breaks (folded into a space inside a string).
_NOT_YAML = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")

_SCALARS = yaml.constructor.SafeConstructor()
_MERGE = "tag:yaml.org,2002:merge"
_NO_DOCUMENT = object()  # a stream with no document at all
_STR = "tag:yaml.org,2002:str"
_LEVEL_CHANGE: dict[type, int] = {
    yaml.SequenceStartEvent: 1,
    yaml.MappingStartEvent: 1,
    yaml.SequenceEndEvent: -1,
    yaml.MappingEndEvent: -1,
}


class Document:
    """One loaded file: its data and the line (1-based) where each JSON pointer starts.

    A document read by the JSON fast path has no line map until a location's line is first read:
    then its text goes through the YAML builder once (JSON is YAML) to make one. Copies of subtrees
    made by repairs (`copy_lines`) are replayed on that map.
    """

    __slots__ = ("_lines", "_moves", "_text", "data", "path")

    def __init__(
        self, path: str, data: Any, lines: dict[str, int] | None = None, *, text: str | None = None
    ) -> None:
        self.path = path
        self.data = data
        # `text` set: the line map is made from it on demand; otherwise `lines` is the map.
        self._text = text
        self._lines: dict[str, int] | None = None if text is not None else (lines or {})
        self._moves: list[tuple[str, str]] = []

    @property
    def lines(self) -> dict[str, int]:
        if self._lines is None:
            self._lines = _line_map(self.path, self._text or "")
            self._text = None
            for old, new in self._moves:
                self._copy(old, new)
        return self._lines

    def location(self, pointer: str) -> Location:
        if self._lines is None:
            return Location(self.path, pointer, source=self)
        return Location(self.path, pointer, self.line_of(pointer))

    def line_of(self, pointer: str) -> int | None:
        lines = self.lines
        # Fall back to the nearest ancestor that has a line (repairs may synthesise new nodes).
        while True:
            line = lines.get(pointer)
            if line is not None or not pointer:
                return line
            pointer = pointer.rsplit("/", 1)[0]

    def copy_lines(self, old: str, new: str) -> None:
        """A repair copied the subtree at `old` to `new`: its lines are the lines of the original."""
        if self._lines is None:
            self._moves.append((old, new))
        else:
            self._copy(old, new)

    def _copy(self, old: str, new: str) -> None:
        lines = self._lines or {}
        for pointer in [p for p in lines if p == old or p.startswith(old + "/")]:
            lines[new + pointer[len(old) :]] = lines[pointer]


def read_text(path: Path, display: str) -> str:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError("file not found", Location(display), "missing-file") from None
    except OSError as exc:
        raise InputError(
            f"cannot read file: {exc.strerror}", Location(display), "unreadable"
        ) from None
    if path.is_dir():
        raise InputError("is a directory, not a spec file", Location(display), "unreadable")
    if size > MAX_FILE_BYTES:
        raise InputError(
            f"file is {size} bytes; the limit is {MAX_FILE_BYTES}", Location(display), "too-large"
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read file: {exc.strerror}", Location(display), "unreadable"
        ) from None
    note_read(path, raw)  # for the result cache: every document the output is built from
    if b"\x00" in raw[:8192]:
        raise InputError("binary file, not YAML or JSON", Location(display), "binary")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not valid UTF-8 (byte {exc.start})", Location(display, "", line), "encoding"
        ) from None


def load_document(path: Path, display: str | None = None) -> Document:
    """Load one YAML or JSON file. Raises `InputError` with a location for anything unreadable."""
    display = display or str(path)
    text = read_text(path, display)
    if not text.strip():
        raise InputError("empty file", Location(display, "", 1), "empty")
    if text.lstrip().startswith("{"):
        data = _fast_json(text)
        if data is not _NO_DOCUMENT:
            if speed.on("lazy-lines"):
                return Document(display, data, text=text)
            return Document(display, data, _line_map(display, text))
    return _load_yaml(path, display, text)


def _load_yaml(path: Path, display: str, text: str) -> Document:
    if path.suffix.lower() == ".json" and _NOT_YAML.search(text):
        # Valid in a JSON string, refused by the YAML reader: write them as the escapes they equal.
        text = _escape_not_yaml(text)
    try:
        _prescan(text, display)
        with _building(display, text) as builder:
            data = builder.build()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid syntax"
        if "maximum nesting depth" in problem:  # libyaml's own limit (1,000 levels, PyYAML 6.0.4+)
            raise InputError(
                f"document nested deeper than {MAX_DEPTH} levels",
                Location(display, "", line),
                "too-deep",
            ) from None
        kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
        raise InputError(
            f"invalid {kind}: {problem}", Location(display, "", line), "syntax"
        ) from None
    except yaml.reader.ReaderError as exc:
        kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
        line = text[: exc.position].count("\n") + 1 if isinstance(exc.position, int) else None
        character = (
            exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        )
        raise InputError(
            f"invalid {kind}: unacceptable character U+{character:04X}: {exc.reason}",
            Location(display, "", line),
            "syntax",
        ) from None
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())  # one line, whatever PyYAML wrote
        raise InputError(f"invalid YAML: {message}", Location(display), "syntax") from None
    except RecursionError:
        raise InputError("document nested too deeply", Location(display), "too-deep") from None
    if data is _NO_DOCUMENT:
        raise InputError("empty document", Location(display, "", 1), "empty")
    return Document(display, data, builder.lines)


# ---------------------------------------------------------------------------------- JSON fast path
class _NotFast(Exception):
    """The JSON fast path declines: the YAML builder decides (and locates any error)."""


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _NotFast  # a duplicate key: the builder reports it with both lines
    return result


def _no_constant(name: str) -> Any:
    raise _NotFast  # NaN and Infinity are not JSON; YAML reads them as text


# A `\uD800`-`\uDFFF` escape: maybe a lone surrogate, which no file can hold; the builder decides.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _fast_json(text: str) -> Any:
    """The data of a JSON document whose every detail the YAML builder would accept alike, or
    `_NO_DOCUMENT` to send it the slow way.

    `json.loads` reads a large spec many times faster than the YAML event builder, and makes
    no line map (BENCHMARKS.md, "Speed tricks": `lazy-lines`): the document works one out only if a message needs a line (`Document.lines`). The
    builder still gets every document that is not plain JSON within the limits, so what it refuses,
    and the messages and locations it gives, are unchanged.
    """
    if _SURROGATE_ESCAPE.search(text):
        return _NO_DOCUMENT
    try:
        # At the interpreter's own recursion limit: a document nested deeper than that is refused
        # by the builder with its location, and the C parser never recurses past what is safe.
        data = json.loads(text, object_pairs_hook=_unique, parse_constant=_no_constant)
    except (_NotFast, ValueError, RecursionError):
        return _NO_DOCUMENT
    if not isinstance(data, dict) or not _within_limits(data):
        return _NO_DOCUMENT
    return data


def _within_limits(data: dict[str, Any]) -> bool:
    """Whether the document keeps to MAX_NODES, MAX_DEPTH and MAX_POINTER (counted as the builder
    counts them: keys and values are nodes; a pointer is measured with its escapes)."""
    nodes = 0
    stack: list[tuple[Any, int, int]] = [(data, 0, 0)]  # (value, depth, pointer length)
    pop, push = stack.pop, stack.append
    while stack:
        value, depth, length = pop()
        nodes += 1
        if depth > MAX_DEPTH or length > MAX_POINTER or nodes > MAX_NODES:
            return False
        kind = type(value)
        if kind is dict:
            nodes += len(value)
            for key, child in value.items():
                if type(child) is dict or type(child) is list:
                    push(
                        (child, depth + 1, length + 1 + len(key) + key.count("~") + key.count("/"))
                    )
                elif length + 1 + len(key) > MAX_POINTER:
                    return False
                else:
                    nodes += 1
        elif kind is list:
            for index, child in enumerate(value):
                if type(child) is dict or type(child) is list:
                    push((child, depth + 1, length + 1 + len(str(index))))
                else:
                    nodes += 1
    return nodes <= MAX_NODES


def _line_map(display: str, text: str) -> dict[str, int]:
    """The line map of a document read by the fast path: the YAML builder's, made from its text."""
    text = _escape_not_yaml(text)
    with _building(display, text) as builder, contextlib.suppress(Exception):
        builder.build()  # fails: the data is already in hand; without lines, messages give pointers
    return builder.lines


def _escape_not_yaml(text: str) -> str:
    """JSON text with the characters the YAML reader refuses (valid in a JSON string) written as the
    escapes they equal."""
    return _NOT_YAML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@contextlib.contextmanager
def _building(display: str, text: str) -> Iterator[_Builder]:
    """The YAML builder over `text`, with the recursion limit raised; its parser is freed after."""
    loader = _Loader(text)
    try:
        with deeper_recursion():
            yield _Builder(display, loader)
    finally:
        loader.dispose()


@contextlib.contextmanager
def deeper_recursion() -> Iterator[None]:
    """Raise the recursion limit to `RECURSION_LIMIT` for the block (never lower it)."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, RECURSION_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def _prescan(text: str, display: str) -> None:
    """Refuse a document of more than `MAX_NODES` nodes, or whose aliases expand it past that, before
    building anything: one pass over the parser's events, in constant memory (an alias bomb of a few
    hundred bytes is refused in microseconds rather than after building millions of values).

    Skipped for a text too short to hold that many nodes and without anything that may be an alias.
    Nodes here are keys and values; the builder still counts the values it makes, as a last guard.
    """
    if len(text) <= MAX_NODES // 2 and not _MAYBE_ALIAS.search(text):
        return
    sizes: dict[str, int] = {}  # anchor -> nodes it expands to
    starts: list[tuple[str | None, int]] = []  # open collections: (anchor, total when it opened)
    nodes = total = 0
    loader: Any = _Loader(text)
    try:
        while True:
            event = loader.get_event()
            kind = type(event)
            if kind is yaml.StreamEndEvent:
                return
            if kind is yaml.ScalarEvent:
                nodes += 1
                total += 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
            elif kind is yaml.AliasEvent:
                nodes += 1
                total += sizes.get(event.anchor, 1)  # undefined, or a cycle: the builder says which
            elif kind is yaml.SequenceStartEvent or kind is yaml.MappingStartEvent:
                nodes += 1
                total += 1
                starts.append((event.anchor, total - 1))
            elif kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
                anchor, before = starts.pop()
                if anchor is not None:
                    sizes[anchor] = total - before
            else:
                continue
            if nodes > MAX_NODES or total > MAX_NODES:
                message = (
                    f"document has more than {MAX_NODES} nodes"
                    if nodes > MAX_NODES
                    else f"document expands to more than {MAX_NODES} nodes (YAML alias bomb?)"
                )
                line = event.start_mark.line + 1 if event.start_mark is not None else None
                raise InputError(message, Location(display, "", line), "too-large")
    finally:
        loader.dispose()


def load_json_text(text: str, display: str) -> Document:
    """Load JSON text without line information (used for inline documents in tests and tools)."""
    try:
        return Document(display, json.loads(text))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg}", Location(display, "", exc.lineno), "syntax"
        ) from None


class _Anchor:
    """An anchored node: its first event and, for a collection, the events after it (for aliases)."""

    __slots__ = ("events", "first", "level")

    def __init__(self, first: Any, level: int) -> None:
        self.first = first
        self.events: list[Any] = []
        self.level = level  # the collection nesting level inside the node


class _Builder:
    """Turns a YAML event stream into JSON-like data, recording lines, with bounded work.

    Built from parser events rather than from a composed node graph: the graph of a 10 MB spec takes
    about 250 MB and most of the load time, while events are dropped as soon as they are used. Only an
    anchored node keeps its events, so that each alias to it can be replayed. The result (data, lines
    and every error with its location) is what composing the graph and walking it gives: anchors,
    aliases, merge keys, cycles, alias bombs and nesting limits behave the same, and problems the
    composer would have reported (undefined aliases, duplicate anchors, a second document, a syntax
    error further down) still win over problems found while building, as they did when the whole
    document was composed first.
    """

    def __init__(self, display: str, loader: Any) -> None:
        self.display = display
        self.loader = loader
        self.lines: dict[str, int] = {}
        self.line_chars = 0  # the length of the pointers in `lines`, against _LINE_BUDGET
        self.visited = 0
        self.anchors: dict[str, _Anchor] = {}
        self.recording: list[_Anchor] = []  # open anchored collections, whose events are kept
        self.level = 0  # collection nesting level of the stream
        self.live = self._next_event  # the stream, as a source of events (replays are the others)

    def build(self) -> Any:
        """The document's data; `_NO_DOCUMENT` for a stream without one."""
        try:
            return self._document()
        except InputError:
            try:
                self._drain()  # raises what composing would have raised first, if anything
            except yaml.MarkedYAMLError as exc:
                # libyaml's own nesting limit, past ours: the builder's message has the pointer.
                if "maximum nesting depth" not in str(exc.problem):
                    raise
            raise

    def _document(self) -> Any:
        live = self.live
        live()  # stream start
        event = live()
        if isinstance(event, yaml.StreamEndEvent):
            return _NO_DOCUMENT
        root = live()
        data = self._node(live, root, "", 0, set())
        live()  # document end
        event = live()
        if not isinstance(event, yaml.StreamEndEvent):
            raise yaml.composer.ComposerError(
                "expected a single document in the stream",
                root.start_mark,
                "but found another document",
                event.start_mark,
            )
        return data

    def _drain(self) -> None:
        """Read the rest of the stream, checking what the composer checks."""
        live = self.live
        while True:
            event = live()
            if isinstance(event, yaml.StreamEndEvent):
                return
            if isinstance(event, yaml.AliasEvent):
                self._alias(event)
            elif isinstance(event, yaml.NodeEvent):
                self._register(event)
            elif isinstance(event, yaml.DocumentEndEvent):
                following = live()
                if not isinstance(following, yaml.StreamEndEvent):
                    raise yaml.composer.ComposerError(
                        "expected a single document in the stream",
                        None,
                        "but found another document",
                        following.start_mark,
                    )
                return

    def _next_event(self) -> Any:
        event = self.loader.get_event()
        self.level += _LEVEL_CHANGE.get(type(event), 0)
        if self.recording:
            for anchor in self.recording:
                anchor.events.append(event)
            while self.recording and self.recording[-1].level > self.level:
                self.recording.pop()  # its end event is in: the anchored collection is complete
        return event

    def _register(self, event: Any) -> None:
        """A node event from the stream: remember its anchor, as the composer does."""
        name = event.anchor
        if name is None:
            return
        if name in self.anchors:
            raise yaml.composer.ComposerError(
                "found duplicate anchor; first occurrence",
                self.anchors[name].first.start_mark,
                "second occurrence",
                event.start_mark,
            )
        anchor = _Anchor(event, self.level)
        self.anchors[name] = anchor
        if isinstance(event, yaml.CollectionStartEvent):
            self.recording.append(anchor)

    def _alias(self, event: Any) -> _Anchor:
        anchor = self.anchors.get(event.anchor)
        if anchor is None:
            raise yaml.composer.ComposerError(None, None, "found undefined alias", event.start_mark)
        return anchor

    def _resolve(self, source: Any, event: Any) -> tuple[Any, Any]:
        """(source, first event) of the node that starts with `event`, following an alias."""
        if type(event) is yaml.AliasEvent:
            anchor = self._alias(event)
            return iter(anchor.events).__next__, anchor.first
        if event.anchor is not None and source is self.live:
            self._register(event)
        return source, event

    def _node(self, source: Any, event: Any, pointer: str, depth: int, active: set[str]) -> Any:
        source, event = self._resolve(source, event)
        line = event.start_mark.line + 1
        self.visited += 1
        if self.visited > MAX_NODES:
            raise InputError(
                f"document expands to more than {MAX_NODES} nodes (YAML alias bomb?)",
                Location(self.display, pointer, line),
                "too-large",
            )
        if depth > MAX_DEPTH:
            raise InputError(
                f"document nested deeper than {MAX_DEPTH} levels",
                Location(self.display, pointer, line),
                "too-deep",
            )
        if len(pointer) > MAX_POINTER:
            # Every node's pointer is built and kept: long keys nested deep would cost their length
            # times the number of nodes below them.
            parent = pointer[: pointer.rindex("/")]
            raise InputError(
                f"JSON pointer longer than {MAX_POINTER} characters (keys too long or nested too deeply)",
                Location(self.display, parent[:MAX_POINTER], line),
                "too-deep",
            )
        if self.line_chars < _LINE_BUDGET:
            self.line_chars += len(pointer)
            self.lines.setdefault(pointer, line)
        if isinstance(event, yaml.ScalarEvent):
            try:
                return _scalar_value(event.value, self._tag(event))
            except _Refused as exc:
                raise InputError(
                    exc.message, Location(self.display, pointer, line), exc.code
                ) from None
        # Only an anchored collection can be entered twice (through an alias), so its anchor names it.
        identity = event.anchor
        if identity is not None:
            if identity in active:
                raise InputError(
                    "YAML alias refers to itself (a cycle)",
                    Location(self.display, pointer, line),
                    "cycle",
                )
            active.add(identity)
        try:
            if isinstance(event, yaml.SequenceStartEvent):
                items: list[Any] = []
                while not isinstance(item := source(), yaml.SequenceEndEvent):
                    child = f"{pointer}/{len(items)}"
                    items.append(self._node(source, item, child, depth + 1, active))
                return items
            result: dict[str, Any] = {}
            merged_keys: set[str] = set()  # keys from `<<` merges, which explicit keys may override
            while not isinstance(next_event := source(), yaml.MappingEndEvent):
                key_source, key = self._resolve(source, next_event)
                if type(key) is yaml.ScalarEvent:
                    key_tag = self._tag(key)
                elif key.tag == _MERGE:  # a collection key explicitly tagged !!merge
                    key_tag = _MERGE
                    if key_source is source:
                        self._skip(source)  # the key's own events; it is not data
                else:
                    raise InputError(
                        "mapping keys must be plain values",
                        Location(self.display, pointer, key.start_mark.line + 1),
                        "syntax",
                    )
                if key_tag == _MERGE:
                    merged = self._node(source, source(), pointer, depth + 1, active)
                    for item in merged if isinstance(merged, list) else [merged]:
                        if isinstance(item, dict):
                            for k, v in item.items():
                                if k not in result:
                                    result[k] = v
                                    merged_keys.add(k)
                    continue
                try:
                    name = _key_text(key.value, key_tag)
                except _Refused as exc:
                    where = Location(self.display, pointer, key.start_mark.line + 1)
                    raise InputError(f"key: {exc.message}", where, exc.code) from None
                child = join_pointer(pointer, name)
                if name in result and name not in merged_keys:
                    # PyYAML would keep the last one silently: a spec would lose the first unseen.
                    first = self.lines.get(child)
                    raise InputError(
                        f"duplicate key {name!r}" + (f" (first at line {first})" if first else ""),
                        Location(self.display, child, key.start_mark.line + 1),
                        "duplicate-key",
                    )
                merged_keys.discard(name)
                # Point at the key's line: that is where a reader looks for the entry.
                if self.line_chars < _LINE_BUDGET:
                    self.line_chars += len(child)
                    self.lines.setdefault(child, key.start_mark.line + 1)
                result[name] = self._node(source, source(), child, depth + 1, active)
            return result
        finally:
            if identity is not None:
                active.discard(identity)

    def _skip(self, source: Any) -> None:
        """Read the rest of a collection that is not data (a key), checking it as the composer does."""
        level = 1
        while level:
            event = source()
            level += _LEVEL_CHANGE.get(type(event), 0)
            if type(event) is yaml.AliasEvent:
                self._alias(event)
            elif source is self.live and isinstance(event, yaml.NodeEvent):
                self._register(event)

    def _tag(self, event: Any) -> str:
        """A scalar's tag, resolved as the composer resolves it."""
        tag: str | None = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        return str(tag)


class _Refused(Exception):
    """A scalar that Python cannot take as the value its tag says it is."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _scalar_value(value: str, tag: str) -> Any:
    try:
        if tag == "tag:yaml.org,2002:int":
            number = _SCALARS.construct_yaml_int(yaml.ScalarNode(tag, value))
            limit = sys.get_int_max_str_digits()
            if limit and number.bit_length() > 3 * limit:  # (written in hex, say: can it print?)
                str(number)
            return number
        if tag == "tag:yaml.org,2002:float":
            return _SCALARS.construct_yaml_float(yaml.ScalarNode(tag, value))
        if tag == "tag:yaml.org,2002:bool":
            return _SCALARS.construct_yaml_bool(yaml.ScalarNode(tag, value))
    except (ValueError, KeyError, IndexError, OverflowError) as exc:
        # Only an explicit tag (`!!int abc`) or an integer past Python's digit limit gets here.
        kind = tag.rsplit(":", 1)[-1]
        limit = sys.get_int_max_str_digits()
        if kind == "int" and isinstance(exc, ValueError) and "digits" in str(exc):
            raise _Refused(
                f"integer of more than {limit} digits (the most Python converts)", "too-large"
            ) from None
        text = value if len(value) <= 40 else value[:37] + "..."
        raise _Refused(f"{text!r} is not a valid {kind} (tagged !!{kind})", "syntax") from None
    if tag == "tag:yaml.org,2002:null":
        return None
    # str, timestamp, binary and unknown tags: keep the text as written, as JSON would.
    return value


def _key_text(value: str, tag: str) -> str:
    if tag == _STR:
        return value
    scalar = _scalar_value(value, tag)
    if scalar is None:
        return "null"
    if isinstance(scalar, bool):
        return "true" if scalar else "false"
    return str(scalar) if not isinstance(scalar, str) else scalar
