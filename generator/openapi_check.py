"""The OpenAPI check itself: a document against openapi-pydantic's models of OpenAPI 3.0 or 3.1.

Imported by `validate.py` (to check a document in this process) and run as a script by it (the
worker process): so it imports nothing of jobgen, and pydantic only when it checks something. The
`jobgen` command forks its worker instead (`prestart`, `fork`): the same loop, `serve`, on pipes.

    python -I openapi_check.py  # frames in (4-byte length, then b"V" +
                                # marshal.dumps((version, data)) or b"S"), one JSON
                                # line out per frame: [[message, [pointer tokens],
                                # code], ...] ([] when the document is valid) or
                                # "skipped"
"""

from __future__ import annotations

# Only what starting a worker needs is imported here (`prestart` runs before the CLI imports anything).
import marshal
import os
import struct
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    import subprocess
    from typing import Any, BinaryIO, TypeAlias

    Worker: TypeAlias = "subprocess.Popen[bytes] | Forked"  # what `take_spare` and `spawn` give

HEADER = struct.Struct(">I")
VALIDATE = b"V"  # a frame's first byte: check the marshalled (version, data) that follows
SKIP = b"S"  # or: answer "skipped" (the document is checked by the process that sent it)

Problem = tuple[str, list[str], str]  # (message, JSON pointer tokens, code)


def problems(version: str, data: Any) -> list[Problem]:
    """Every problem openapi-pydantic finds in a document, each the most specific error of the
    alternatives it tried for one value ([] if the document is valid).
    """
    import pydantic

    models = _models(version)
    try:
        models.OpenAPI.model_validate(data)
    except pydantic.ValidationError as exc:
        branches = _branch_names(models)
        found: list[Problem] = []
        for error in _distinct(exc, branches, boolean_schemas=not version.startswith("3.0")):
            tokens = [str(t) for t in error["loc"] if not _is_branch(t, branches)]
            message = error["msg"][0].lower() + error["msg"][1:]
            found.append((f"invalid OpenAPI: {message}", tokens, "invalid"))
        return found
    except RecursionError:
        return [("schemas nest too deeply (inline or through a chain of $refs)", [], "too-deep")]
    return []


def problem(version: str, data: Any) -> Problem | None:
    """The first of a document's `problems`, or None if it is valid."""
    found = problems(version, data)
    return found[0] if found else None


def _models(version: str) -> Any:
    """openapi-pydantic's module of models for OpenAPI `version` (`v3_0` or `v3_1`)."""
    from openapi_pydantic.v3 import v3_0, v3_1

    return v3_0 if version.startswith("3.0") else v3_1


# Errors beyond these are not told apart: a document this broken is reported by its first problems.
_MAX_ERRORS = 2000


def _distinct(exc: Any, branches: frozenset[str], *, boolean_schemas: bool) -> list[Any]:
    """One error per problem: a value that fits none of a union's options gets an error from each
    option (`...schema.Reference.$ref` missing, `...schema.Schema.type` wrong); those are grouped,
    and the most specific of each group stands for it (preferring an option other than a missing
    `$ref`). `boolean_schemas`: `true` and `false` are schemas (JSON Schema 2020-12, OpenAPI 3.1),
    which openapi-pydantic's models do not know."""
    errors = exc.errors(include_url=False)[:_MAX_ERRORS]
    if boolean_schemas and any(_boolean_schema(e) for e in errors):
        errors = [e for e in errors if not _boolean_schema(e) and not _satisfied(e, errors)]
    useful = [e for e in errors if not (e["type"] == "missing" and e["loc"][-1:] == ("$ref",))]
    groups: list[list[Any]] = []
    for error in useful or errors:
        group = next((g for g in groups if any(_alternatives(error, o, branches) for o in g)), None)
        if group is None:
            groups.append([error])
        else:
            group.append(error)
    return [max(group, key=lambda e: len(e["loc"])) for group in groups]


def _boolean_schema(error: Any) -> bool:
    return (
        isinstance(error["input"], bool)
        and error["type"] == "model_type"
        and error["loc"][-1:] in (("Schema",), ("Reference",))
    )


def _satisfied(error: Any, errors: list[Any]) -> bool:
    """Is `error` a `$ref` missing where another option fails only on boolean schemas (so that
    option is met)?"""
    loc = error["loc"]
    if error["type"] != "missing" or loc[-2:] != ("Reference", "$ref"):
        return False
    prefix, depth = loc[:-2], len(loc) - 2
    others = [
        e
        for e in errors
        if len(e["loc"]) > depth and e["loc"][:depth] == prefix and e["loc"][depth] != "Reference"
    ]
    return bool(others) and all(_boolean_schema(e) for e in others)


def _alternatives(one: Any, other: Any, branches: frozenset[str]) -> bool:
    """Are these errors two options' complaints about one value (their locations part at a union's
    options)?"""
    for a, b in zip(one["loc"], other["loc"], strict=False):
        if a != b:
            return _is_branch(a, branches) and _is_branch(b, branches)
    return True


def _is_branch(token: object, branches: frozenset[str]) -> bool:
    """A union option's name in an error location (a model's, or a tag such as `list[str]`)."""
    text = str(token)
    return text in branches or "[" in text


