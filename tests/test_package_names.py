"""The generated package's import name: one that could not be imported, or would hide a module the
package needs, is refused (exit 2, one line saying why), from `--package` and from `[tool.jobgen]`."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import config
from generator.cli import cli

from .conftest import ROOT

SPEC = ROOT / "specs" / "exporter.yaml"

REFUSED = {
    "class": "is a Python keyword",
    "async": "is a Python keyword",
    "None": "is not a valid package name",
    "Foo": "is not a valid package name",
    "1abc": "is not a valid package name",
    "a-b": "is not a valid package name",
    "ünï": "is not a valid package name",
    "typing": "would shadow the standard library's module 'typing'",
    "json": "would shadow the standard library's module 'json'",
    "asyncio": "would shadow the standard library's module 'asyncio'",
    "httpx": "would shadow 'httpx', which the generated package needs",
    "pydantic": "would shadow 'pydantic', which the generated package needs",
    "anyio": "would shadow 'anyio', which the generated package needs",
    "typing_extensions": "would shadow 'typing_extensions', which the generated package needs",
}


def _run(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stderr.splitlines()


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_package_name_that_cannot_work_is_refused_in_one_line(name: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, lines = _run("generate", str(SPEC), "-o", str(out), "-p", name, "--no-cache")
    assert code == 2
    assert lines == [f"jobgen: error: <command line>: --package {name!r} {_reason(name)}"]
    assert not out.exists()


@pytest.mark.parametrize("name", ["class", "typing", "httpx"])
def test_the_same_names_are_refused_in_the_configuration(name: str, tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(f'[tool.jobgen]\nspecs = ["{SPEC}"]\noutput = "out"\npackage = "{name}"\n')
    code, lines = _run("generate", "--config", str(pyproject), "--no-cache")
    assert code == 2
    assert lines == [
        f"jobgen: error: {pyproject}:4 #/tool/jobgen/package: `package` {name!r} {_reason(name)}"
    ]


def _reason(name: str) -> str:
    reason = config.package_name_problem(name)
    assert reason is not None and reason.startswith(REFUSED[name])
    return reason


@pytest.mark.parametrize("name", ["ep_jobs", "_private", "client2", "match"])
def test_other_names_generate_a_package_that_imports(name: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, lines = _run("generate", str(SPEC), "-o", str(out), "-p", name, "--no-cache", "-q")
    assert code == 0, lines
    imported = subprocess.run(
        [sys.executable, "-c", f"import {name}.exporter.models"],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr


def test_every_module_the_generated_package_needs_is_a_refused_name() -> None:
    """httpx and pydantic and everything they require, as installed here: a package named after one
    of them would be imported in its place."""
    needed: set[str] = set()
    pending, seen = ["httpx", "pydantic"], set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            found = distribution(name)
        except PackageNotFoundError:
            continue
        needed.update(_import_names(found.read_text("top_level.txt"), found.files or []))
        for requirement in found.requires or []:
            if "extra ==" not in requirement:  # optional extras are listed by hand
                match = re.match(r"[A-Za-z0-9._-]+", requirement)
                assert match is not None
                pending.append(match.group())
    assert {"httpx", "httpcore", "anyio", "pydantic", "pydantic_core"} <= needed
    assert needed <= config._DEPENDENCIES | set(sys.stdlib_module_names)


def _import_names(top_level: str | None, files: Sequence[object]) -> set[str]:
    if top_level:
        names = set(top_level.split())
    else:
        names = set()
        for file in files:
            first = Path(str(file)).parts[0]
            if not first.endswith((".dist-info", ".data")) and first != "..":
                names.add(first.removesuffix(".py").split(".")[0])
    return {n for n in names if n.isidentifier() and not n.startswith("__")}
