"""The `jobgen` command (and `python -m generator`).

Before anything else is imported, a run that may validate documents starts the validation worker
(`validate.py`): it then imports pydantic and openapi-pydantic while this process imports click,
Jinja and the stages, instead of after them. A run served by the result cache leaves it unused.

The cyclic garbage collector is off for the whole command, as it is for the stages of any run
(`pipeline._collector_paused`): a short-lived process whose objects mostly live until it ends gains
nothing from collections, and imports alone set off dozens of them (7% of a small run's CPU time,
the worker's included: it is forked with the collector off, and lives no longer than the command).

When the command is done, the process ends without the interpreter's teardown (freeing every module
and object one by one: about 30 ms, a tenth of a small run). Everything the command writes is
closed by then; only the standard streams are flushed here.
"""

from __future__ import annotations

import gc
import os
import sys

_VALIDATING_COMMANDS = frozenset({"generate", "check", "validate"})


def main() -> None:
    gc.disable()
    arguments = set(sys.argv[1:])
    if arguments & _VALIDATING_COMMANDS and not arguments & {"--help", "-h"}:
        from .openapi_check import prestart

        prestart()
    from .cli import main as cli_main

    try:
        cli_main()  # click ends the command with SystemExit
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    _exit(code)


def _exit(code: object) -> None:
    """End the process as `sys.exit(code)` would, skipping the interpreter's teardown."""
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
    os._exit(status)


if __name__ == "__main__":
    main()
