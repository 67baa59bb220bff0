"""Custom templates: an overlay folder replaces package templates file by file; docs/templates.md
is the contract of what they receive, held to the code here."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.inputs import template_dir
from generator.render import views
from generator.render.project import PACKAGE_TEMPLATES
from generator.render.pysource import Code

from .conftest import MINIMAL, ROOT, tree, write_spec

DOC = ROOT / "docs" / "templates.md"


def _project(folder: Path, overlay: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_spec(folder, MINIMAL, "api.yaml")
    config = '[tool.jobgen]\nspecs = ["api.yaml"]\noutput = "out"\npackage = "tiny"\n'
    if overlay:
        config += 'templates = "overlay"\n'
        (folder / "overlay").mkdir(exist_ok=True)
    (folder / "pyproject.toml").write_text(config, encoding="utf-8")
    return folder


def _jobgen(folder: Path, *args: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _overlay_readme(folder: Path, text: str) -> None:
    original = (template_dir() / "package" / "README.md.jinja").read_text(encoding="utf-8")
    (folder / "overlay" / "README.md.jinja").write_text(original + text, encoding="utf-8")


# --------------------------------------------------------------------------------------- the overlay
def test_an_overlay_template_changes_its_file_and_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = _project(tmp_path / "plain", overlay=False)
    assert _jobgen(plain, "generate", monkeypatch=monkeypatch)[0] == 0
    custom = _project(tmp_path / "custom")
    _overlay_readme(custom, "\n## Support\n\nAsk the {{ pkg.package }} team.\n")
    code, _, stderr = _jobgen(custom, "generate", monkeypatch=monkeypatch)
    assert code == 0, stderr
    before, after = tree(plain / "out"), tree(custom / "out")
    assert after["README.md"].endswith(b"## Support\n\nAsk the tiny team.\n")
    differ = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    # The manifest lists the README's digest, and the surface file the package's.
    assert differ == {"README.md", ".jobgen-manifest.json", "api-surface.json"}


def test_an_overlay_file_is_an_input_of_check_and_of_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    _overlay_readme(project, "\nFirst words.\n")
    assert _jobgen(project, "generate", monkeypatch=monkeypatch)[0] == 0
    code, _, stderr = _jobgen(project, "check", monkeypatch=monkeypatch)
    assert code == 0 and stderr.rstrip().endswith("(cached)")
    _overlay_readme(project, "\nOther words.\n")
    code, diff, stderr = _jobgen(project, "check", monkeypatch=monkeypatch)
    assert code == 1 and not stderr.rstrip().endswith("(cached)")
    assert "-First words." in diff and "+Other words." in diff
    assert _jobgen(project, "generate", monkeypatch=monkeypatch)[0] == 0
    assert (project / "out" / "README.md").read_text().endswith("Other words.\n")


@pytest.mark.parametrize(
    ("template", "text", "where", "message"),
    [
        (
            "README.md.jinja",
            "# {{ pkg.package }}\n\n{% for x in %}\n",
            "README.md.jinja:3",
            "syntax",
        ),
        (
            "api/models.py.jinja",
            "X = 1\n\nY = {{ api.no_such_field }}\n",
            "api/models.py.jinja:3",
            "no_such_field",
        ),
        (
            "README.md.jinja",
            "# x\n{% include 'package/_part.jinja' %}\n",
            "_part.jinja:2",
            "undefined_name",
        ),
        (
            "api/models.py.jinja",
            "X = 1\n\ndef broken(:\n",
            "api/models.py.jinja",
            "renders tiny/api/models.py as Python that does not parse",
        ),
    ],
    ids=["syntax-error", "undefined-field", "in-an-included-file", "python-that-does-not-parse"],
)
def test_an_overlay_template_that_fails_is_an_error_at_its_file_and_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    template: str,
    text: str,
    where: str,
    message: str,
) -> None:
    project = _project(tmp_path)
    assert _jobgen(project, "generate", monkeypatch=monkeypatch)[0] == 0
    before = tree(project / "out")
    target = project / "overlay" / template
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    (project / "overlay" / "_part.jinja").write_text("\n{{ undefined_name }}\n", encoding="utf-8")
    code, _, stderr = _jobgen(project, "generate", monkeypatch=monkeypatch)
    assert code == 2
    [problem] = stderr.splitlines()
    assert problem.startswith(f"jobgen: error: overlay/{where}: template "), problem
    assert message in problem and "Traceback" not in stderr
    assert tree(project / "out") == before


def test_a_file_that_replaces_no_template_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    (project / "overlay" / "READNE.md.jinja").write_text("typo\n", encoding="utf-8")
    (project / "overlay" / "_macros.jinja").write_text("{# included #}\n", encoding="utf-8")
    code, _, stderr = _jobgen(project, "generate", monkeypatch=monkeypatch)
    assert code == 0
    assert "overlay/READNE.md.jinja: warning: replaces no package template" in stderr
    assert "_macros" not in stderr
    code, _, stderr = _jobgen(project, "generate", monkeypatch=monkeypatch)
    assert code == 0 and stderr.rstrip().endswith("(cached)")
    assert "overlay/READNE.md.jinja: warning: replaces no package template" in stderr


def test_the_templates_key_must_name_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    shutil.rmtree(project / "overlay")
    code, _, stderr = _jobgen(project, "generate", monkeypatch=monkeypatch)
    assert code == 2
    assert (
        "pyproject.toml:5 #/tool/jobgen/templates: `templates` 'overlay' is not a folder" in stderr
    )


# ---------------------------------------------------------------------------------- the contract
def _tables(text: str) -> dict[str, list[list[str]]]:
    """Each `### heading`'s table (and the `## The templates` one), as rows of cells."""
    tables: dict[str, list[list[str]]] = {}
    heading = ""
    for line in text.splitlines():
        if line.startswith("#"):
            heading = line.lstrip("#").strip().strip("`")
        elif line.startswith("| ") and not line.startswith("|---"):
            cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            tables.setdefault(heading, []).append(cells)
    return {name: rows[1:] for name, rows in tables.items()}  # without the header row


