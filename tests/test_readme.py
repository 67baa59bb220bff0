"""The README's two commands are the ones CI and users run."""

from __future__ import annotations

import re

from .conftest import ROOT


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## On a fresh machine", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section, re.S)


def test_readme_gives_exactly_two_commands() -> None:
    commands = _commands()
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    assert commands[0].endswith("jobgen generate")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    assert _commands()[1] in (ROOT / ".ci" / "run").read_text().splitlines()
