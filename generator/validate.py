"""Stage 2a, validation: each document against openapi-pydantic's models of OpenAPI 3.0 or 3.1.

First, in this process and at once, `check_openapi`: is the document OpenAPI 3.0 or 3.1 at all (a
mapping with an `openapi` version jobgen reads, and `paths`)? The repairs and the models to check it
against depend on the version.

The verdict gates the output, but nothing else depends on it: the parser reads the plain data, and
validation only says whether the document is OpenAPI and, if not, every place where it goes wrong
(the pipeline then leaves out what it can, see `prune.py`, and validates the rest again). So it
runs beside the rest of the pipeline, in a worker process started when the run starts: importing
openapi-pydantic builds about a hundred pydantic models, and validating a large document takes
about as long as parsing it (BENCHMARKS.md, "Speed tricks": `worker`). The worker gets each document as
soon as it is loaded and repaired, and answers in order; the pipeline reads the answers before it
returns anything (see `pipeline.run`).

When the pipeline fails for another reason, the verdicts on the documents already sent come first,
so a run reports the same error as validating each document before parsing it would have. If the
worker cannot be started or dies, the same validation runs in this process: the result is the same.

The worker is `openapi_check.serve`: forked by the `jobgen` command before it imports anything
(`openapi_check.prestart`), or `openapi_check.py` run as a script.
"""

from __future__ import annotations

import contextlib
import json
import marshal
import re
import threading
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from . import speed
from .diagnostics import InputError, join_pointer
from .openapi_check import HEADER, SKIP, VALIDATE, spawn, take_spare

if TYPE_CHECKING:
    from .load import Document
    from .openapi_check import Worker

# A frame: 4-byte big-endian length, then b"V" + marshal.dumps((version, data)), or b"S" (skip). The
# worker is this interpreter, so marshal is exact and the fastest way across.
_MARSHAL_VERSION = 4


# ------------------------------------------------------------------------------ the document's kind
def check_openapi(doc: Document) -> str:
    """Return the document's OpenAPI version, or raise if it is not an OpenAPI 3.x document.

    Checked in this process before anything else reads the document: the repairs depend on the
    version, and the worker's verdict takes the version as given."""
    data = doc.data
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "null"
        raise InputError(
            f"not an OpenAPI document: the top level is a {_json_kind(kind)}, not a mapping",
            doc.location(""),
            "not-openapi",
        )
    if "swagger" in data:
        raise InputError(
            f"Swagger {data.get('swagger')} is not supported: convert the document to OpenAPI 3",
            doc.location("/swagger"),
            "swagger",
        )
    version = data.get("openapi")
    if version is None:
        raise InputError(
            "not an OpenAPI document: no `openapi` version field", doc.location(""), "not-openapi"
        )
    if not isinstance(version, str) or not _SUPPORTED_VERSION.fullmatch(version):
        raise InputError(
            f"unsupported OpenAPI version {version!r}: jobgen reads 3.0 and 3.1",
            doc.location("/openapi"),
            "version",
        )
    if not isinstance(data.get("paths"), dict):
        pointer = "/paths" if "paths" in data else ""
        what = "is not a mapping" if "paths" in data else "is missing"
        raise InputError(f"`paths` {what}", doc.location(pointer), "no-paths")
    return version


_SUPPORTED_VERSION = re.compile(r"3\.[01](\.\d+)?(-[\w.]+)?")


def _json_kind(python_type: str) -> str:
    return {
        "list": "list",
        "str": "string",
        "int": "number",
        "float": "number",
        "bool": "boolean",
    }.get(python_type, python_type)


# --------------------------------------------------------------------------------- the validation
Problem = tuple[str, str, str]  # (message, JSON pointer, code) of one problem of a document


def problems(version: str, data: Any) -> list[Problem]:
    """Every problem openapi-pydantic finds in a document ([] if it is valid)."""
    from .openapi_check import problems as check

    return [
        (message, join_pointer("", *tokens), code) for message, tokens, code in check(version, data)
    ]


# ------------------------------------------------------------------------------------ the client