def test_the_templates_table_is_what_render_gives_each_template() -> None:
    rows = _tables(DOC.read_text(encoding="utf-8"))["The templates"]
    documented = [
        (name.strip("`"), target.strip("`"), tuple(v.strip("` ") for v in variables.split(",")))
        for name, target, variables in rows
    ]
    assert documented == list(PACKAGE_TEMPLATES)
    package = template_dir() / "package"
    on_disk = sorted(p.relative_to(package).as_posix() for p in package.rglob("*.jinja"))
    assert sorted(name for name, _, _ in PACKAGE_TEMPLATES) == on_disk


def _view_classes() -> dict[str, list[tuple[str, str]]]:
    classes = {
        name: [(f.name, str(f.type)) for f in dataclasses.fields(cls)]
        for name, cls in vars(views).items()
        if isinstance(cls, type)
        and dataclasses.is_dataclass(cls)
        and cls.__module__ == views.__name__
    }
    annotations = Code.__annotations__  # a NamedTuple's: strings, or ForwardRefs of them
    classes["Code"] = [
        (name, getattr(annotations[name], "__forward_arg__", str(annotations[name])))
        for name in Code._fields
    ]
    return classes


def test_every_field_of_every_view_is_documented() -> None:
    tables = _tables(DOC.read_text(encoding="utf-8"))
    problems = []
    for name, fields in _view_classes().items():
        rows = tables.get(name)
        documented = [(row[0].strip("`"), row[1].strip("`")) for row in rows or []]
        if documented != fields:
            expected = "\n".join(
                f"| `{f}` | `{t.replace('|', chr(92) + '|')}` | ... |" for f, t in fields
            )
            problems.append(f"### `{name}` in docs/templates.md must list:\n{expected}")
    assert not problems, "\n\n".join(problems)
    documented_views = {name for name in tables if name not in ("The templates",)}
    assert documented_views <= set(_view_classes()), "a section for a view that is not one"
