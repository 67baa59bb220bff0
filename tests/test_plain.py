"""The speed tricks change nothing but speed: with `JOBGEN_PLAIN=1` (every trick off, see
`generator/speed.py`) the command writes the same files, the same `--report` and the same messages,
byte for byte, as with every trick on, for the project's specs, the published ones, a synthetic
JSON spec, and hostile documents (repaired, pruned and refused, as YAML and as JSON)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import speed

from .conftest import REAL_SPECS, ROOT
from .hostile.support import CORPUS
from .hostile.synthetic import make_spec

PLAIN = "plain"
TRICKS = "tricks"


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str
    files: dict[str, bytes]
    report: Any


def _jobgen(cwd: Path, path: str, *arguments: str, report: bool = True) -> Outcome:
    """`python -m generator ARGUMENTS` in `cwd`, plainly or with every trick."""
    environment = {k: v for k, v in os.environ.items() if k != speed.SWITCH}
    if path == PLAIN:
        environment[speed.SWITCH] = "1"
    report_path = cwd / "report.json"
    report_path.unlink(missing_ok=True)
    extra = ["--report", str(report_path)] if report else []
    done = subprocess.run(
        [sys.executable, "-m", "generator", *arguments, *extra],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = cwd / "out"
    files = (
        {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*") if p.is_file()}
        if output.is_dir()
        else {}
    )
    found = json.loads(report_path.read_text()) if report_path.exists() else None
    return Outcome(done.returncode, done.stdout, _without_timing(done.stderr), files, found)


def _without_timing(text: str) -> str:
    """The summary line's duration (and a result cache's mark) and `--verbose`'s stage timings
    vary from run to run."""
    text = re.sub(r"^jobgen: timings: .*$", "jobgen: timings: <times>", text, flags=re.MULTILINE)
    return re.sub(r" in \d+\.\d+s( \(cached\))?$", " in <time>", text, flags=re.MULTILINE)


def _both(tmp_path: Path, *arguments: str, prepare: Any = None) -> dict[str, Outcome]:
    """The command with every trick and plainly, each in a folder of its own prepared alike."""
    outcomes = {}
    for path in (TRICKS, PLAIN):
        folder = tmp_path / path
        folder.mkdir()
        if prepare is not None:
            prepare(folder)
        outcomes[path] = _jobgen(folder, path, *arguments)
    assert not (tmp_path / PLAIN / ".jobgen-cache").exists(), "the plain path keeps no cache"
    return outcomes


def _same(outcomes: dict[str, Outcome]) -> Outcome:
    tricks, plain = outcomes[TRICKS], outcomes[PLAIN]
    assert sorted(plain.files) == sorted(tricks.files)
    different = [name for name in tricks.files if plain.files[name] != tricks.files[name]]
    assert different == []
    assert plain.report == tricks.report
    assert (plain.code, plain.stdout, plain.stderr) == (tricks.code, tricks.stdout, tricks.stderr)
    return tricks


def test_the_projects_specs(tmp_path: Path) -> None:
    def copy(folder: Path) -> None:
        shutil.copytree(ROOT / "specs", folder / "specs")
        config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
        (folder / "pyproject.toml").write_text(
            config.replace('output = "generated"', 'output = "out"'), encoding="utf-8"
        )

    outcome = _same(_both(tmp_path, "generate", "--verbose", prepare=copy))
    assert outcome.code == 0
    assert (
        outcome.files["ep_jobs/_client.py"] == (ROOT / "generated/ep_jobs/_client.py").read_bytes()
    )
    # A second run with every trick is served by the result cache: the same report and files.
    assert (tmp_path / TRICKS / ".jobgen-cache").is_dir()
    again = _jobgen(tmp_path / TRICKS, TRICKS, "generate", "--verbose")
    assert (again.code, again.files) == (0, outcome.files)
    # The same report, but that the first run had no version before it and this one has the first's.
    assert again.report == {**outcome.report, "previous_version": outcome.report["version"]}
    *warnings, summary = again.stderr.splitlines()
    # The same notes; a run that writes nothing lists no files and times no stages.
    written = ("jobgen: wrote ", "jobgen: timings: ")
    first = [line for line in outcome.stderr.splitlines()[:-1] if not line.startswith(written)]
    assert [line for line in warnings if not line.startswith(written)] == first
    assert "out is up to date" in summary
    # `check` of a stale folder: the same diff.
    for path in (TRICKS, PLAIN):
        client = tmp_path / path / "out" / "ep_jobs" / "_client.py"
        client.write_text(client.read_text(encoding="utf-8").replace("class ", "class  ", 1))
    stale = {p: _jobgen(tmp_path / p, p, "check") for p in (TRICKS, PLAIN)}
    assert _same(stale).code == 1 and "class  " in stale[PLAIN].stdout


def test_the_published_specs(tmp_path: Path) -> None:
    specs = sorted(REAL_SPECS.glob("*.yaml"))
    if not specs:
        pytest.skip(f"the published specs are not in {REAL_SPECS}")
    arguments = ("generate", *map(str, specs), "-o", "out", "-p", "published", "--verbose")
    outcome = _same(_both(tmp_path, *arguments))
    assert outcome.code == 0 and any(spec["warnings"] for spec in outcome.report["specs"])


def test_a_synthetic_json_spec(tmp_path: Path) -> None:
    spec = tmp_path / "synthetic.json"
    spec.write_text(json.dumps(make_spec(60, 150, seed=3), indent=1), encoding="utf-8")
    outcome = _same(_both(tmp_path, "generate", str(spec), "-o", "out", "-p", "syn"))
    assert outcome.code == 0 and len(outcome.files) > 20


def _corpus(tmp_path: Path, prefixes: tuple[str, ...]) -> list[str]:
    """The corpus's documents of these kinds, and a JSON copy of each that YAML can read."""
    specs = []
    for path in sorted(CORPUS.glob("*.yaml")):
        if not path.name.startswith(prefixes):
            continue
        specs.append(str(path))
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            text = json.dumps(data, indent=2, allow_nan=False)
        except (ValueError, yaml.YAMLError, TypeError):
            continue  # not data JSON can hold: YAML alone
        if "$ref" in text and ".yaml" in text:
            continue  # its references are relative to the corpus
        copy = tmp_path / "json" / f"{path.stem}-json.json"
        copy.parent.mkdir(exist_ok=True)
        copy.write_text(text, encoding="utf-8")
        specs.append(str(copy))
    return specs


