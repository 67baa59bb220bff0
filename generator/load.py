"""Stage 1, load: read YAML or JSON into plain Python data, remembering the line of every JSON pointer.

Uses PyYAML's C composer when present. Building the data ourselves from the node graph (rather than
letting PyYAML construct it) gives us line numbers, guards against alias bombs, cycles and absurd nesting,
and keeps YAML-only types (timestamps, binary) as the strings a JSON document would have held.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Collector, InputError, Location, join_pointer
from .inputs import note_read

try:  # the C composer is an order of magnitude faster on large specs
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

# Limits that keep a hostile document from exhausting the machine; far above any real spec.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_NODES = 5_000_000
MAX_DEPTH = 400

_SCALARS = yaml.constructor.SafeConstructor()


@dataclass
class Document:
    """One loaded file: its data and the line (1-based) where each JSON pointer starts."""

    path: str
    data: Any
    lines: dict[str, int] = field(default_factory=dict)

    def location(self, pointer: str) -> Location:
        return Location(self.path, pointer, self.line_of(pointer))

    def line_of(self, pointer: str) -> int | None:
        # Fall back to the nearest ancestor that has a line (repairs may synthesise new nodes).
        while True:
            line = self.lines.get(pointer)
            if line is not None or not pointer:
                return line
            pointer = pointer.rsplit("/", 1)[0]


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
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid syntax"
        kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
        raise InputError(
            f"invalid {kind}: {problem}", Location(display, "", line), "syntax"
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", Location(display), "syntax") from None
    except RecursionError:
        raise InputError("document nested too deeply", Location(display), "too-deep") from None
    if node is None:
        raise InputError("empty document", Location(display, "", 1), "empty")
    builder = _Builder(display)
    data = builder.build(node)
    return Document(display, data, builder.lines)


def load_json_text(text: str, display: str) -> Document:
    """Load JSON text without line information (used for inline documents in tests and tools)."""
    try:
        return Document(display, json.loads(text))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg}", Location(display, "", exc.lineno), "syntax"
        ) from None


class _Builder:
    """Turns a YAML node graph into JSON-like data, recording lines, with bounded work."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.lines: dict[str, int] = {}
        self.visited = 0
        self.warnings = Collector()

    def build(self, root: yaml.Node) -> Any:
        return self._node(root, "", 0, set())

    def _node(self, node: yaml.Node, pointer: str, depth: int, active: set[int]) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise InputError(
                f"document expands to more than {MAX_NODES} nodes (YAML alias bomb?)",
                Location(self.display, pointer, node.start_mark.line + 1),
                "too-large",
            )
        if depth > MAX_DEPTH:
            raise InputError(
                f"document nested deeper than {MAX_DEPTH} levels",
                Location(self.display, pointer, node.start_mark.line + 1),
                "too-deep",
            )
        self.lines.setdefault(pointer, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        key = id(node)
        if key in active:
            raise InputError(
                "YAML alias refers to itself (a cycle)",
                Location(self.display, pointer, node.start_mark.line + 1),
                "cycle",
            )
        active.add(key)
        try:
            if isinstance(node, yaml.SequenceNode):
                return [
                    self._node(item, join_pointer(pointer, index), depth + 1, active)
                    for index, item in enumerate(node.value)
                ]
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    merged = self._node(value_node, pointer, depth + 1, active)
                    for item in merged if isinstance(merged, list) else [merged]:
                        if isinstance(item, dict):
                            for k, v in item.items():
                                result.setdefault(k, v)
                    continue
                name = self._key(key_node, pointer)
                child = join_pointer(pointer, name)
                # Point at the key's line: that is where a reader looks for the entry.
                self.lines.setdefault(child, key_node.start_mark.line + 1)
                result[name] = self._node(value_node, child, depth + 1, active)
            return result
        finally:
            active.discard(key)

    def _key(self, node: yaml.Node, pointer: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise InputError(
                "mapping keys must be plain values",
                Location(self.display, pointer, node.start_mark.line + 1),
                "syntax",
            )
        value = self._scalar(node)
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value) if not isinstance(value, str) else value

    @staticmethod
    def _scalar(node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag == "tag:yaml.org,2002:int":
            return _SCALARS.construct_yaml_int(node)
        if tag == "tag:yaml.org,2002:float":
            return _SCALARS.construct_yaml_float(node)
        if tag == "tag:yaml.org,2002:bool":
            return _SCALARS.construct_yaml_bool(node)
        if tag == "tag:yaml.org,2002:null":
            return None
        # str, timestamp, binary and unknown tags: keep the text as written, as JSON would.
        return node.value
