"""Stage 2a, validation: each document against openapi-pydantic's models of OpenAPI 3.0 or 3.1.

The verdict gates the output, but nothing else depends on it: the parser reads the plain data, and
validation only says whether the document is OpenAPI and, if not, where it first goes wrong. So it
runs beside the rest of the pipeline, in a worker process started when the run starts: importing
openapi-pydantic builds about a hundred pydantic models (a third of a small run's time), and
validating a large document takes about as long as parsing it. The worker gets each document as
soon as it is loaded and repaired, and answers in order; the pipeline reads the answers before it
returns anything (see `pipeline.run`).

When the pipeline fails for another reason, the verdicts on the documents already sent come first,
so a run reports the same error as validating each document before parsing it would have. If the
worker cannot be started or dies, the same validation runs in this process: the result is the same.

    python -m generator.validate   # the worker: framed marshal documents in, JSON lines out
"""

from __future__ import annotations

import contextlib
import json
import marshal
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .diagnostics import InputError, join_pointer

if TYPE_CHECKING:
    from .load import Document

# A frame: 4-byte big-endian length, then marshal.dumps((version, data)); a zero length ends the
# stream. (The worker is this interpreter, so marshal is exact and the fastest way across.)
_HEADER = struct.Struct(">I")
_MARSHAL_VERSION = 4


# --------------------------------------------------------------------------------- the validation
Verdict = tuple[str, str, str]  # (message, JSON pointer, code) of a document's first problem


def problem(version: str, data: Any) -> Verdict | None:
    """The most specific problem openapi-pydantic finds in a document, or None if it is valid."""
    import pydantic
    from openapi_pydantic.v3 import v3_0, v3_1

    model = v3_0.OpenAPI if version.startswith("3.0") else v3_1.OpenAPI
    try:
        model.model_validate(data)
    except pydantic.ValidationError as exc:
        error = _most_specific(exc)
        branches = _branch_names()
        tokens = [str(t) for t in error["loc"] if str(t) not in branches and "[" not in str(t)]
        message = error["msg"][0].lower() + error["msg"][1:]
        return f"invalid OpenAPI: {message}", join_pointer("", *tokens), "invalid"
    except RecursionError:
        return "schemas nest too deeply (inline or through a chain of $refs)", "", "too-deep"
    return None


def _most_specific(exc: Any) -> Any:
    errors = exc.errors(include_url=False)
    # A failed union reports one error per branch; prefer a branch other than a missing `$ref`.
    useful = [e for e in errors if not (e["type"] == "missing" and e["loc"][-1:] == ("$ref",))]
    candidates = useful or errors
    return max(candidates, key=lambda e: len(e["loc"]))


_BRANCHES: frozenset[str] | None = None


def _branch_names() -> frozenset[str]:
    """Names of openapi-pydantic's model classes: a union's branches appear in error locations."""
    global _BRANCHES  # a cache of a fact about an imported library
    if _BRANCHES is None:
        import pydantic
        from openapi_pydantic.v3 import v3_0, v3_1

        _BRANCHES = frozenset(
            name
            for module in (v3_0, v3_1)
            for name in dir(module)
            if isinstance(getattr(module, name), type)
            and issubclass(getattr(module, name), pydantic.BaseModel)
        )
    return _BRANCHES


# ------------------------------------------------------------------------------------ the client
_VALIDATE = b"V"  # a frame's first byte: validate the marshalled (version, data) that follows
_SKIP = b"S"  # or: answer "skipped" (that document is validated in the calling process)


class Validation:
    """Validates the documents of one run, in a worker process or (`concurrent=False`) inline."""

    def __init__(self, concurrent: bool = True) -> None:
        self._worker: subprocess.Popen[bytes] | None = None
        self._writer: _Writer | None = None
        self._sent: list[tuple[Document, str]] = []  # (document, version), in submission order
        self._verdicts: list[Verdict | None] = []  # verdicts known so far, in that order
        if concurrent:
            self._start()

    def _start(self) -> None:
        root = str(Path(__file__).resolve().parent.parent)
        bootstrap = (
            f"import sys; sys.path.insert(0, {root!r}); "
            "from generator.validate import serve; serve()"
        )
        try:
            self._worker = subprocess.Popen(
                [sys.executable, "-I", "-c", bootstrap],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                bufsize=0,
            )
        except (OSError, ValueError):
            self._worker = None  # no interpreter to start: everything is validated inline
            return
        assert self._worker.stdin is not None
        self._writer = _Writer(self._worker.stdin)

    def submit(self, doc: Document, version: str) -> None:
        """Validate `doc` as it is now (loaded and repaired); `raise_first_error` reads the verdict."""
        self._sent.append((doc, version))
        if self._writer is None:
            return
        try:
            frame = _VALIDATE + marshal.dumps((version, doc.data), _MARSHAL_VERSION)
        except ValueError:  # nested too deeply for marshal: the worker skips it, it is done here
            frame = _SKIP
        self._writer.put(frame)

    def raise_first_error(self) -> None:
        """Raise the problem of the first invalid document among all submitted so far, if any."""
        for index, (doc, _) in enumerate(self._sent):
            verdict = self._verdict(index)
            if verdict is not None:
                message, pointer, code = verdict
                raise InputError(message, doc.location(pointer), code)

    def _verdict(self, index: int) -> Verdict | None:
        while len(self._verdicts) <= index:
            doc, version = self._sent[len(self._verdicts)]
            answer = self._answer()
            if answer == "skipped":
                answer = problem(version, doc.data)
            self._verdicts.append(answer)
        return self._verdicts[index]

    def _answer(self) -> Any:
        """The worker's next verdict: None (valid), a `Verdict`, or "skipped" (made here instead)."""
        worker = self._worker
        if worker is None or worker.stdout is None:
            return "skipped"
        try:
            line = worker.stdout.readline()
            answer = json.loads(line) if line else "skipped"
        except (OSError, ValueError):
            answer = "skipped"
        if answer == "skipped" and not line:
            self._stop(kill=True)  # the worker died: the rest is validated here
        if answer is None or answer == "skipped":
            return answer
        return (str(answer[0]), str(answer[1]), str(answer[2]))

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
                self._write(_HEADER.pack(len(frame)) + frame)
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


# ------------------------------------------------------------------------------------ the worker
def serve() -> None:
    """The worker: reads frames from stdin until it closes; writes one JSON line per frame: null
    (valid), [message, pointer, code], or "skipped"."""
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    try:
        while True:
            header = source.read(_HEADER.size)
            if len(header) < _HEADER.size:
                return
            (length,) = _HEADER.unpack(header)
            body = source.read(length)
            if len(body) < length:
                return
            answer: Any = "skipped"
            if body[:1] == _VALIDATE:
                version, data = marshal.loads(body[1:])
                answer = problem(version, data)
            sink.write(json.dumps(answer).encode() + b"\n")
            sink.flush()
    except (BrokenPipeError, KeyboardInterrupt):
        pass
