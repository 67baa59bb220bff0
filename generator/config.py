"""The run's settings: `[tool.jobgen]` in pyproject.toml, or the ad-hoc command-line equivalent."""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import InputError, Location

# Every key of [tool.jobgen], with what it holds: the README's table of keys says the same (a test
# holds them together), and an unknown key's message lists these.
_KEYS = {
    "specs": "the OpenAPI files, one API each: a path (the API is named by the file's stem) or "
    '{path = "...", name = "..."}',
    "output": "the output folder",
    "package": "the generated package's import name",
    "profiles": "the job-profile files (default: none)",
    "version": "pins the generated package's version (default: moved by semver on each change)",
    "strict": "warnings and skipped items are errors (default false)",
    "fail_on_breaking": "a regeneration with breaking API changes exits 3 and writes nothing "
    "(default false)",
    "templates": "a folder of templates that replace the package templates of the same names "
    "(default: none)",
}
_EXAMPLE = (
    'specs = ["specs/api.yaml"], output = "generated", package = "my_client"'
    " (or run `jobgen generate SPEC... --output DIR --package NAME`)"
)
INITIAL_VERSION = "0.1.0"
COMMAND_LINE = "<command line>"
# A version as pip and the package's build backend accept it (PEP 440, public versions).
VERSION = re.compile(r"^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$")
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
    version: str | None = None  # pinned; None: the version moves by semver with the API
    strict: bool = False
    source: str = COMMAND_LINE
    names: tuple[str, ...] = ()  # each spec's API name, as the config gives it; (): their stems
    templates: Path | None = None  # the folder of templates that overlay the package templates
    fail_on_breaking: bool = False

    @property
    def root(self) -> Path | None:
        """The project's folder (the config file's: the API surface names spec files relative to
        it); None for a run configured on the command line (then they are named as given)."""
        return None if self.source == COMMAND_LINE else Path(self.source).parent

    def api_names(self) -> tuple[str, ...]:
        """The name of each spec's API, in the order of the specs (before the parser makes them
        unique)."""
        return self.names or tuple(spec.stem for spec in self.specs)


def load_config(path: Path) -> Config:
    """Read `[tool.jobgen]` from a pyproject.toml; paths in it are relative to that file."""
    display = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(
            f"config file not found; write one with a [tool.jobgen] table: {_EXAMPLE}",
            Location(display),
            "config",
        ) from None
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
        raise InputError(
            f"no [tool.jobgen] table; add one: {_EXAMPLE}", Location(display), "config"
        )

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

    specs, names = _specs(table["specs"], base, where("specs"))
    output, package = table["output"], table["package"]
    if not isinstance(output, str) or not output:
        raise InputError("`output` must be a folder path", where("output"), "config")
    if not isinstance(package, str):
        raise InputError("`package` must be a string", where("package"), "config")
    problem = package_name_problem(package)
    if problem is not None:
        raise InputError(f"`package` {package!r} {problem}", where("package"), "config")
    version = table.get("version")
    if version is not None and (not isinstance(version, str) or not VERSION.match(version)):
        raise InputError(
            f'`version` {version!r} is not a version such as "1.2.0" (PEP 440)',
            where("version"),
            "config",
        )
    flags = {}
    for key in ("strict", "fail_on_breaking"):
        flags[key] = table.get(key, False)
        if not isinstance(flags[key], bool):
            raise InputError(f"`{key}` must be true or false", where(key), "config")
    templates = table.get("templates")
    if templates is not None and (not isinstance(templates, str) or not templates):
        raise InputError("`templates` must be a folder path", where("templates"), "config")
    if templates is not None and not (base / templates).is_dir():
        raise InputError(f"`templates` {templates!r} is not a folder", where("templates"), "config")
    return Config(
        specs,
        base / output,
        package,
        paths("profiles"),
        version,
        flags["strict"],
        display,
        names=names,
        templates=base / templates if templates is not None else None,
        fail_on_breaking=flags["fail_on_breaking"],
    )


def _specs(value: object, base: Path, where: Location) -> tuple[tuple[Path, ...], tuple[str, ...]]:
    """The spec paths and their APIs' names: a path names its API by its stem, a table
    `{path = "...", name = "..."}` by its `name`."""
    from .naming import module_name

    if not isinstance(value, list) or not value:
        raise InputError(
            '`specs` must be a non-empty list of paths or {path = "...", name = "..."} tables',
            where,
            "config",
        )
    specs: list[Path] = []
    names: list[str] = []
    chosen: dict[str, int] = {}  # the names the config gives, by their entry's index
    for index, entry in enumerate(value):
        if isinstance(entry, str):
            specs.append(base / entry)
            names.append(Path(entry).stem)
            continue
        if (
            not isinstance(entry, dict)
            or set(entry) != {"path", "name"}
            or not all(isinstance(v, str) for v in entry.values())
        ):
            raise InputError(
                f"`specs` entry {index + 1} must be a path or a table "
                '{path = "...", name = "..."} of two strings',
                where,
                "config",
            )
        name = entry["name"]
        if module_name(name) != name:
            raise InputError(
                f"`specs` entry {index + 1}: {name!r} cannot name an API: it becomes the "
                "module `<package>.<name>` and the attribute `client.<name>`, so it must be a "
                f"lower-case identifier that is no keyword or reserved name (such as {module_name(name)!r})",
                where,
                "config",
            )
        if name in chosen:
            raise InputError(
                f"`specs` entries {chosen[name] + 1} and {index + 1} both name their API {name!r}",
                where,
                "config",
            )
        chosen[name] = index
        specs.append(base / entry["path"])
        names.append(name)
    for index, name in enumerate(names):
        # A name the config gives is the API's: a spec file's stem may not take it first.
        taken = chosen.get(module_name(name))
        if taken is not None and taken != index:
            raise InputError(
                f"`specs` entry {index + 1}'s file stem names its API {module_name(name)!r}, "
                f"the name entry {taken + 1} gives; give one of them another name",
                where,
                "config",
            )
    return tuple(specs), tuple(names)


def check_package_name(name: str) -> str:
    """`name`, if it can be the generated package's import name (`--package`)."""
    problem = package_name_problem(name)
    if problem is not None:
        raise InputError(f"--package {name!r} {problem}", Location(COMMAND_LINE), "config")
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
