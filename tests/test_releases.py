"""Regeneration as a release: the API changes a run reports, the version, CHANGELOG.md, the API
surface file, --fail-on-breaking, and `jobgen check`'s patch."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import cli
from generator.output import SURFACE

from .conftest import tree, write_spec

SPEC = """
openapi: 3.1.0
info: {title: Things, version: '1'}
paths:
  /things:
    get:
      operationId: listThings
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}
    post:
      operationId: createThing
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/NewThing'}}}
      responses:
        '201': {description: created}
components:
  schemas:
    Thing:
      type: object
      properties:
        id: {type: string}
        colour: {$ref: '#/components/schemas/Colour'}
    NewThing:
      type: object
      properties:
        name: {type: string}
    Colour: {type: string, enum: [red, green, blue]}
"""
ADDED = SPEC.replace(
    "    post:",
    "    delete:\n      operationId: clearThings\n      responses:\n        '204': {description: gone}\n    post:",
)
# The example: a field renamed, an enum value removed.
BROKEN = ADDED.replace("        name: {type: string}", "        title: {type: string}").replace(
    "enum: [red, green, blue]", "enum: [red, green]"
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with a config, as the working directory."""
    write_spec(tmp_path, SPEC, "things.yaml")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.jobgen]\nspecs = ["things.yaml"]\noutput = "out"\npackage = "things"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def jobgen(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def version(project: Path) -> str:
    text = (project / "out" / "things" / "_version.py").read_text()
    return text.split('__version__ = "')[1].split('"')[0]


def line(text: str, found: str) -> int:
    """The line of a spec's text (as written by `write_spec`) that `found` starts on."""
    return text.lstrip()[: text.lstrip().index(found)].count("\n") + 1


NEW_THING = line(BROKEN, "    NewThing:")
DELETE = line(ADDED, "    delete:")


def report(project: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((project / "report.json").read_text())
    return data


# ------------------------------------------------------------------------------ first generation
def test_a_first_generation_has_no_changes_and_no_error(project: Path) -> None:
    code, stdout, stderr = jobgen("generate", "--report", "report.json")
    assert code == 0 and "warning:" not in stderr
    assert stdout == "jobgen: API: first generation, version 0.1.0\n"
    assert report(project)["changes"] == [] and report(project)["version"] == "0.1.0"
    assert version(project) == "0.1.0"
    changelog = (project / "out" / "CHANGELOG.md").read_text()
    assert changelog.endswith("## 0.1.0\n\nFirst generation.\n")
    surface = json.loads((project / "out" / SURFACE).read_text())
    assert surface["version"] == "0.1.0"
    assert surface["symbols"]["client.things.things.list_things"] == {
        "kind": "method",
        "returns": "models.Thing",
        "at": ["things.yaml", "/paths/~1things/get"],
    }


def test_the_same_inputs_again_change_nothing(project: Path) -> None:
    jobgen("generate")
    before = {p: os.stat(project / "out" / p).st_mtime_ns for p in tree(project / "out")}
    for args in (["generate", "--no-cache"], ["generate"], ["check"], ["check", "--no-cache"]):
        code, stdout, _ = jobgen(*args)
        assert code == 0 and stdout == "", args
    assert {p: os.stat(project / "out" / p).st_mtime_ns for p in tree(project / "out")} == before


# ------------------------------------------------------------------------------- three regenerations
def test_the_changelog_and_version_across_three_regenerations(project: Path) -> None:
    assert jobgen("generate")[0] == 0
    assert version(project) == "0.1.0"

    write_spec(project, ADDED, "things.yaml")  # an addition: the patch while 0.x
    code, stdout, _ = jobgen("generate")
    assert code == 0
    assert stdout == ("jobgen: API: 1 change (1 added), 0 breaking; version 0.1.0 -> 0.1.1\n"), (
        stdout
    )
    assert version(project) == "0.1.1"

    write_spec(project, BROKEN, "things.yaml")  # breaking: the minor while 0.x
    code, stdout, _ = jobgen("generate", "--verbose")
    assert code == 0
    lines = stdout.splitlines()
    assert lines[0] == (
        "jobgen: API: 3 changes (1 added, 2 removed), 2 breaking; version 0.1.1 -> 0.2.0"
    )
    assert lines[1:] == [
        "  breaking: things.things.models.Colour.BLUE: enum member removed "
        "(things.yaml #/components/schemas/Colour)",
        "  breaking: things.things.models.NewThing.name: field removed "
        "(things.yaml #/components/schemas/NewThing)",
        "  added: things.things.models.NewThing.title: field added "
        f"(things.yaml:{NEW_THING} #/components/schemas/NewThing)",
    ]
    assert version(project) == "0.2.0"
    pyproject = (project / "out" / "pyproject.toml").read_text()
    assert 'version = "0.2.0"' in pyproject

    write_spec(project, BROKEN.replace("version: '1'", "version: '2'"), "things.yaml")
    code, stdout, _ = jobgen("generate")  # no API change, but the package changed: a patch
    assert stdout == (
        "jobgen: API: no change (other generated code changed); version 0.2.0 -> 0.2.1\n"
    )

    changelog = (project / "out" / "CHANGELOG.md").read_text()
    sections = changelog.split("\n## ")[1:]
    assert [s.splitlines()[0] for s in sections] == ["0.2.1", "0.2.0", "0.1.1", "0.1.0"]
    assert sections[0] == "0.2.1\n\nNo change to the API; the generated code changed.\n"
    assert sections[1] == (
        "0.2.0\n\n**2 breaking changes.**\n\n"
        "### Added\n\n"
        "- `things.things.models.NewThing.title`: field added "
        f"(`things.yaml:{NEW_THING} #/components/schemas/NewThing`)\n\n"
        "### Removed\n\n"
        "- **Breaking:** `things.things.models.Colour.BLUE`: enum member removed "
        "(`things.yaml #/components/schemas/Colour`)\n"
        "- **Breaking:** `things.things.models.NewThing.name`: field removed "
        "(`things.yaml #/components/schemas/NewThing`)\n"
    )
    assert sections[2] == (
        "0.1.1\n\n### Added\n\n"
        "- `client.things.things.clear_things`: method added "
        f"(`things.yaml:{DELETE} #/paths/~1things/delete`)\n"
    )
    assert sections[3] == "0.1.0\n\nFirst generation.\n"
    # The history is kept in the surface file, so that a clean checkout continues it.
    surface = json.loads((project / "out" / SURFACE).read_text())
    assert [r["version"] for r in surface["releases"]] == ["0.2.1", "0.2.0", "0.1.1", "0.1.0"]


def test_a_pinned_version_is_kept_and_its_changes_gathered(project: Path) -> None:
    config = project / "pyproject.toml"
    config.write_text(config.read_text() + 'version = "2.0.0"\n')
    jobgen("generate")
    write_spec(project, ADDED, "things.yaml")
    jobgen("generate")
    write_spec(project, BROKEN, "things.yaml")
    code, stdout, _ = jobgen("generate")
    assert code == 0 and stdout.startswith("jobgen: API: 3 changes") and "version 2.0.0\n" in stdout
    assert version(project) == "2.0.0"
    changelog = (project / "out" / "CHANGELOG.md").read_text()
    assert changelog.count("\n## ") == 1 and "clear_things" in changelog and "BLUE" in changelog


def test_the_report_lists_the_changes(project: Path) -> None:
    jobgen("generate")
    write_spec(project, BROKEN, "things.yaml")
    jobgen("generate", "--report", "report.json")
    data = report(project)
    assert data["version"] == "0.2.0" and data["previous_version"] == "0.1.0"
    changes = data["changes"]
    assert isinstance(changes, list)
    assert changes[0] == {
        "kind": "added",
        "breaking": False,
        "symbol": "client.things.things.clear_things",
        "message": "method added",
        "location": f"things.yaml:{DELETE} #/paths/~1things/delete",
    }
    assert [c["symbol"] for c in changes if c["breaking"]] == [
        "things.things.models.Colour.BLUE",
        "things.things.models.NewThing.name",
    ]


def test_validate_makes_no_release_and_reports_none(project: Path) -> None:
    assert jobgen("validate", "--report", "report.json")[0] == 0
    assert set(report(project)) == {"specs", "warnings"}


# ------------------------------------------------------------------------------- --fail-on-breaking
@pytest.mark.parametrize("how", ["flag", "config"])
def test_breaking_changes_refused_exit_3_and_leave_the_output_as_it_was(
    project: Path, how: str
) -> None:
    jobgen("generate")
    before = tree(project / "out")
    stamps = {p: os.stat(project / "out" / p).st_mtime_ns for p in before}
    write_spec(project, BROKEN, "things.yaml")
    args = ["generate", "--report", "report.json"]
    if how == "flag":
        args.append("--fail-on-breaking")
    else:
        config = project / "pyproject.toml"
        config.write_text(config.read_text() + "fail_on_breaking = true\n")
    code, stdout, stderr = jobgen(*args)
    assert code == 3
    assert stdout == ""
    assert stderr.splitlines()[-3:] == [
        "jobgen: breaking: things.things.models.Colour.BLUE: enum member removed "
        "(things.yaml #/components/schemas/Colour)",
        "jobgen: breaking: things.things.models.NewThing.name: field removed "
        "(things.yaml #/components/schemas/NewThing)",
        "jobgen: refused: 2 breaking API changes (--fail-on-breaking); "
        "the output folder is unchanged",
    ]
    assert tree(project / "out") == before
    assert {p: os.stat(project / "out" / p).st_mtime_ns for p in before} == stamps
    assert len(report(project)["changes"]) == 4  # type: ignore[arg-type]
    # `check` refuses them too; without the flag the regeneration goes ahead.
    assert jobgen("check", "--fail-on-breaking")[0] == 3
    if how == "flag":
        assert jobgen("generate")[0] == 0 and version(project) == "0.2.0"


def test_additions_pass_fail_on_breaking(project: Path) -> None:
    jobgen("generate")
    write_spec(project, ADDED, "things.yaml")
    code, stdout, _ = jobgen("generate", "--fail-on-breaking")
    assert code == 0 and "1 added" in stdout and version(project) == "0.1.1"


def test_a_release_made_while_a_run_waited_for_the_lock_is_gone_on_from(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator import cli as cli_module
    from generator.output import read_previous

    jobgen("generate")
    before_the_other_run = read_previous(project / "out")
    write_spec(project, ADDED, "things.yaml")
    jobgen("generate")  # the other run: 0.1.1
    write_spec(project, BROKEN, "things.yaml")
    reads: list[Path] = []

    def read_before_the_lock(output: Path) -> object:
        reads.append(output)
        return before_the_other_run if len(reads) == 1 else read_previous(output)

    monkeypatch.setattr(cli_module, "read_previous", read_before_the_lock)
    code, stdout, _ = jobgen("generate")
    assert code == 0 and len(reads) == 2
    assert "version 0.1.1 -> 0.2.0" in stdout
    assert "## 0.1.1" in (project / "out" / "CHANGELOG.md").read_text()


# -------------------------------------------------------------------------- the API surface file
@pytest.mark.parametrize(
    "damage",
    ["{ not json", '{"format": "jobgen-api-surface 1"}', ""],
    ids=["not-json", "wrong-shape", "empty"],
)
def test_a_damaged_surface_file_is_a_warning_and_a_first_generation(
    project: Path, damage: str
) -> None:
    jobgen("generate")
    write_spec(project, ADDED, "things.yaml")
    (project / "out" / SURFACE).write_text(damage)
    code, stdout, stderr = jobgen("generate", "--report", "report.json")
    assert code == 0
    [warning] = [text for text in stderr.splitlines() if "warning:" in text]
    assert warning.startswith(f"jobgen: out/{SURFACE}: warning: the API surface file is damaged")
    assert "treated as a first one" in warning
    assert stdout == "jobgen: API: first generation, version 0.1.0\n"
    assert report(project)["changes"] == []
    assert report(project)["warnings"][0]["code"] == "damaged-surface"  # type: ignore[index]
    assert json.loads((project / "out" / SURFACE).read_text())["version"] == "0.1.0"
    assert jobgen("generate", "--strict")[0] == 0  # the next run finds it whole


def test_a_damaged_surface_file_is_an_error_with_strict(project: Path) -> None:
    jobgen("generate")
    (project / "out" / SURFACE).write_text("{")
    code, _, stderr = jobgen("generate", "--strict")
    assert code == 2 and "--strict: the API surface file is damaged" in stderr


def test_a_surface_file_jobgen_does_not_own_is_not_read(project: Path) -> None:
    (project / "out").mkdir()
    (project / "out" / SURFACE).write_text("the user's\n")
    code, _, stderr = jobgen("generate")
    assert code == 2 and "did not write" in stderr
    assert (project / "out" / SURFACE).read_text() == "the user's\n"


# ------------------------------------------------------------------------------ check and git apply
def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_lists_the_api_changes_and_its_patch_applies_from_the_project_root(
    project: Path,
) -> None:
    assert _git(project, "init", "-q").returncode == 0
    jobgen("generate")
    (project / "out" / "things" / "py.typed").unlink()  # an empty file to create, too
    write_spec(project, BROKEN, "things.yaml")
    code, patch, _ = jobgen("check")
    assert code == 1
    comments = [line for line in patch.splitlines() if line.startswith("#")]
    assert comments[0] == (
        "# jobgen: API: 4 changes (2 added, 2 removed), 2 breaking; version 0.1.0 -> 0.2.0"
    )
    assert comments[1].startswith("# added: client.things.things.clear_things: method added")
    assert "diff --git a/out/things/things/models.py b/out/things/things/models.py" in patch
    assert "diff --git a/out/things/py.typed b/out/things/py.typed\nnew file mode" in patch
    (project / "fix.patch").write_text(patch)
    applied = _git(project, "apply", "--check", "fix.patch")
    assert applied.returncode == 0, applied.stderr
    assert _git(project, "apply", "fix.patch").returncode == 0
    assert jobgen("check")[0] == 0, "the patch made the output what `generate` writes"


def test_what_a_spec_names_cannot_break_the_lines_of_checks_patch(project: Path) -> None:
    # A schema whose name holds line breaks and a patch of its own, then removed: its location
    # (the JSON pointer keeps the name as it is) is escaped on its `#` line.
    hostile = "Evil\ndiff --git a/evil b/evil\nnew file mode 100644\n+pwned"
    assert _git(project, "init", "-q").returncode == 0
    spec = yaml.safe_load(SPEC)
    spec["components"]["schemas"][hostile] = {"type": "object", "properties": {"x": {}}}
    (project / "things.yaml").write_text(json.dumps(spec))
    assert jobgen("generate")[0] == 0
    write_spec(project, SPEC, "things.yaml")
    code, patch, _ = jobgen("check")
    assert code == 1
    [removed] = [
        line for line in patch.splitlines() if line.startswith("#") and "model removed" in line
    ]
    assert removed.startswith("# breaking: ") and "Evil\\ndiff --git" in removed
    assert "\n+pwned" not in patch
    (project / "fix.patch").write_text(patch)
    applied = _git(project, "apply", "--check", "fix.patch")
    assert applied.returncode == 0, applied.stderr
