"""The status words a spec itself names for a job family: its status field's enum and the values at
the status path of every example of the job object, each with where it was found.

Read from the loaded document (after repairs), not the IR: examples are not part of the IR, and the
warnings must point at the example that holds a word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .. import ir
from ..diagnostics import Collector, InputError, join_pointer
from ..jobs_vocabulary import status_key
from ..load import Document
from ..parse.resolver import Resolver

_SUCCESS = re.compile(r"^2(\d\d|XX)$", re.IGNORECASE)
_COMPOSITES = ("allOf", "oneOf", "anyOf")


@dataclass(frozen=True)
class FoundWord:
    """A status word of the spec, and where: `doc` and `pointer` (an enum, or an example value)."""

    word: str
    doc: Document
    pointer: str
    source: str  # "enum" or "example"


def spec_status_words(
    doc: Document, api: ir.Api, family: ir.JobFamily, status_path: str
) -> list[FoundWord]:
    """Every status word `api`'s spec gives for the family's job objects, in document order.

    It looks at each of the family's operations in this API (reading, cancelling, creating) and
    follows the envelope and the status path through their success responses: the schemas (their
    `enum`, `example` and `examples`) and the media types' `example` and `examples`.
    """
    walker = _Walker(doc)
    envelope = [s for s in family.envelope.split(".") if s]
    segments = envelope + [s.removesuffix("[]") for s in status_path.split(".")]
    operations = [op for op in family.operations if op.api == api.name]
    if family.cancel is not None:
        operations.append(family.cancel.operation)
    for job_op in operations:
        found = next(
            (o for o in api.operations if o.method == job_op.method and o.path == job_op.path),
            None,
        )
        if found is None:
            continue
        walker.operation(found.location.pointer, segments)
    return walker.found


class _Walker:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.resolver = Resolver(doc, Collector())
        self.found: list[FoundWord] = []
        self._seen: set[tuple[str, str, str]] = set()

    def _resolve(self, node: Any, doc: Document, pointer: str) -> tuple[Any, Document, str]:
        hops = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and hops < 50:
            try:
                doc, pointer, node = self.resolver.resolve(node["$ref"], doc, pointer)
            except InputError:
                return None, doc, pointer
            hops += 1
        return node, doc, pointer

    def _add(self, word: object, doc: Document, pointer: str, source: str) -> None:
        if isinstance(word, str) and word.strip():
            key = (doc.path, pointer, word)
            if key not in self._seen:
                self._seen.add(key)
                self.found.append(FoundWord(word, doc, pointer, source))

    def operation(self, pointer: str, segments: list[str]) -> None:
        node, doc, pointer = self._resolve(_at(self.doc.data, pointer), self.doc, pointer)
        responses = node.get("responses") if isinstance(node, dict) else None
        if not isinstance(responses, dict):
            return
        for status, response in responses.items():
            if not _SUCCESS.match(str(status)):
                continue
            at = join_pointer(pointer, "responses", str(status))
            response, rdoc, at = self._resolve(response, doc, at)
            content = response.get("content") if isinstance(response, dict) else None
            if not isinstance(content, dict):
                continue
            for media_type, media in content.items():
                if not isinstance(media, dict):
                    continue
                media_at = join_pointer(at, "content", media_type)
                self._examples(media, rdoc, media_at, segments)
                if "schema" in media:
                    self._schema(
                        media["schema"], rdoc, join_pointer(media_at, "schema"), segments, 0
                    )

    def _examples(self, node: dict[str, Any], doc: Document, at: str, segments: list[str]) -> None:
        if "example" in node:
            self._values(node["example"], doc, join_pointer(at, "example"), segments)
        examples = node.get("examples")
        if isinstance(examples, dict):  # a media type's named Example objects
            for name, example in examples.items():
                where = join_pointer(at, "examples", name)
                example, edoc, where = self._resolve(example, doc, where)
                if isinstance(example, dict) and "value" in example:
                    self._values(example["value"], edoc, join_pointer(where, "value"), segments)
        elif isinstance(examples, list):  # a schema's examples (3.1)
            for index, value in enumerate(examples):
                self._values(value, doc, join_pointer(at, "examples", index), segments)

    def _values(self, value: Any, doc: Document, at: str, segments: list[str]) -> None:
        """The values at `segments` inside an example value; arrays fan out wherever they are."""
        if isinstance(value, list):
            for index, item in enumerate(value):
                self._values(item, doc, join_pointer(at, index), segments)
            return
        if not segments:
            self._add(value, doc, at, "example")
            return
        if isinstance(value, dict) and segments[0] in value:
            head = segments[0]
            self._values(value[head], doc, join_pointer(at, head), segments[1:])

    def _schema(self, node: Any, doc: Document, at: str, segments: list[str], depth: int) -> None:
        if depth > 40:
            return
        node, doc, at = self._resolve(node, doc, at)
        if not isinstance(node, dict):
            return
        self._examples(node, doc, at, segments)
        for key in _COMPOSITES:
            options = node.get(key)
            if isinstance(options, list):
                for index, option in enumerate(options):
                    self._schema(option, doc, join_pointer(at, key, index), segments, depth + 1)
        if "items" in node:  # arrays fan out wherever they are
            self._schema(node["items"], doc, join_pointer(at, "items"), segments, depth + 1)
        if not segments:
            enum = node.get("enum")
            if isinstance(enum, list):
                for index, word in enumerate(enum):
                    self._add(word, doc, join_pointer(at, "enum", index), "enum")
            if "const" in node:
                self._add(node["const"], doc, join_pointer(at, "const"), "enum")
            return
        properties = node.get("properties")
        if isinstance(properties, dict) and segments[0] in properties:
            head = segments[0]
            self._schema(
                properties[head], doc, join_pointer(at, "properties", head), segments[1:], depth + 1
            )


def _at(data: Any, pointer: str) -> Any:
    node = data
    for token in pointer.split("/")[1:]:
        key = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
    return node


class SpecText:
    """Whether a spec mentions a word anywhere in its text (descriptions, examples, enums)."""

    def __init__(self, doc: Document) -> None:
        self._doc = doc
        self._text: str | None = None

    def mentions(self, word: str) -> bool:
        if self._text is None:
            self._text = "\n".join(_strings(self._doc.data)).casefold()
        pattern = r"(?<![\w-])" + re.escape(status_key(word)) + r"(?![\w-])"
        return re.search(pattern, self._text) is not None


def _strings(node: Any) -> Iterator[str]:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
