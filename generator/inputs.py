"""What a run reads besides its configuration: the documents it loads, and the template folder.

Kept apart from the stages and free of heavy imports, so that the result cache (`cache.py`) can
fingerprint a run's inputs without importing YAML, openapi-pydantic or Jinja.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

_READS: ContextVar[dict[str, str] | None] = ContextVar("jobgen_reads", default=None)


@contextlib.contextmanager
def recording_reads() -> Iterator[dict[str, str]]:
    """Collect `{absolute path: sha256 of its bytes}` for every document loaded inside the block.

    That is every spec, every job-profile file and every file a `$ref` pulled in: exactly the documents
    the output was built from, hashed as they were read (not as they are later).
    """
    reads: dict[str, str] = {}
    token = _READS.set(reads)
    try:
        yield reads
    finally:
        _READS.reset(token)


def note_read(path: Path, raw: bytes) -> None:
    """Called by `load` for every document it reads; a no-op unless a recording is active."""
    reads = _READS.get()
    if reads is not None:
        reads[str(path.resolve())] = hashlib.sha256(raw).hexdigest()


def template_dir() -> Path:
    """The templates folder: next to the package in a checkout, inside it when installed."""
    from importlib import resources

    bundled = Path(str(resources.files("generator"))) / "_templates"
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parent.parent / "templates"


def source_digest(root: Path) -> str:
    """sha256 over the Python sources under `root` (by relative path), bytecode caches aside."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" not in path.parts and "_templates" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
