"""The speed tricks: every one jobgen plays, and the switch that runs it plainly instead.

A trick saves time and changes nothing a run writes or prints. Each has a plain twin beside it (the
obvious code, in this one process, with the standard library or ruff doing the work), and asks
`on(name)` in one place which of the two runs. The environment variable `JOBGEN_PLAIN` chooses:

    JOBGEN_PLAIN=1                  every trick off: the plain path
    JOBGEN_PLAIN=worker,gc-off      only the tricks named (comma-separated) off, for measuring them
    unset, empty or 0               every trick on (the default)

An unknown name is refused by the command (`unknown_tricks`), so that a typo does not measure the
default path under another name. tests/test_plain.py runs both paths and compares every byte they
write and print. BENCHMARKS.md ("Speed tricks") has what each trick earns, on which input and how
it was measured; a trick that does not earn a tenth of a realistic run's time is not kept, and the
tricks removed for that are listed there too.
"""

from __future__ import annotations

import os

SWITCH = "JOBGEN_PLAIN"

# name -> what it does instead of the plain twin (and where)
TRICKS: dict[str, str] = {
    "result-cache": "a run whose inputs are all unchanged is served from `.jobgen-cache/`, "
    "without loading, parsing, rendering or formatting anything (cache.py; plain: every stage runs)",
    "worker": "documents are validated in a worker process while this one parses, renders and "
    "formats them (validate.py, openapi_check.py; plain: validated here, after the other stages)",
    "prestart": "the command forks the worker before importing anything, so that the two import "
    "side by side (__main__.py, openapi_check.prestart; plain: the worker is spawned when the "
    "first run starts)",
    "lazy-lines": "a JSON document read by `json.loads` works out its line numbers only when a "
    "message needs one (load.py, diagnostics.Location; plain: at once, by the YAML builder)",
    "gc-off": "the cyclic garbage collector is off for the whole command, the forked worker "
    "included (__main__.py; plain: on)",
    "template-bytecode": "Jinja keeps the compiled templates in its bytecode cache (render/"
    "project.py; plain: the templates are compiled on every run)",
}


def plain_tricks() -> frozenset[str]:
    """The tricks `JOBGEN_PLAIN` turns off."""
    value = os.environ.get(SWITCH, "").strip()
    if value in ("", "0"):
        return frozenset()
    if value in ("1", "all"):
        return frozenset(TRICKS)
    return frozenset(name.strip() for name in value.split(",") if name.strip())


def on(trick: str) -> bool:
    """Whether `trick` is played (rather than its plain twin run)."""
    if trick not in TRICKS:
        raise KeyError(f"no speed trick is called {trick!r}")
    return trick not in plain_tricks()


def unknown_tricks() -> list[str]:
    """Names in `JOBGEN_PLAIN` that are no trick's."""
    return sorted(plain_tricks() - TRICKS.keys())
