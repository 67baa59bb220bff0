"""The order `ruff check --select I` (isort) gives names and modules, worked out without ruff.

A speed trick (`import-order`, see `speed.py`): with every module's imports rendered in this order,
formatting is `ruff format` alone. Its plain twin is `sorted()` here and `ruff check --select I
--fix` in `format.py`. tests/test_import_order.py holds these to ruff itself.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from .. import speed


def natural_compare(left: str, right: str) -> int:
    """Natural order as ruff's isort has it (the `natord` crate, after Martin Pool's strnatcmp):
    runs of digits compare as numbers (`n2` < `n10`), and a run with a leading zero digit by digit."""
    i = j = 0
    while True:
        a = left[i] if i < len(left) else ""
        b = right[j] if j < len(right) else ""
        if not a or not b:
            return 0 if a == b else (-1 if not a else 1)
        if a.isdigit() and b.isdigit() and a.isascii() and b.isascii():
            run_a = re.match(r"[0-9]*", left[i:])
            run_b = re.match(r"[0-9]*", right[j:])
            digits_a = run_a.group() if run_a else ""
            digits_b = run_b.group() if run_b else ""
            if a == "0" or b == "0":  # fractional: digit by digit, the shorter run first
                for x, y in zip(digits_a, digits_b, strict=False):
                    if x != y:
                        return -1 if x < y else 1
                if len(digits_a) != len(digits_b):
                    return -1 if len(digits_a) < len(digits_b) else 1
            else:  # whole numbers: the longer run is the greater, else the first difference
                if len(digits_a) != len(digits_b):
                    return -1 if len(digits_a) < len(digits_b) else 1
                if digits_a != digits_b:
                    return -1 if digits_a < digits_b else 1
            i += len(digits_a)
            j += len(digits_b)
            continue
        if a != b:
            return -1 if a < b else 1
        i += 1
        j += 1


def _natural(text: str) -> Any:
    return functools.cmp_to_key(natural_compare)(text)


def _member_rank(name: str) -> int:
    """isort's order by type: CONSTANTS, then Classes, then everything else."""
    if len(name) > 1 and name.upper() == name and name.lower() != name:
        return 0
    return 1 if name[:1].isupper() else 2


def isort_names(names: Iterable[str]) -> list[str]:
    """Names of one `from x import ...` in the order `ruff check --select I` wants them."""
    if not speed.on("import-order"):
        return sorted(names)
    return sorted(names, key=lambda n: (_member_rank(n), _natural(n.lower()), _natural(n)))


def isort_modules(modules: Iterable[str]) -> list[str]:
    """Modules of `from .module import ...` statements (all one level up) in ruff's order."""
    if not speed.on("import-order"):
        return sorted(modules)
    return sorted(modules, key=lambda m: (_natural(m.lower()), _natural(m)))
