"""The run's settings: `[tool.jobgen]` in pyproject.toml, or the ad-hoc command-line equivalent."""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import InputError, Location

_KEYS = {
    "specs": "list of OpenAPI files, one API each (the API's name is the file's stem)",
    "profiles": "list of job-profile files (optional)",
    "output": "the output folder",
    "package": "the generated package's import name",
    "version": "the generated package's version (default 0.1.0)",
    "strict": "treat warnings as errors (default false)",
}
_PACKAGE = re.compile(r"^[a-z_][a-z0-9_]*$")
# What the generated package imports (httpx, pydantic) and what they import, required or optional:
# a package of one of these names, on the path before the real one, would be imported in its place.
_DEPENDENCIES = frozenset(
    {
        "httpx",
        "httpcore",
        "h11",
        "h2",
        "hpack",
        "hyperframe",
        "anyio",
        "sniffio",
        "idna",
        "certifi",
        "socksio",
        "brotli",
        "brotlicffi",
        "zstandard",
        "trio",
        "exceptiongroup",
        "pydantic",
        "pydantic_core",
        "annotated_types",
        "typing_extensions",
        "typing_inspection",
        "email_validator",
        "tzdata",
    }
)


@dataclass(frozen=True)
class Config:
    """A run's configuration: specs, profiles, output folder, package name, version, strictness."""

    specs: tuple[Path, ...]
    output: Path
    package: str
    profiles: tuple[Path, ...] = ()
    version: str = "0.1.0"
    strict: bool = False
    source: str = "<command line>"


def load_config(path: Path) -> Config:
    """Read `[tool.jobgen]` from a pyproject.toml; paths in it are relative to that file."""
    display = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("config file not found", Location(display), "config") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read config file: {exc}", Location(display), "config") from None
    import tomllib  # here: most runs take their specs from the command line, not from a config

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(
            f"invalid TOML: {exc.args[0] if exc.args else exc}",
            Location(display, "", line),
            "config",
        ) from None
    table = data.get("tool", {}).get("jobgen")
    if not isinstance(table, dict):
        raise InputError("no [tool.jobgen] table", Location(display), "config")

    def where(key: str) -> Location:
        return Location(display, f"/tool/jobgen/{key}", _line_of(text, key))

    for key in table:
        if key not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            raise InputError(
                f"unknown key {key!r} in [tool.jobgen] (known: {known})", where(key), "config"
            )
    for key in ("specs", "output", "package"):
        if key not in table:
            raise InputError(
                f"[tool.jobgen] needs `{key}`: {_KEYS[key]}",
                Location(display, "/tool/jobgen"),
                "config",
            )
    base = path.parent

    def paths(key: str) -> tuple[Path, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InputError(f"`{key}` must be a list of paths", where(key), "config")
        return tuple(base / v for v in value)

    specs = paths("specs")
    if not specs:
        raise InputError("`specs` is empty", where("specs"), "config")
    output, package, version = table["output"], table["package"], table.get("version", "0.1.0")
    if not isinstance(output, str) or not output:
        raise InputError("`output` must be a folder path", where("output"), "config")
    if not isinstance(package, str):
        raise InputError("`package` must be a string", where("package"), "config")
    problem = package_name_problem(package)
    if problem is not None:
        raise InputError(f"`package` {package!r} {problem}", where("package"), "config")
    if not isinstance(version, str):
        raise InputError("`version` must be a string", where("version"), "config")
    strict = table.get("strict", False)
    if not isinstance(strict, bool):
        raise InputError("`strict` must be true or false", where("strict"), "config")
    return Config(specs, base / output, package, paths("profiles"), version, strict, display)


def check_package_name(name: str) -> str:
    """`name`, if it can be the generated package's import name (`--package`)."""
    problem = package_name_problem(name)
    if problem is not None:
        raise InputError(f"--package {name!r} {problem}", Location("<command line>"), "config")
    return name


def package_name_problem(name: str) -> str | None:
    """Why `name` cannot be the generated package's import name, or None if it can."""
    if not _PACKAGE.match(name):
        return (
            "is not a valid package name: lower-case letters, digits and `_`, "
            "not starting with a digit"
        )
    if keyword.iskeyword(name):
        return "is a Python keyword: no `import` statement can name it"
    if name in sys.stdlib_module_names:
        return f"would shadow the standard library's module {name!r}"
    if name in _DEPENDENCIES:
        return (
            f"would shadow {name!r}, which the generated package needs "
            "(httpx, pydantic and what they import)"
        )
    return None


def _line_of(text: str, key: str) -> int | None:
    in_table = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_table = stripped == "[tool.jobgen]"
        elif in_table and re.match(rf"^{re.escape(key)}\s*=", stripped):
            return number
    return None