def _branch_names(models: Any) -> frozenset[str]:
    """Names of the models' classes: a union's branches appear in error locations."""
    import pydantic

    return frozenset(
        name
        for name in dir(models)
        if isinstance(getattr(models, name), type)
        and issubclass(getattr(models, name), pydantic.BaseModel)
    )


# ----------------------------------------------------------------------------- starting a worker
def spawn() -> subprocess.Popen[bytes] | None:
    """Start a worker: this file run as a script by this interpreter, or None if it cannot start.

    -I keeps the user's environment variables and site-packages, and the script's folder, off its
    path: it imports the standard library, pydantic and openapi-pydantic, and nothing of jobgen.
    """
    import subprocess

    try:
        return subprocess.Popen(
            [sys.executable, "-I", os.path.abspath(__file__)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
        )
    except (OSError, ValueError):
        return None


class Forked:
    """A worker forked from the CLI process before it imported anything (see `prestart`), with the
    part of `subprocess.Popen`'s interface that the client uses."""

    def __init__(self, pid: int, stdin: BinaryIO, stdout: BinaryIO) -> None:
        self.pid, self.stdin, self.stdout = pid, stdin, stdout
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self) -> int:
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            os.kill(self.pid, _SIGKILL)


_SIGKILL = 9  # signal.SIGKILL on every POSIX system, without importing signal (and enum)


def fork() -> Forked | None:
    """A worker forked from this process, which must not have started a thread or imported much:
    the worker then skips an interpreter's start-up, and this process the import of subprocess
    (a third of the time to start a worker the other way). Linux only; None where it cannot.
    """
    if not sys.platform.startswith("linux"):
        return None  # macOS forbids much after fork(); elsewhere there is no fork at all
    # A thread (started by a sitecustomize, or a debugger) could hold a lock the worker then needs.
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return None
    try:
        down_read, down_write = os.pipe()
        up_read, up_write = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the worker: never returns into the code that forked it
        status = 0
        try:
            os.close(down_write)
            os.close(up_read)
            # The run's standard streams are not the worker's: it must not read the run's input,
            # say anything to the user, or hold the run's output pipe open after the run ends.
            devnull = os.open(os.devnull, os.O_RDWR)
            for stream in (0, 1, 2):
                if stream not in (down_read, up_write):  # (a run started with a stream closed)
                    os.dup2(devnull, stream)
            with open(down_read, "rb") as source, open(up_write, "wb") as sink:
                serve(source, sink)
        except BaseException:  # whatever happens, this process ends here
            status = 1
        os._exit(status)
    os.close(down_read)
    os.close(up_write)
    return Forked(pid, open(down_write, "wb", buffering=0), open(up_read, "rb"))


_SPARE: Worker | None = None  # a worker started ahead of the run that uses it


def prestart() -> None:
    """Start a worker now, for the next run in this process to take (`take_spare`). The CLI calls
    this first thing, so that the worker's imports overlap its own: the worker is forked where that
    is possible (nothing is imported yet, no thread runs), spawned elsewhere. This module imports
    only the standard library for that reason. Stopped at exit if unused."""
    global _SPARE
    if _SPARE is None:
        _SPARE = fork() or spawn()
        if _SPARE is not None:
            import atexit

            atexit.register(_drop_spare)


def take_spare() -> Worker | None:
    """The prestarted worker, if there is one still running."""
    global _SPARE
    worker, _SPARE = _SPARE, None
    if worker is not None and worker.poll() is not None:
        _close(worker)
        return None
    return worker


def _drop_spare() -> None:
    worker = take_spare()
    if worker is not None:
        worker.kill()
        _close(worker)


def stop_spare() -> None:
    """Stop an unused prestarted worker without waiting for it (for a process about to end)."""
    global _SPARE
    worker, _SPARE = _SPARE, None
    if worker is not None:
        worker.kill()


def _close(worker: Worker) -> None:
    worker.wait()
    for pipe in (worker.stdin, worker.stdout):
        if pipe is not None:
            try:  # noqa: SIM105 - contextlib is not imported here (see the top)
                pipe.close()
            except OSError:
                pass


# ------------------------------------------------------------------------------------ the worker
def serve(source: BinaryIO, sink: BinaryIO) -> None:
    """The worker: reads frames from `source` until it closes; answers each on `sink`."""
    import json

    # No pydantic plugins (entry points of the `pydantic` group): they observe the validation of
    # the user's own models, not jobgen's check of a document's shape.
    os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
    import pydantic  # noqa: F401 - imported before the first document arrives, not after

    try:
        while True:
            header = source.read(HEADER.size)
            if len(header) < HEADER.size:
                return
            (length,) = HEADER.unpack(header)
            body = source.read(length)
            if len(body) < length:
                return
            answer: Any = "skipped"
            if body[:1] == VALIDATE:
                version, data = marshal.loads(body[1:])
                answer = problems(version, data)
            sink.write(json.dumps(answer).encode() + b"\n")
            sink.flush()
    except (BrokenPipeError, KeyboardInterrupt):
        pass


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
