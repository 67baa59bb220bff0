"""The result cache (generator/cache.py): hits, every kind of invalidation, corrupt entries, --no-cache.

A hit is recognised by the summary line, which ends in "(cached)" only when the stored result was used.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import cache
from generator.cli import cli
from generator.inputs import template_dir

from .conftest import ROOT, tree, write_spec

SPEC = """
openapi: 3.1.0
info: {title: Tiny, version: '1'}
paths:
  /things/{thingID}:
    get:
      operationId: getThing
      parameters:
        - {name: thingID, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: 'parts.yaml#/components/schemas/Thing'
"""

PARTS = """
components:
  schemas:
    Thing:
      type: object
      properties:
        id: {type: string}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder with a spec that `$ref`s a second file, as the working directory."""
    write_spec(tmp_path, SPEC, "api.yaml")
    write_spec(tmp_path, PARTS, "parts.yaml")
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def generate(*extra: str, command: str = "generate") -> tuple[int, str, str]:
    args = [command, "api.yaml", "--output", "out", "--package", "tiny", *extra]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def cached(stderr: str) -> bool:
    return stderr.rstrip().endswith("(cached)")


def entry(project: Path) -> Path:
    entries = list((project / cache.CACHE_DIR).glob("*.cache"))
    assert len(entries) == 1, entries
    return entries[0]


# ------------------------------------------------------------------------------------------------ hits
def test_second_run_is_a_hit_with_the_same_output_and_report(project: Path) -> None:
    code, _, err = generate("--report", "first.json")
    assert code == 0 and not cached(err)
    first = tree(project / "out")
    shutil.rmtree(project / "out")  # a hit still writes the output folder
    code, _, err = generate("--report", "second.json")
    assert code == 0 and cached(err)
    assert tree(project / "out") == first
    assert (project / "first.json").read_text() == (project / "second.json").read_text()


def test_check_is_served_from_the_cache_and_still_compares(project: Path) -> None:
    generate()
    code, _, err = generate(command="check")
    assert code == 0 and cached(err)
    model = next((project / "out").rglob("models.py"))
    model.write_text(model.read_text() + "# edited\n")
    code, diff, err = generate(command="check")
    assert code == 1 and "# edited" in diff


def test_warnings_are_replayed_from_the_cache(project: Path) -> None:
    write_spec(project, SPEC.replace("      operationId: getThing\n", ""), "api.yaml")
    _, _, full = generate()
    _, _, hit = generate()
    assert cached(hit) and "missing-operation-id" in full
    assert full.splitlines()[:-1] == hit.splitlines()[:-1]


def test_the_cache_folder_ignores_itself(project: Path) -> None:
    generate()
    assert (project / cache.CACHE_DIR / ".gitignore").read_text().splitlines()[-1] == "*"


# ---------------------------------------------------------------------------------------- invalidation
def test_a_changed_spec_is_a_miss(project: Path) -> None:
    generate()
    write_spec(project, SPEC.replace("title: Tiny", "title: Changed"), "api.yaml")
    _, _, err = generate()
    assert not cached(err)
    assert "Changed" in (project / "out" / "README.md").read_text()


def test_a_changed_ref_file_is_a_miss(project: Path) -> None:
    generate()
    write_spec(
        project, PARTS.replace("id: {type: string}", "renamed_id: {type: string}"), "parts.yaml"
    )
    _, _, err = generate()
    assert not cached(err)
    assert "renamed_id" in (project / "out" / "tiny" / "api" / "models.py").read_text()
    assert cached(generate()[2])


def test_a_changed_profile_is_a_miss(project: Path) -> None:
    write_spec(project, "version: 1\nprofiles: []\n", "jobs.yaml")
    generate("--profile", "jobs.yaml")
    assert cached(generate("--profile", "jobs.yaml")[2])
    write_spec(project, "version: 1\nprofiles: []\n# touched\n", "jobs.yaml")
    assert not cached(generate("--profile", "jobs.yaml")[2])


@pytest.mark.parametrize(
    "change",
    [("--package", "other"), ("--strict",)],
    ids=["package", "strict"],
)
def test_a_changed_setting_is_a_miss(project: Path, change: tuple[str, ...]) -> None:
    generate()
    args = ["generate", "api.yaml", "--output", "out", "--package", "tiny", *change]
    if change[0] == "--package":
        args = ["generate", "api.yaml", "--output", "out", *change]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0 and not cached(result.stderr)


def test_a_changed_template_is_a_miss(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    templates = project / "templates"
    shutil.copytree(template_dir(), templates, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr("generator.cache.template_dir", lambda: templates)
    monkeypatch.setattr("generator.render.project.template_dir", lambda: templates)
    generate()
    assert cached(generate()[2])
    readme = templates / "package" / "README.md.jinja"
    readme.write_text(readme.read_text() + "\nA line added to the template.\n")
    _, _, err = generate()
    assert not cached(err)
    assert "A line added to the template." in (project / "out" / "README.md").read_text()


@pytest.mark.parametrize("module", ["_constants.py", "testing/_state.py"])
def test_a_changed_runtime_file_is_a_miss(
    project: Path, monkeypatch: pytest.MonkeyPatch, module: str
) -> None:
    templates = project / "templates"
    shutil.copytree(template_dir(), templates, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr("generator.cache.template_dir", lambda: templates)
    monkeypatch.setattr("generator.render.project.template_dir", lambda: templates)
    generate()
    source = templates / "runtime" / module
    source.write_text(source.read_text() + "\nEXTRA = 1\n")
    assert not cached(generate()[2])
    assert "EXTRA = 1" in (project / "out" / "tiny" / module).read_text()


def test_a_changed_generator_source_is_a_miss(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = project / "generator-copy"
    shutil.copytree(ROOT / "generator", sources, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "_SOURCE_DIR", sources)
    generate()
    assert cached(generate()[2])
    touched = sources / "render" / "project.py"
    touched.write_text(touched.read_text() + "\n# touched\n")
    assert not cached(generate()[2])


def test_other_versions_are_a_miss(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generate()
    real = cache._distribution_versions()
    monkeypatch.setattr(cache, "_distribution_versions", lambda: {**real, "ruff": "0.0.1"})
    assert not cached(generate()[2])
    monkeypatch.setattr(cache, "__version__", "99.0")
    assert not cached(generate()[2])


# ---------------------------------------------------------------------------------- corrupt entries
@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],  # cut short
        lambda raw: raw[:-10] + bytes([raw[-10] ^ 1]) + raw[-9:],  # one bit flipped
        lambda raw: b"not a cache entry at all",
        lambda raw: b"",
    ],
    ids=["truncated", "bit-flip", "garbage", "empty"],
)
def test_a_corrupt_entry_is_ignored_and_rebuilt(project: Path, damage: object) -> None:
    generate()
    expected = tree(project / "out")
    path = entry(project)
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    code, _, err = generate()
    assert code == 0 and not cached(err)
    assert tree(project / "out") == expected
    assert cached(generate()[2])  # the entry was written again


def test_an_entry_of_the_wrong_shape_is_ignored(project: Path) -> None:
    import hashlib

    generate()
    path = entry(project)
    _, _, body = path.read_bytes().partition(b"\n")
    data = json.loads(body)
    data["files"] = ["not", "a", "mapping"]
    body = json.dumps(data).encode()
    path.write_bytes(f"jobgen-cache 1 {hashlib.sha256(body).hexdigest()}\n".encode() + body)
    code, _, err = generate()
    assert code == 0 and not cached(err)


def test_an_unwritable_cache_folder_costs_only_the_speed_up(project: Path) -> None:
    (project / cache.CACHE_DIR).write_text("a file where the cache folder goes")
    code, _, err = generate()
    assert code == 0 and not cached(err)
    assert not cached(generate()[2])


def test_a_failed_run_stores_nothing(project: Path) -> None:
    write_spec(project, SPEC.replace("info:", "info: [", 1), "api.yaml")
    code, _, _ = generate()
    assert code == 2
    assert not list(project.glob(f"{cache.CACHE_DIR}/*.cache"))


# --------------------------------------------------------------------------------------------- bypass
def test_no_cache_neither_reads_nor_writes(project: Path) -> None:
    code, _, err = generate("--no-cache")
    assert code == 0 and not cached(err)
    assert not (project / cache.CACHE_DIR).exists()
    generate()
    code, _, err = generate("--no-cache")
    assert code == 0 and not cached(err)
    code, _, err = generate("--no-cache", command="check")
    assert code == 0 and not cached(err)
