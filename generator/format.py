"""Stage 5, format: one `ruff format` over all rendered Python (and Markdown) files.

Files are written to a private temporary folder, formatted there in one ruff invocation, and read
back: the caller still holds everything in memory, and the output folder is not touched. The ruff
version is pinned by jobgen's own dependencies, so the bytes are the same on every machine.

The temporary folder is locked (flock) while it is in use, and removed at the end; the folder of a
run that was killed is unlocked, and the next run removes it before making its own.

Rendering writes each module's imports exactly (render/imports.py); `ruff check --select I --fix`
puts them in isort's order before `ruff format` runs.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .diagnostics import InputError, Location

_PREFIX = "jobgen-formatting-"

# Used when the rendered files bring no pyproject.toml of their own (which holds the ruff settings
# that users' `ruff check` / `ruff format --check` of the package will use, so both agree).
_DEFAULT_CONFIG = """[tool.ruff]
line-length = 100
target-version = "py311"
"""


def ruff_binary() -> str:
    from ruff.__main__ import find_ruff_bin

    return str(find_ruff_bin())


def ruff_version() -> str:
    from importlib.metadata import version

    return version("ruff")


def format_files(files: dict[str, str]) -> dict[str, str]:
    """Return `files` with every `.py` and `.md` file formatted.

    Markdown goes through `ruff format` too: it formats the Python in code blocks, and users' own
    `ruff format --check` of the package would otherwise flag the README.
    """
    python = sorted(p for p in files if p.endswith((".py", ".md")))
    if not python:
        return dict(files)
    ruff = ruff_binary()
    with _private_folder() as root:
        for path in python:
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(files[path], encoding="utf-8")
        (root / "pyproject.toml").write_text(
            files.get("pyproject.toml", _DEFAULT_CONFIG), encoding="utf-8"
        )
        common = ["--no-cache", "--config", str(root / "pyproject.toml")]
        # concise: one line per problem (`path:line:col: invalid-syntax: ...`), quoted on failure
        sort = ["--select", "I", "--fix", "--quiet", "--output-format", "concise"]
        _run([ruff, "check", *common, *sort, "."], root)
        _run([ruff, "format", *common, "."], root)  # not --quiet: that hides the parse error
        result = dict(files)
        for path in python:
            result[path] = (root / path).read_text(encoding="utf-8")
    return result


@contextlib.contextmanager
def _private_folder() -> Iterator[Path]:
    """A new temporary folder, locked while in use; the unlocked ones of killed runs go first."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX: no lock; a kill leaves the folder
        with tempfile.TemporaryDirectory(prefix=_PREFIX) as tmp:
            yield Path(tmp)
        return
    _remove_abandoned()
    while True:
        root = Path(tempfile.mkdtemp(prefix=_PREFIX))
        # Another run may take it for abandoned before it is locked, and remove it: then again.
        try:
            descriptor = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            continue
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        if _same_folder(root, descriptor):
            break
        os.close(descriptor)
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)
        os.close(descriptor)


def _remove_abandoned() -> None:
    """Remove this user's formatting folders that no live run holds (their runs were killed)."""
    import fcntl

    try:
        entries = [e for e in os.scandir(tempfile.gettempdir()) if e.name.startswith(_PREFIX)]
    except OSError:
        return
    for entry in entries:
        try:
            info = entry.stat(follow_symlinks=False)
            if not entry.is_dir(follow_symlinks=False) or info.st_uid != os.geteuid():
                continue
            descriptor = os.open(entry.path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails: a live run holds it
            if _same_folder(Path(entry.path), descriptor):
                shutil.rmtree(entry.path, ignore_errors=True)
        except OSError:
            pass
        finally:
            os.close(descriptor)


def _same_folder(path: Path, descriptor: int) -> bool:
    try:
        return os.path.samestat(os.stat(path, follow_symlinks=False), os.fstat(descriptor))
    except OSError:
        return False


def _run(command: list[str], cwd: Path) -> None:
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        # Generated code that ruff cannot parse is a generator bug, but say where it is.
        detail = [
            line
            for line in (completed.stderr + completed.stdout).splitlines()
            if "rror" in line or "invalid-syntax" in line
        ]
        first = detail[0].strip() if detail else f"ruff exit code {completed.returncode}"
        raise InputError(
            f"formatting the generated code failed: {first}", Location("<generated>"), "format"
        )
