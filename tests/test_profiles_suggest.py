"""`jobgen profiles suggest`: drafts that generate as they are, guesses marked, and how many of its
guesses the built-in profiles agree with (`bench/suggest_accuracy.py` prints the same table)."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import cli
from generator.config import Config
from generator.pipeline import run

from .conftest import REAL_SPECS, ROOT, write_spec

PUBLISHED = ("exporter", "pim", "promotions", "subscriptions", "pricebooks")


def _accuracy_module() -> Any:
    spec = importlib.util.spec_from_file_location(
        "suggest_accuracy", ROOT / "bench" / "suggest_accuracy.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ...]:
    paths = [REAL_SPECS / f"{name}.yaml" for name in PUBLISHED]
    if not all(path.is_file() for path in paths):
        pytest.skip(f"real specs not found in {REAL_SPECS}")
    folder = tmp_path_factory.mktemp("suggest")
    return tuple(Path(shutil.copy(path, folder / path.name)) for path in paths)


@pytest.fixture(scope="module")
def draft(published: tuple[Path, ...]) -> Path:
    target = published[0].parent / "draft.yaml"
    result = CliRunner().invoke(
        cli, ["profiles", "suggest", *map(str, published), "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert "jobgen: drafted 5 job families from 5 specs" in result.stderr
    return target


def test_the_drafts_for_the_published_job_apis_generate_without_edits(
    published: tuple[Path, ...], draft: Path
) -> None:
    result = run(
        Config(specs=published, output=draft.parent / "out", package="drafted", profiles=(draft,)),
        concurrent_validation=False,
    )
    families = {f.name: f for api in result.project.apis for f in api.jobs}  # type: ignore[union-attr]
    # The drafts' names are the built-ins' (so they replace them): every family is the draft's.
    assert sorted(families) == [
        "exporter",
        "pim",
        "promotions",
        "subscription_imports",
        "subscription_jobs",
    ]
    assert {f.location.file for f in families.values()} == {str(draft)}
    codes = {w.code for w in result.warnings}
    assert not codes & {"profile", "unmapped-status", "unknown-status-word", "no-job-profile"}
    assert "drafted/_profiles.py" in result.files


def test_the_draft_marks_its_guesses_and_says_where_it_comes_from(draft: Path) -> None:
    text = draft.read_text("utf-8")
    assert text.startswith("# Job profile drafted by `jobgen profiles suggest` from ")
    data = yaml.safe_load(text)
    jobs = {job["name"]: job for job in data["jobs"]}
    # A DELETE of a job may remove a record rather than stop the job: a guess.
    delete = next(line for line in text.splitlines() if 'cancel: "DELETE ' in line)
    assert "# GUESS" in delete
    assert jobs["pim"]["cancel"] == {
        "operation": "POST /pcm/jobs/{jobID}/cancel",
        "from": ["pending"],
    }
    assert jobs["subscription_imports"]["statuses"] == {
        "pending": ["pending"],
        "running": ["started"],
        "succeeded": ["success"],
        "failed": ["failed"],
    }


def test_how_many_guesses_the_built_in_profiles_agree_with(
    published: tuple[Path, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    accuracy = _accuracy_module()
    scores = accuracy.measure(list(published))
    right = sum(s.right for s in scores)
    total = sum(s.total for s in scores)
    print(f"suggest accuracy: {right}/{total} facts agree with the built-in profiles")
    for score in scores:
        print(score.family, score.right, score.total, *score.wrong, sep="\n  ")
    assert len(scores) == 5 and total > 90
    # Every status word is sorted as the built-ins sort it.
    assert not [w for s in scores for w in s.wrong if w.startswith("status ")]
    assert right / total >= 0.9


INVENTED = """
openapi: 3.0.3
info: {title: Renders, version: '1'}
paths:
  /render/jobs:
    post:
      operationId: startRender
      requestBody:
        content: {application/json: {schema: {type: object}}}
      responses:
        '202':
          description: started
          content: {application/json: {schema: {$ref: '#/components/schemas/Envelope'}}}
  /render/jobs/{render_id}:
    parameters: [{name: render_id, in: path, required: true, schema: {type: string}}]
    get:
      operationId: getRender
      responses:
        '200':
          description: the render
          content: {application/json: {schema: {$ref: '#/components/schemas/Envelope'}}}
    delete:
      operationId: dropRender
      responses: {'204': {description: gone}}
  /media/imports:
    get:
      operationId: listUploads
      responses:
        '200':
          description: uploads
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: {type: array, items: {$ref: '#/components/schemas/Upload'}}
  /media/imports/{upload_id}:
    get:
      operationId: getUpload
      parameters: [{name: upload_id, in: path, required: true, schema: {type: string}}]
      responses:
        '200':
          description: the upload
          content: {application/json: {schema: {$ref: '#/components/schemas/Upload'}}}
components:
  schemas:
    Envelope:
      type: object
      properties:
        data: {$ref: '#/components/schemas/Render'}
    Render:
      type: object
      properties:
        id: {type: string}
        phase: {type: string, enum: [QUEUED, RENDERING, DONE, FAILED, ON_HOLD]}
        created_at: {type: string, format: date-time}
    Upload:
      type: object
      properties:
        id: {type: string}
        started_at: {type: string, format: date-time}
        completed_at: {type: string, format: date-time}
"""


def test_an_unknown_word_goes_under_running_marked_and_a_status_less_job_gets_state_rules(
    tmp_path: Path,
) -> None:
    spec = write_spec(tmp_path, INVENTED, "renders.yaml")
    result = CliRunner().invoke(cli, ["profiles", "suggest", str(spec)])
    assert result.exit_code == 0, result.output
    text = result.stdout
    data = yaml.safe_load(text)
    renders, uploads = data["jobs"]
    assert (renders["name"], uploads["name"]) == ("render_jobs", "render_imports")
    assert renders["fields"]["status"] == "phase"
    assert renders["statuses"] == {
        "pending": ["QUEUED"],
        "running": ["RENDERING", "ON_HOLD"],
        "succeeded": ["DONE"],
        "failed": ["FAILED"],
    }
    running = next(line for line in text.splitlines() if "running: [RENDERING" in line)
    assert running.endswith(
        "# GUESS: RENDERING: not a word the table knows; ON_HOLD: not a word the table knows"
    )
    assert "status: phase  # GUESS" in text  # not called `status`
    assert uploads["envelope"] == ""
    assert uploads["state"] == [
        {"status": "succeeded", "if": {"present": "completed_at"}},
        {"status": "running", "if": {"present": "started_at"}},
        {"status": "pending"},
    ]
    # The draft generates as it is.
    draft = write_spec(tmp_path, text, "draft.yaml")
    generated = run(
        Config(specs=(spec,), output=tmp_path / "out", package="renders", profiles=(draft,)),
        concurrent_validation=False,
    )
    assert {f.name for api in generated.project.apis for f in api.jobs} == {  # type: ignore[union-attr]
        "render_jobs",
        "render_imports",
    }


def test_a_spec_that_cannot_be_read_is_a_located_error(tmp_path: Path) -> None:
    broken = write_spec(tmp_path, "openapi: 3.0.3\ninfo: [\n", "broken.yaml")
    result = CliRunner().invoke(cli, ["profiles", "suggest", str(broken)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"jobgen: error: {broken}:")
    assert "Traceback" not in result.output
