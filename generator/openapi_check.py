"""The OpenAPI check itself: a document against openapi-pydantic's models of OpenAPI 3.0 or 3.1.

Imported by `validate.py` (to check a document in this process) and run as a script by it (the
worker process): so it imports nothing of jobgen, and pydantic only when it checks something.

    python -I openapi_check.py  # frames in (4-byte length, then b"V" +
                                # marshal.dumps((version, data)) or b"S"), one JSON
                                # line out per frame: [[message, [pointer tokens],
                                # code], ...] ([] when the document is valid) or
                                # "skipped"
"""

from __future__ import annotations

import marshal
import os
import struct
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    import subprocess
    from typing import Any, BinaryIO, TypeAlias

    Worker: TypeAlias = "subprocess.Popen[bytes]"  # what `spawn` gives

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
