"""`$ref` resolution: a reference, local or to another file, -> (document, JSON pointer, data)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..diagnostics import Collector, InputError, unescape_pointer_token
from ..load import Document, load_document
from ..repair import apply_repairs

_REMOTE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


class Resolver:
    """Resolves `$ref`s, local and to other files, into (document, pointer, data).

    A file that a reference names is loaded and repaired the first time it is needed, as the
    document itself was before parsing (its repairs are reported in the same `report`)."""

    def __init__(self, root: Document, report: Collector) -> None:
        self.root = root
        self.report = report
        self.documents: dict[str, Document] = {str(Path(root.path).resolve()): root}

    def resolve(self, ref: str, doc: Document, at: str) -> tuple[Document, str, Any]:
        file_part, _, fragment = ref.partition("#")
        if _REMOTE.match(file_part):
            raise InputError(
                f"remote $ref {ref!r} is not supported: download it and refer to the file",
                doc.location(at),
                "remote-ref",
            )
        target = self._document(file_part, doc, at) if file_part else doc
        pointer = fragment
        if pointer and not pointer.startswith("/"):
            raise InputError(
                f"$ref {ref!r} has an invalid JSON pointer", doc.location(at), "bad-ref"
            )
        node = target.data
        for token in pointer.split("/")[1:]:
            key = unescape_pointer_token(token)
            if isinstance(node, dict) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                raise InputError(
                    f"unresolvable $ref {ref!r}: {target.path} has nothing at {pointer}",
                    doc.location(at),
                    "unresolved-ref",
                )
        return target, pointer, node

    def follow(self, data: Any, doc: Document, at: str) -> tuple[Document, str, Any]:
        """`data`, found at (`doc`, `at`), or where its chain of `$ref`s ends (a reference to a
        reference to ... is valid OpenAPI); a chain that comes back on itself is an error."""
        chain: list[tuple[str, str]] = []
        while isinstance(data, dict) and "$ref" in data:
            ref = data["$ref"]
            if not isinstance(ref, str):
                raise InputError("$ref must be a string", doc.location(at), "invalid")
            chain.append((doc.path, at))
            doc, at, data = self.resolve(ref, doc, at)
            if (doc.path, at) in chain:
                raise InputError(
                    "circular $ref: " + describe_cycle([*chain, (doc.path, at)], self.root.path),
                    doc.location(at),
                    "ref-cycle",
                )
        return doc, at, data

    def _document(self, file_part: str, doc: Document, at: str) -> Document:
        base = Path(doc.path).parent
        path = (base / file_part).resolve()
        key = str(path)
        if key not in self.documents:
            try:
                loaded = load_document(path, display=str(base / file_part))
            except InputError as exc:
                raise InputError(
                    f"$ref to {file_part!r}: {exc.diagnostic.message}",
                    doc.location(at),
                    "unresolved-ref",
                ) from None
            apply_repairs(loaded, self.report)
            self.documents[key] = loaded
        return self.documents[key]


def describe_cycle(chain: list[tuple[str, str]], root: str) -> str:
    """`#/a -> #/b -> #/a`: the references of a cycle, from the first one the cycle comes back
    to (each in its own file, named when it is not `root`)."""
    start = chain.index(chain[-1])
    return " -> ".join(
        (path if path != root else "") + "#" + pointer for path, pointer in chain[start:]
    )
