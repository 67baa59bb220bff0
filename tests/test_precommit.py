"""The pre-commit hooks (.pre-commit-hooks.yaml), run by the `pre-commit` tool itself.

One test: pre-commit installs jobgen from this checkout into a fresh environment (pip, about
15 s), then runs the hooks in a new git repository holding a project. Where pip cannot reach a
package index (offline, and nothing in pip's cache), the test is skipped."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, SPECS

# What pip says when it cannot download a package: the machine is offline, not the hook broken.
_OFFLINE = (
    "No matching distribution found",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "Could not fetch URL",
)


def _git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def _hook_repository(target: Path) -> str:
    """This checkout as it is on disk (committed or not) in a new repository; its commit."""
    listed = _git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    _git(target, "init", "-q")
    _git(target, "add", "-A")
    _git(target, "commit", "-q", "-m", "jobgen")
    return _git(target, "rev-parse", "HEAD").strip()


def test_the_hooks_as_pre_commit_runs_them(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit", reason="needs pre-commit (the test extra)")
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout of jobgen")
    hooks = tmp_path / "jobgen"
    rev = _hook_repository(hooks)
    project = tmp_path / "project"
    (project / "specs").mkdir(parents=True)
    shutil.copy(SPECS / "exporter.yaml", project / "specs" / "exporter.yaml")
    (project / "pyproject.toml").write_text(
        '[tool.jobgen]\nspecs = ["specs/exporter.yaml"]\noutput = "client"\npackage = "exp"\n',
        encoding="utf-8",
    )
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n"
        "      - id: jobgen-check\n      - id: jobgen-generate\n",
        encoding="utf-8",
    )
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "a project")
    pre_commit = [sys.executable, "-m", "pre_commit"]
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    def run(hook: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*pre_commit, "run", hook, "--all-files"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    stale = run("jobgen-check")
    output = stale.stdout + stale.stderr
    if stale.returncode not in (0, 1) and any(sign in output for sign in _OFFLINE):
        pytest.skip("pre-commit could not install the hook's environment: no package index")
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "jobgen check" in stale.stdout and "Failed" in stale.stdout
    assert (
        "client is stale" in stale.stdout and "diff --git a/client/exp/_client.py" in stale.stdout
    )

    generated = run("jobgen-generate")
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert (project / "client" / "exp" / "_client.py").is_file()
    # Nothing of jobgen's lands in the project's folder but the output and the cache folder.
    added = {p.name for p in project.iterdir()} - {".git", "specs", "pyproject.toml"}
    assert added == {".pre-commit-config.yaml", "client", ".jobgen-cache"}
    _git(project, "add", "-A")
    assert "client/CHANGELOG.md" in _git(project, "diff", "--cached", "--name-only")
    _git(project, "commit", "-q", "-m", "the client")

    current = run("jobgen-check")
    assert current.returncode == 0, current.stdout + current.stderr
    assert "Passed" in current.stdout

    spec = project / "specs" / "exporter.yaml"
    spec.write_text(spec.read_text().replace("title:", "title: Renamed", 1), encoding="utf-8")
    regenerated = run("jobgen-generate")
    assert regenerated.returncode == 1, "pre-commit stops a commit whose hook changed files"
    assert "files were modified by this hook" in regenerated.stdout
