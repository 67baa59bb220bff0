"""The `jobgen` command (and `python -m generator`).

Two speed tricks live here (see `speed.py`, where `JOBGEN_PLAIN` turns them off):

- `gc-off`: the cyclic garbage collector is off for the whole command. Loading, parsing and
  validating a large spec make millions of small objects that all stay alive until the command
  ends, and each collection re-scans all of them; reference counting still frees everything
  acyclic. The worker is forked with the collector off, and lives no longer than the command.
- `prestart`: before anything else is imported, a run that may validate documents starts the
  validation worker (`validate.py`), which then imports pydantic and openapi-pydantic while this
  process imports click, Jinja and the stages. A run served by the result cache leaves it unused.
"""

from __future__ import annotations

import gc
import os
import sys

from . import speed

_VALIDATING_COMMANDS = frozenset({"generate", "check", "validate"})


def main() -> None:
    if speed.on("gc-off"):
        gc.disable()
    unknown = speed.unknown_tricks()
    if unknown:
        known = ", ".join(speed.TRICKS)
        print(
            f"jobgen: error: {speed.SWITCH}: no speed trick is called {', '.join(unknown)} "
            f"(use 1 for all, or some of: {known})",
            file=sys.stderr,
        )
        sys.exit(2)
    arguments = set(sys.argv[1:])
    if (
        speed.on("worker")
        and speed.on("prestart")
        and arguments & _VALIDATING_COMMANDS
        and not arguments & {"--help", "-h"}
    ):
        from .openapi_check import prestart

        prestart()
    from .cli import main as cli_main

    try:
        cli_main()  # click ends the command with SystemExit
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    _end(code)


def _end(code: object) -> None:
    """End the process as `sys.exit(code)` would, also when a standard stream is closed or gone."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code & 0xFF
    else:  # sys.exit("message"): the message goes to stderr, the status is 1
        print(code, file=sys.stderr)
        status = 1
    from .openapi_check import stop_spare

    stop_spare()  # an unused prestarted worker (a run served by the cache)
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started without it (`jobgen ... >&-`)
            continue
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`jobgen ... | head`), or a closed stream
            status = status or 1
            _drop(stream)
    sys.exit(status)


def _drop(stream: object) -> None:
    """Point a stream that cannot be flushed at /dev/null, so that the interpreter's own flush at
    exit has nothing to complain about (what Python's documentation advises for SIGPIPE)."""
    try:
        descriptor = stream.fileno()  # type: ignore[attr-defined]
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, descriptor)
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":
    main()
