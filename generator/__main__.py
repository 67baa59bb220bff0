"""The `jobgen` command (and `python -m generator`).

Before anything else is imported, a run that may validate documents starts the validation worker
(`validate.py`): it then imports pydantic and openapi-pydantic while this process imports click,
Jinja and the stages, instead of after them. A run served by the result cache leaves it unused.
"""

from __future__ import annotations

import sys

_VALIDATING_COMMANDS = frozenset({"generate", "check", "validate"})


def main() -> None:
    arguments = set(sys.argv[1:])
    if arguments & _VALIDATING_COMMANDS and not arguments & {"--help", "-h"}:
        from .openapi_check import prestart

        prestart()
    from .cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
