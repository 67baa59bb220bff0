"""Problems found in user input, as values.

Every stage reports what it finds as a `Diagnostic` that knows where it comes from (spec file, line, JSON
pointer). Warnings are collected and reported; errors stop the run with `InputError`, which the CLI turns
into one line and exit code 2. Nothing here prints.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Level(enum.Enum):
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, order=True)
class Location:
    """Where a problem is: a file, the line in it when known, and a JSON pointer."""

    file: str
    pointer: str = ""
    line: int | None = None

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
        if self.pointer:
            text += f" #{self.pointer}"
        return text


@dataclass(frozen=True)
class Diagnostic:
    level: Level
    message: str
    location: Location
    # A stable, short identifier of the kind of problem (e.g. a repair name), for reports and tests.
    code: str = ""

    def __str__(self) -> str:
        return f"{self.location}: {self.level.value}: {self.message}"


class InputError(Exception):
    """Bad input: the run stops, the CLI prints `str(self)` and exits 2."""

    def __init__(self, message: str, location: Location | None = None, code: str = "") -> None:
        self.diagnostic = Diagnostic(Level.ERROR, message, location or Location("<input>"), code)
        super().__init__(str(self.diagnostic))


@dataclass
class Collector:
    """Gathers warnings and skipped items for one spec while the pipeline runs."""

    warnings: list[Diagnostic] = field(default_factory=list)
    skipped: list[Diagnostic] = field(default_factory=list)

    def warn(self, message: str, location: Location, code: str = "") -> None:
        self.warnings.append(Diagnostic(Level.WARNING, message, location, code))

    def skip(self, reason: str, location: Location, code: str = "") -> None:
        self.skipped.append(Diagnostic(Level.WARNING, reason, location, code))


def escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape_pointer_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def join_pointer(base: str, *tokens: str | int) -> str:
    return base + "".join("/" + escape_pointer_token(t) for t in tokens)
