"""Helpers shared by the hostile-input tests: run the CLI, snapshot folders, generate and import packages.

Nothing here asserts; the tests do. Generated packages are imported from temporary folders under unique
names and forgotten afterwards, so hundreds of them can be imported in one session.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import Any

from click.testing import CliRunner

from generator.cli import cli
from generator.config import Config
from generator.diagnostics import InputError
from generator.format import ruff_binary
from generator.pipeline import Result, run

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
RUNTIME_SOURCES = ROOT / "templates" / "runtime"
PYTHON = sys.executable

# `jobgen: error: FILE[:LINE][ #POINTER]: message`, one line (the CLI contract, DESIGN.md).
ERROR_LINE = re.compile(
    r"^jobgen: error: (?P<file>[^\n]+?)(?::(?P<line>\d+))?(?: #(?P<pointer>/[^\n]*?|))?: (?P<message>[^\n]+)$"
)
# `jobgen: FILE[:LINE][ #POINTER]: warning: message`
WARNING_LINE = re.compile(
    r"^jobgen: (?P<file>[^\n]+?)(?::(?P<line>\d+))?(?: #(?P<pointer>/[^\n]*?|))?: warning: (?P<message>[^\n]+)$"
)


# ----------------------------------------------------------------------------------------------- CLI
@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    @property
    def stderr_lines(self) -> list[str]:
        return self.stderr.splitlines()


def invoke(*args: str | Path) -> CliResult:
    """Run `jobgen ARGS...` in-process (click's CliRunner), stdout and stderr apart."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True)
    exception = result.exception if not isinstance(result.exception, SystemExit) else None
    return CliResult(result.exit_code, result.stdout, result.stderr, exception)


def run_module(
    *args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m generator ARGS...` in a subprocess."""
    return subprocess.run(
        [PYTHON, "-m", "generator", *[str(a) for a in args]],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


# ------------------------------------------------------------------------------------ another user
UNPRIVILEGED = 65534  # `nobody`: root ignores permission bits, this user does not


def as_unprivileged(action: Callable[[], object]) -> tuple[int, str]:
    """Run `action` in a forked child as a user who is not root (`nobody` when this is root):
    (0, "") when it returns, (2, its message) for an InputError, (3, the traceback) otherwise."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        code, text = 3, ""
        try:
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(UNPRIVILEGED)
                os.setuid(UNPRIVILEGED)
            action()
            code = 0
        except InputError as exc:
            code, text = 2, exc.diagnostic.message
        except BaseException:
            text = traceback.format_exc()
        finally:
            os.write(write, text.encode())
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as pipe:
        text = pipe.read()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), text


# ------------------------------------------------------------------------------------------- folders
def tree(root: Path) -> dict[str, tuple[str, bytes]]:
    """Every entry under `root` (not following symlinks): path -> (kind, bytes or link target)."""
    result: dict[str, tuple[str, bytes]] = {}
    if not root.exists() and not root.is_symlink():
        return result
    for folder, dirs, files in os.walk(root):
        for name in sorted(dirs + files):
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                result[rel] = ("link", os.readlink(path).encode())
            elif path.is_dir():
                result[rel] = ("dir", b"")
            elif path.is_file():
                result[rel] = ("file", path.read_bytes())
            else:
                result[rel] = ("special", b"")
    return result


def write_files(files: dict[str, str], folder: Path) -> None:
    for rel, text in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------------------- generating
def write_spec(folder: Path, spec: dict[str, Any] | str, name: str = "api") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(spec, str):
        path = folder / f"{name}.yaml"
        path.write_text(spec, encoding="utf-8")
    else:
        path = folder / f"{name}.json"
        path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    return path


def generate(specs: Sequence[Path], package: str, profiles: Sequence[Path] = ()) -> Result:
    """The pipeline in-process (render and format in memory); raises InputError for bad input.
    Validation runs in this process too: the callers generate many small specs one after another,
    and a worker of its own for each would cost more than the validation it runs beside."""
    config = Config(tuple(specs), Path("unused-output"), package, tuple(profiles))
    return run(config, concurrent_validation=False)


def runtime_module_names() -> frozenset[str]:
    """The runtime's top-level modules and subpackages (`_jobs`, `testing`)."""
    modules = {p.stem for p in RUNTIME_SOURCES.glob("*.py")}
    return frozenset(modules | {p.parent.name for p in RUNTIME_SOURCES.glob("*/__init__.py")})


def runtime_paths() -> frozenset[str]:
    """Every runtime file, by its path below the package (`_jobs.py`, `testing/_state.py`)."""
    return frozenset(
        p.relative_to(RUNTIME_SOURCES).as_posix() for p in RUNTIME_SOURCES.rglob("*.py")
    )


def templated_files(files: dict[str, str], package: str) -> dict[str, str]:
    """The rendered (not copied) Python files: the ones spec text can reach."""
    runtime = {f"{package}/{path}" for path in runtime_paths()}
    return {p: t for p, t in files.items() if p.endswith(".py") and p not in runtime}


def syntax_errors(files: dict[str, str]) -> list[str]:
    problems: list[str] = []
    for path, text in files.items():
        if path.endswith(".py"):
            try:
                ast.parse(text, filename=path)
            except SyntaxError as exc:
                problems.append(f"{path}:{exc.lineno}: {exc.msg}")
    return problems


def ruff_problems(roots: Sequence[Path], paths: Sequence[Path]) -> str:
    """`ruff check` and `ruff format --check` over `paths`, each file under its own pyproject's settings.

    Every root holds a generated package's pyproject.toml; ruff picks the nearest one per file.
    Returns ruff's complaints, or "" when all is clean.
    """
    if not paths:
        return ""
    ruff = ruff_binary()
    out: list[str] = []
    common = ["--no-cache", "--force-exclude"]
    check = subprocess.run(
        [ruff, "check", *common, "--output-format", "concise", "--quiet", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        cwd=roots[0] if roots else None,
    )
    if check.returncode != 0:
        out.append(check.stdout + check.stderr)
    fmt = subprocess.run(
        [ruff, "format", *common, "--check", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        cwd=roots[0] if roots else None,
    )
    if fmt.returncode != 0:
        out.append(fmt.stdout + fmt.stderr)
    return "\n".join(out).strip()


# ----------------------------------------------------------------------------------------- importing
# Stands in for a runtime module that is missing or (another engineer's work in progress) broken, so the
# generated modules, where spec text lands, can still be imported and executed.
RUNTIME_STUB = '''"""Stand-in for a runtime module (hostile tests only): every name is a permissive dummy."""


def _nothing(*args, **kwargs):
    return None


class _Meta(type):
    def __getattr__(cls, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _nothing

    def __getitem__(cls, item):
        return cls

    def __or__(cls, other):
        return cls

    def __ror__(cls, other):
        return cls


class _Anything(metaclass=_Meta):
    def __init__(self, *args, **kwargs):
        pass

    def __getattr__(self, name):
        return _nothing


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    return _Anything
'''

_IMPORTED_RUNTIME = re.compile(r"^\s*from\s+(\.{1,2})(_[a-z_]+)\s+import", re.MULTILINE)


@dataclass
class Imported:
    package: ModuleType
    modules: dict[str, ModuleType]
    stubbed: frozenset[str]  # runtime modules replaced by stubs


class RuntimeBroken(Exception):
    """A runtime module (not generated code) failed to import."""


def _runtime_failure(exc: BaseException, folder: Path, package: str) -> str | None:
    """The runtime module whose top level raised, if the failure happened while importing one."""
    runtime = runtime_module_names()
    root = folder / package
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        if frame.name == "<module>" and path.is_relative_to(root):
            top = path.relative_to(root).parts[0].removesuffix(".py")
            if top in runtime:
                return top
    return None


def missing_runtime_modules(files: dict[str, str], package: str) -> set[str]:
    """Runtime modules imported but not in `files`, by path below the package without `.py`
    (`_jobs`, `testing/_state`); each import is resolved from the folder of the file making it."""
    missing: set[str] = set()
    for path, text in files.items():
        if not path.endswith(".py"):
            continue
        for dots, name in _IMPORTED_RUNTIME.findall(text):
            folder = PurePosixPath(path).parents[len(dots) - 1]
            module = f"{folder}/{name}"
            if f"{module}.py" not in files and f"{module}/__init__.py" not in files:
                missing.add(module.removeprefix(f"{package}/"))
    return missing


def _write_stub(root: Path, module: str) -> None:
    """Put the stub in place of runtime `module` (a path below the package, without `.py`)."""
    target = root / module
    path = target / "__init__.py" if target.is_dir() else target.with_name(target.name + ".py")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(RUNTIME_STUB, encoding="utf-8")


@contextlib.contextmanager
def imported(
    folder: Path,
    package: str,
    files: dict[str, str],
    modules: Sequence[str] = (),
    share_runtime: Imported | None = None,
) -> Iterator[Imported]:
    """Import a generated package written in `folder` (and `modules` below it); forget it afterwards.

    Runtime modules the package needs but that do not exist yet are stubbed. If a runtime module
    exists but fails at import, every runtime module is stubbed (with a warning) and the import is
    retried: the generated modules are what these tests are about.

    With `share_runtime` (a package imported before, with the real runtime), this package's runtime
    modules are that package's, already executed: the runtime is copied verbatim into every package,
    so only the generated modules run again (hundreds of imports in a fuzz run stay cheap).
    """
    if share_runtime is not None and not share_runtime.stubbed:
        canonical = share_runtime.package.__name__
        for name in runtime_module_names():
            module = sys.modules.get(f"{canonical}.{name}")
            if module is not None:
                sys.modules[f"{package}.{name}"] = module
    stubbed = missing_runtime_modules(files, package)
    for name in stubbed:
        _write_stub(folder / package, name)
    sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    try:
        try:
            loaded = _import_all(package, modules)
        except Exception as exc:
            broken = _runtime_failure(exc, folder, package)
            if broken is None:
                raise
            _forget(package)
            stubbed = set(runtime_module_names()) | stubbed
            for name in stubbed:
                _write_stub(folder / package, name)
            shutil.rmtree(folder / package / "__pycache__", ignore_errors=True)
            importlib.invalidate_caches()
            warnings.warn(
                f"runtime module {broken!r} fails to import ({type(exc).__name__}: {exc}); "
                "imported the generated modules over stubs",
                stacklevel=3,
            )
            loaded = _import_all(package, modules)
        yield Imported(loaded[package], loaded, frozenset(stubbed))
    finally:
        _forget(package)
        with contextlib.suppress(ValueError):
            sys.path.remove(str(folder))


def _import_all(package: str, modules: Sequence[str]) -> dict[str, ModuleType]:
    loaded = {package: importlib.import_module(package)}
    for name in modules:
        loaded[name] = importlib.import_module(f"{package}.{name}")
    return loaded


def _forget(package: str) -> None:
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]


def runtime_imports_cleanly(tmp: Path) -> tuple[bool, str]:
    """Does a package generated from the project's own specs import with the real runtime?"""
    specs = [ROOT / "specs" / f"{name}.yaml" for name in ("exporter", "pcm", "promotions")]
    result = generate(specs, "hostile_probe_runtime", [ROOT / "specs" / "jobs.yaml"])
    write_files(result.files, tmp)
    if missing_runtime_modules(result.files, "hostile_probe_runtime"):
        return False, "runtime modules missing: " + ", ".join(
            sorted(missing_runtime_modules(result.files, "hostile_probe_runtime"))
        )
    sys.path.insert(0, str(tmp))
    try:
        importlib.import_module("hostile_probe_runtime")
        return True, ""
    except Exception as exc:  # another engineer's work in progress
        return False, f"{type(exc).__name__}: {exc}"
    finally:
        _forget("hostile_probe_runtime")
        sys.path.remove(str(tmp))
