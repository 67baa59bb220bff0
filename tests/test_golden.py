"""The committed `generated/` is exactly what the generator makes from `specs/` (byte for byte)."""

from __future__ import annotations

import difflib
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from generator.cli import cli
from generator.config import load_config
from generator.output import MANIFEST, compare, manifest_text, read_manifest
from generator.pipeline import run

from .conftest import GENERATED, ROOT


def _regenerate() -> dict[str, str]:
    return run(load_config(ROOT / "pyproject.toml")).files


def test_generated_folder_matches_a_fresh_generation() -> None:
    files = _regenerate()
    problems: list[str] = []
    for path, text in sorted(files.items()):
        target = GENERATED / path
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            problems.extend(
                difflib.unified_diff(
                    current.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    f"committed/{path}",
                    f"fresh/{path}",
                )
            )
    owned = read_manifest(GENERATED)
    stray = sorted(set(owned) - set(files))
    assert not stray, f"owned files no longer generated: {stray}"
    assert (GENERATED / MANIFEST).read_text(encoding="utf-8") == manifest_text(files)
    assert not problems, "generated/ is stale; run `jobgen generate`:\n" + "".join(problems[:200])


def test_check_command_agrees(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["check", "--quiet"])
    assert result.exit_code == 0, result.output


def test_two_runs_are_identical() -> None:
    assert _regenerate() == _regenerate()


def test_identical_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    outputs = []
    for seed in ("0", "12345"):
        out = tmp_path / f"out{seed}"
        # From the committed generation (its own files): the changelog and version go on from it.
        for path in [*read_manifest(GENERATED), MANIFEST]:
            (out / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(GENERATED / path, out / path)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "generator",
                "generate",
                "--quiet",
                "--output",
                str(out),
                "--package",
                "ep_jobs",
                "--profile",
                "specs/jobs.yaml",
                "specs/exporter.yaml",
                "specs/pcm.yaml",
                "specs/promotions.yaml",
            ],
            cwd=ROOT,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        )
        outputs.append(
            {
                p.relative_to(out).as_posix(): p.read_bytes()
                for p in sorted(out.rglob("*"))
                if p.is_file()
            }
        )
    assert outputs[0] == outputs[1]
    assert compare({k: v.decode() for k, v in outputs[0].items() if k != MANIFEST}, GENERATED).clean


def test_job_facade_snapshot(snapshot) -> None:  # type: ignore[no-untyped-def]
    """The rendered profiles that drive the jobs facade, as the package ships them."""
    files = _regenerate()
    assert files["ep_jobs/_profiles.py"] == snapshot
    assert files["ep_jobs/_client.py"] == snapshot


def test_runtime_modules_are_already_formatted_as_the_package_formats(tmp_path: Path) -> None:
    """The runtime modules are copied into the package as they are (not formatted per run), so they
    must be what `ruff check --select I,F401 --fix` and `ruff format` make of them under the package's
    own ruff settings: fix them with those two commands and `--config generated/pyproject.toml`."""
    from generator.format import ruff_binary

    runtime = ROOT / "templates" / "runtime"
    config = ["--no-cache", "--config", str(GENERATED / "pyproject.toml")]
    ruff = ruff_binary()
    for command in (["check", "--select", "I,F401", *config], ["format", "--check", *config]):
        done = subprocess.run(
            [ruff, *command, str(runtime)], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
