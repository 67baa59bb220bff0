"""The OpenAPI check itself: a document against openapi-pydantic's models of OpenAPI 3.0 or 3.1.

Imported by `validate.py` (to check a document in this process) and run as a script by it (the
worker process): so it imports nothing of jobgen, and pydantic only when it checks something.

    python -I openapi_check.py   # frames in (4-byte length, then b"V" + marshal.dumps((version,
                                 # data)) or b"S"), one JSON line out per frame:
                                 # null, [message, [pointer tokens], code] or "skipped"
"""

from __future__ import annotations

import json
import marshal
import os
import struct
import sys
from typing import Any

HEADER = struct.Struct(">I")
VALIDATE = b"V"  # a frame's first byte: check the marshalled (version, data) that follows
SKIP = b"S"  # or: answer "skipped" (the document is checked by the process that sent it)

Problem = tuple[str, list[str], str]  # (message, JSON pointer tokens, code)


def problem(version: str, data: Any) -> Problem | None:
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
        return f"invalid OpenAPI: {message}", tokens, "invalid"
    except RecursionError:
        return "schemas nest too deeply (inline or through a chain of $refs)", [], "too-deep"
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


def serve() -> None:
    """The worker: reads frames from stdin until it closes; answers each on stdout."""
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    _branch_names()  # imports openapi-pydantic before the first document arrives, not after
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
                answer = problem(version, data)
            sink.write(json.dumps(answer).encode() + b"\n")
            sink.flush()
    except (BrokenPipeError, KeyboardInterrupt):
        pass


if __name__ == "__main__":
    serve()
    # Every answer is written and flushed: skip the teardown of pydantic's many objects, which the
    # run would otherwise wait for (tens of milliseconds).
    os._exit(0)
