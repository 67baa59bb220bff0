"""Problems found in user input, as values.

Every stage reports what it finds as a `Diagnostic` that knows where it comes from (spec file, line, JSON
pointer). Warnings are collected and reported; errors stop the run with `InputError`, which the CLI turns
into one line and exit code 2. Nothing here prints.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


class Level(enum.Enum):
    WARNING = "warning"
    ERROR = "error"


class LineSource(Protocol):
    """Something that knows the line of a JSON pointer (a loaded document)."""

    def line_of(self, pointer: str) -> int | None: ...


class Location:
    """Where a problem is: a file, the line in it when known, and a JSON pointer.

    Immutable. The line may be given, or looked up in `source` the first time it is read: a document
    loaded through the JSON fast path (`load.py`) works its line numbers out only when a message needs
    one, and the parser makes a location for every operation and schema whether or not any is shown.
    """

    __slots__ = ("_line", "_source", "file", "pointer")

    file: str
    pointer: str
    _line: int | None
    _source: LineSource | None

    def __init__(
        self,
        file: str,
        pointer: str = "",
        line: int | None = None,
        *,
        source: LineSource | None = None,
    ) -> None:
        set_ = object.__setattr__
        set_(self, "file", file)
        set_(self, "pointer", pointer)
        set_(self, "_line", line)
        set_(self, "_source", source if line is None else None)

    @property
    def line(self) -> int | None:
        source = self._source
        if source is not None:
            object.__setattr__(self, "_line", source.line_of(self.pointer))
            object.__setattr__(self, "_source", None)
        return self._line

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Location is immutable (cannot set {name!r})")

    def _key(self) -> tuple[str, str, int]:
        line = self.line
        return (self.file, self.pointer, -1 if line is None else line)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Location):
            return NotImplemented
        return self._key() == other._key()

    def __lt__(self, other: Location) -> bool:
        return self._key() < other._key()

    def __hash__(self) -> int:
        # Not the line: hashing (frozen IR dataclasses hash their locations) must not look it up.
        return hash((self.file, self.pointer))

    def __repr__(self) -> str:
        return f"Location(file={self.file!r}, pointer={self.pointer!r}, line={self.line!r})"

    def __reduce__(self) -> tuple[type[Location], tuple[str, str, int | None]]:
        return (Location, (self.file, self.pointer, self.line))

    def __str__(self) -> str:
        text = self.file
        line = self.line
        if line is not None:
            text += f":{line}"
        if self.pointer:
            text += f" #{self.pointer}"
        return text


@dataclass(frozen=True)
class Diagnostic:
    """A warning or an error, with where it is and a short code."""

    level: Level
    message: str
    location: Location
    # A stable, short identifier of the kind of problem (e.g. a repair name), for reports and tests.
    code: str = ""

    def __str__(self) -> str:
        return f"{self.location}: {self.level.value}: {self.message}"


class InputError(Exception):
    """Bad input: the run stops, the CLI prints each of `diagnostics` on a line and exits 2.

    Usually one problem; a stage that checks many things at once (job profiles) reports them all
    together with `InputError.of(problems)`.
    """

    def __init__(self, message: str, location: Location | None = None, code: str = "") -> None:
        self.diagnostic = Diagnostic(Level.ERROR, message, location or Location("<input>"), code)
        self.diagnostics: tuple[Diagnostic, ...] = (self.diagnostic,)
        super().__init__(str(self.diagnostic))

    @classmethod
    def of(cls, problems: Sequence[Diagnostic]) -> InputError:
        """One error for several problems (at least one), in the order given."""
        first = problems[0]
        error = cls(first.message, first.location, first.code)
        error.diagnostics = tuple(problems)
        error.args = ("\n".join(str(problem) for problem in problems),)
        return error


class InputErrors(InputError):
    """Several problems of the input (of one document or of several), reported together, each on
    its own line; `diagnostic` is the first."""

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = tuple(errors)
        first = errors[0].diagnostic
        super().__init__(first.message, first.location, first.code)
        self.diagnostics = tuple(problem for error in errors for problem in error.diagnostics)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


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
    text = str(token)
    if "~" in text or "/" in text:
        return text.replace("~", "~0").replace("/", "~1")
    return text


def unescape_pointer_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def join_pointer(base: str, *tokens: str | int) -> str:
    for token in tokens:  # (a loop rather than a join: this runs for every node of a spec)
        base += "/" + escape_pointer_token(token)
    return base
