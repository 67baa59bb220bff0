"""Stage 5, format: one `ruff format` over all rendered Python (and Markdown) files.

Files are written to a private temporary folder, formatted there in one ruff invocation, and read
back: the caller still holds everything in memory, and the output folder is not touched. The ruff
version is pinned by jobgen's own dependencies, so the bytes are the same on every machine.

Rendering already writes each module's imports exactly and in `ruff check --select I` order (see
render/imports.py): there is nothing for a `ruff check --fix` pass to do, and the tests check that it stays so.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Collection
from pathlib import Path

from .diagnostics import InputError, Location

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


def format_files(files: dict[str, str], formatted: Collection[str] = ()) -> dict[str, str]:
    """Return `files` with every `.py` and `.md` file formatted.

    Markdown goes through `ruff format` too: it formats the Python in code blocks, and users' own
    `ruff format --check` of the package would otherwise flag the README. Files in `formatted` are
    known to be formatted already (the runtime modules) and are returned as they are.
    """
    python = sorted(p for p in files if p.endswith((".py", ".md")) and p not in formatted)
    if not python:
        return dict(files)
    ruff = ruff_binary()
    with tempfile.TemporaryDirectory(prefix="jobgen-format-") as tmp:
        root = Path(tmp)
        for path in python:
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(files[path], encoding="utf-8")
        (root / "pyproject.toml").write_text(
            files.get("pyproject.toml", _DEFAULT_CONFIG), encoding="utf-8"
        )
        common = ["--no-cache", "--config", str(root / "pyproject.toml")]
        _run([ruff, "format", *common, "."], root)  # not --quiet: that hides the parse error
        result = dict(files)
        for path in python:
            result[path] = (root / path).read_text(encoding="utf-8")
    return result


def _run(command: list[str], cwd: Path) -> None:
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        # Generated code that ruff cannot parse is a generator bug, but say where it is.
        detail = [
            line for line in (completed.stderr + completed.stdout).splitlines() if "rror" in line
        ]
        first = detail[0].strip() if detail else f"ruff exit code {completed.returncode}"
        raise InputError(
            f"formatting the generated code failed: {first}", Location("<generated>"), "format"
        )