class Validation:
    """Validates the documents of one run, in a worker process or (`concurrent=False`) inline."""

    def __init__(self, concurrent: bool = True) -> None:
        self._worker: Worker | None = None
        self._writer: _Writer | None = None
        self._sent: list[tuple[Document, str]] = []  # (document, version), in submission order
        self._verdicts: list[list[Problem]] = []  # verdicts known so far, in that order
        if concurrent and speed.on("worker"):
            self._start()

    def _start(self) -> None:
        worker = take_spare() or spawn()
        self._worker = worker
        if worker is None:
            return  # no interpreter to start: everything is validated inline
        assert worker.stdin is not None
        self._writer = _Writer(worker.stdin)

    def submit(self, doc: Document, version: str) -> None:
        """Validate `doc` as it is now (loaded and repaired); `raise_first_error` reads the verdict."""
        self._sent.append((doc, version))
        if self._writer is None:
            return
        try:
            frame = VALIDATE + marshal.dumps((version, doc.data), _MARSHAL_VERSION)
        except ValueError:  # nested too deeply for marshal: the worker skips it, it is done here
            frame = SKIP
        self._writer.put(frame)

    @property
    def submitted(self) -> list[tuple[Document, str]]:
        """The documents submitted so far, with their versions, in order."""
        return list(self._sent)

    def raise_first_error(self) -> None:
        """Raise the first problem of the first invalid document among all submitted so far."""
        for doc, found in self.invalid_documents():
            message, pointer, code = found[0]
            raise InputError(message, doc.location(pointer), code)

    def invalid_documents(self) -> list[tuple[Document, list[Problem]]]:
        """Every document submitted so far that is not valid, with its problems, in order."""
        result = []
        for index, (doc, _) in enumerate(self._sent):
            found = self._verdict(index)
            if found:
                result.append((doc, found))
        return result

    def _verdict(self, index: int) -> list[Problem]:
        while len(self._verdicts) <= index:
            doc, version = self._sent[len(self._verdicts)]
            answer = self._answer()
            self._verdicts.append(
                problems(version, doc.data) if isinstance(answer, str) else answer
            )
        return self._verdicts[index]

    def _answer(self) -> list[Problem] | str:
        """The worker's next verdict, or "skipped" when this process must make it instead."""
        worker = self._worker
        if worker is None or worker.stdout is None:
            return "skipped"
        try:
            line = worker.stdout.readline()
            answer = json.loads(line) if line else None
        except (OSError, ValueError):
            line, answer = b"", None
        if not line:
            self._stop(kill=True)  # the worker died: this and the rest are validated here
            return "skipped"
        if not isinstance(answer, list):
            return "skipped"
        return [
            (str(message), join_pointer("", *(str(t) for t in tokens)), str(code))
            for message, tokens, code in answer
        ]

    def close(self, kill: bool = False) -> None:
        """Stop the worker: after its last answer, or at once (`kill`) when the run has failed."""
        self._stop(kill)

    def _stop(self, kill: bool) -> None:
        worker, self._worker = self._worker, None
        writer, self._writer = self._writer, None
        if worker is not None and kill:
            with contextlib.suppress(OSError):
                worker.kill()
        if writer is not None:
            writer.close()  # ends the stream: the worker finishes and exits
        if worker is not None:
            with contextlib.suppress(OSError):
                if worker.stdout is not None:
                    worker.stdout.close()
            # Without a timeout: Popen.wait(timeout) polls with sleeps of up to 50 ms. The worker
            # has been killed, or has no input left and exits as soon as its last answer is out.
            worker.wait()


@contextlib.contextmanager
def validation(concurrent: bool = True) -> Iterator[Validation]:
    """A `Validation` for the block; its worker is stopped when the block ends, however it ends."""
    validator = Validation(concurrent)
    try:
        yield validator
    except BaseException:
        validator.close(kill=True)
        raise
    validator.close()


class _Writer:
    """Feeds frames to the worker from a thread: a large document's frame is bigger than a pipe
    holds, and the worker reads nothing while it is still importing openapi-pydantic."""

    def __init__(self, pipe: IO[bytes]) -> None:
        self._pipe = pipe
        self._frames: list[bytes | None] = []
        self._ready = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="jobgen-validation", daemon=True)
        self._thread.start()

    def put(self, frame: bytes | None) -> None:
        with self._ready:
            self._frames.append(frame)
            self._ready.notify()

    def _run(self) -> None:
        try:
            while True:
                with self._ready:
                    while not self._frames:
                        self._ready.wait()
                    frame = self._frames.pop(0)
                if frame is None:
                    break
                self._write(HEADER.pack(len(frame)) + frame)
        except (OSError, ValueError):
            pass  # the worker is gone; its verdicts will be missing, and made inline
        finally:
            with contextlib.suppress(OSError, ValueError):
                self._pipe.close()

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = self._pipe.write(view)
            view = view[written or 0 :]

    def close(self) -> None:
        self.put(None)
        self._thread.join()