def test_repaired_and_pruned_documents(tmp_path: Path) -> None:
    """Warnings, repairs and left-out items, with their lines, as YAML and as JSON."""
    specs = _corpus(tmp_path, ("ok-", "recover-", "warning-"))
    assert any(s.endswith(".json") for s in specs)
    outcome = _same(_both(tmp_path, "generate", *specs, "-o", "out", "-p", "corpus", "--verbose"))
    assert outcome.code == 0
    lines = [w["line"] for spec in outcome.report["specs"] for w in spec["skipped"]]
    assert lines and all(isinstance(line, int) for line in lines)


def test_refused_documents(tmp_path: Path) -> None:
    """Every error of every spec, in one run: the same lines, in the same order. (A document
    whose invalid `components` the parser cannot read goes last: its verdict is the run's error.)"""
    specs = sorted(_corpus(tmp_path, ("error-",)), key=lambda s: "components-is-a-list" in s)
    outcome = _same(_both(tmp_path, "generate", *specs, "-o", "out", "-p", "corpus"))
    assert outcome.code == 2 and outcome.files == {}
    refused = [line.split(":")[2].strip() for line in outcome.stderr.splitlines()]
    assert [s for s in specs if s.endswith(".yaml")] == [s for s in refused if s.endswith(".yaml")]
    validated = {p: _jobgen(tmp_path / p, p, "validate", *specs) for p in (TRICKS, PLAIN)}
    assert _same(validated).code == 2
