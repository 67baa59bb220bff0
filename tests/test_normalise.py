"""Job profiles are checked against their spec; mistakes are one-line errors with the profile's location."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator import ir
from generator.cli import cli
from generator.config import Config
from generator.normalise import uncovered_job_resources
from generator.pipeline import build_project

from .conftest import SPECS

SPEC_FILES = [str(SPECS / f"{n}.yaml") for n in ("exporter", "pcm", "promotions")]


def _profiles() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((SPECS / "jobs.yaml").read_text())


def _validate(tmp_path: Path, data: dict) -> tuple[int, str, Path]:  # type: ignore[type-arg]
    path = tmp_path / "jobs.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    result = CliRunner().invoke(cli, ["validate", *SPEC_FILES, "--profile", str(path)])
    return result.exit_code, result.stderr, path


def test_project_profiles_are_valid(tmp_path: Path) -> None:
    code, stderr, _ = _validate(tmp_path, _profiles())
    assert code == 0, stderr


def _break(mutate) -> dict:  # type: ignore[no-untyped-def, type-arg]
    data = _profiles()
    mutate(data["profiles"])
    return data


CASES = {
    "missing-operation": (
        lambda p: p[1]["operations"].__setitem__("get", "GET /pcm/jobs/{jobID}/nope"),
        "/profiles/1/operations/get",
        "has no GET /pcm/jobs/{jobID}/nope",
    ),
    "missing-field": (
        lambda p: p[1]["fields"].__setitem__("status", "attributes.state"),
        "/profiles/1/fields/status",
        "has no property 'state'",
    ),
    "not-an-array": (
        lambda p: p[0]["fields"].__setitem__("result_links", "link[].href"),
        "/profiles/0/fields/result_links",
        "'link' is not an array",
    ),
    "status-twice": (
        lambda p: p[2]["statuses"]["failed"].append("Completed"),
        "/profiles/2/statuses/failed/",
        "status word 'Completed' is mapped twice",
    ),
    "unknown-status": (
        lambda p: p[0]["statuses"].__setitem__("exploded", ["boom"]),
        "/profiles/0/statuses/exploded",
        "unknown status 'exploded'",
    ),
    "unknown-api": (
        lambda p: p[0].__setitem__("api", "billing"),
        "/profiles/0/api",
        "no configured spec defines",
    ),
    "unknown-key": (
        lambda p: p[0].__setitem__("colour", "red"),
        "/profiles/0/colour",
        "unknown key 'colour'",
    ),
    "bad-envelope": (
        lambda p: p[0].__setitem__("envelope", "payload"),
        "/profiles/0/envelope",
        "envelope 'payload' is not a property",
    ),
    "job-param-missing": (
        lambda p: p[0].__setitem__("job_param", "id"),
        "/profiles/0/operations/get",
        "has no {id} path parameter",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_profile_mistakes_are_located(case: str, tmp_path: Path) -> None:
    mutate, pointer, message = CASES[case]
    code, stderr, path = _validate(tmp_path, _break(mutate))
    assert code == 2
    lines = stderr.strip().splitlines()
    assert all(line.startswith(f"jobgen: error: {path}:") for line in lines), stderr
    assert any(f" #{pointer}" in line and message in line for line in lines), stderr
    assert all("; hint: " in line for line in lines), stderr
    assert "Traceback" not in stderr


# -- every problem of every profile, in one run -----------------------------------------------------


def test_every_problem_of_every_profile_is_listed_with_a_hint_and_the_output_is_untouched(
    tmp_path: Path,
) -> None:
    def mutate(profiles: list[dict]) -> None:  # type: ignore[type-arg]
        profiles[0]["fields"]["status"] = "stauts"
        profiles[1]["envelope"] = "dat"
        profiles[1]["fields"]["kind"] = "attributes.typ"
        profiles[2]["statuses"]["finished"] = ["completed"]
        profiles[2]["colour"] = "red"

    path = tmp_path / "jobs.yaml"
    path.write_text(yaml.safe_dump(_break(mutate), sort_keys=False))
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    result = CliRunner().invoke(
        cli,
        ["generate", *SPEC_FILES, "--profile", str(path), "--output", str(out), "-p", "pkg"],
    )
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    expected = {
        "/profiles/0/fields/status": "did you mean 'status'?",
        "/profiles/1/envelope": "did you mean 'data'?",
        "/profiles/2/statuses/finished": "canonical: pending, running",
        "/profiles/2/colour": "known: api, resource_type",
    }
    for pointer, hint in expected.items():
        assert any(
            re.match(rf"jobgen: error: {re.escape(str(path))}:\d+ #{pointer}: .*; hint: ", line)
            and hint in line
            for line in lines
        ), (pointer, result.stderr)
    assert len(lines) == len(expected), result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["mine.txt"]


# -- version 2: an invented spec with two job resources ---------------------------------------------

TASKS = """
openapi: 3.0.3
info: {title: Tasks, version: '1'}
paths:
  /tasks/jobs:
    get:
      operationId: listJobs
      responses:
        '200':
          description: jobs
          content:
            application/json:
              schema:
                type: object
                properties:
                  data: {type: array, items: {$ref: '#/components/schemas/Job'}}
    post:
      operationId: createJob
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {name: {type: string}}}
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/JobEnvelope'}
  /tasks/jobs/{job_id}:
    parameters: [{name: job_id, in: path, required: true, schema: {type: string}}]
    get:
      operationId: getJob
      responses:
        '200':
          description: the job
          content:
            application/json:
              schema: {$ref: '#/components/schemas/JobEnvelope'}
              examples:
                failed: {$ref: '#/components/examples/FailedJob'}
    delete:
      operationId: deleteJob
      responses:
        '204': {description: deleted}
  /tasks/imports/{import_id}:
    get:
      operationId: getImport
      parameters: [{name: import_id, in: path, required: true, schema: {type: string}}]
      responses:
        '200':
          description: the import
          content:
            application/json:
              schema:
                type: object
                properties:
                  import: {$ref: '#/components/schemas/Import'}
  /tasks/exports:
    get:
      operationId: listExports
      responses:
        '200': {description: exports}
  /tasks/exports/{export_id}:
    get:
      operationId: getExport
      parameters: [{name: export_id, in: path, required: true, schema: {type: string}}]
      responses:
        '200': {description: an export}
components:
  examples:
    FailedJob:
      value: {data: {id: j-1, attributes: {status: FAILURE}}}
  schemas:
    JobEnvelope:
      type: object
      properties:
        data: {$ref: '#/components/schemas/Job'}
    Job:
      type: object
      properties:
        id: {type: string}
        attributes:
          type: object
          properties:
            status: {type: string, enum: [QUEUED, IN_PROGRESS, DONE]}
            message: {type: string}
    Import:
      type: object
      properties:
        uuid: {type: string}
        completed_at: {type: string, nullable: true}
        failed_at: {type: string, nullable: true}
"""

TASK_PROFILES = {
    "version": 2,
    "jobs": [
        {
            "name": "task_jobs",
            "api": "tasks",
            "job_param": "job_id",
            "envelope": "data",
            "operations": {
                "create": "POST /tasks/jobs",
                "list": "GET /tasks/jobs",
                "get": "GET /tasks/jobs/{job_id}",
            },
            "cancel": "DELETE /tasks/jobs/{job_id}",
            "fields": {
                "id": "id",
                "status": "attributes.status",
                "error": {"path": "attributes.message", "when": ["failed"]},
            },
            "statuses": {
                "pending": ["QUEUED"],
                "running": ["IN_PROGRESS"],
                "succeeded": ["DONE"],
                "failed": ["FAILURE"],
            },
        },
        {
            "name": "task_imports",
            "api": "tasks",
            "job_param": "import_id",
            "envelope": "import",
            "operations": {"get": "GET /tasks/imports/{import_id}"},
            "fields": {"id": "uuid"},
            "state": [
                {"status": "failed", "if": {"present": "failed_at"}},
                {"status": "succeeded", "if": {"present": "completed_at"}},
                {"status": "running"},
            ],
        },
    ],
}


def _tasks(tmp_path: Path, profiles: dict, *args: str) -> tuple[int, str, Path, Path]:  # type: ignore[type-arg]
    spec = tmp_path / "tasks.yaml"
    spec.write_text(TASKS)
    path = tmp_path / "tasks-jobs.yaml"
    path.write_text(yaml.safe_dump(profiles, sort_keys=False))
    result = CliRunner().invoke(cli, ["validate", str(spec), "--profile", str(path), *args])
    return result.exit_code, result.stderr, spec, path


def _tasks_build(tmp_path: Path, profiles: dict) -> tuple[ir.Project, list]:  # type: ignore[type-arg]
    spec = tmp_path / "tasks.yaml"
    spec.write_text(TASKS)
    path = tmp_path / "tasks-jobs.yaml"
    path.write_text(yaml.safe_dump(profiles, sort_keys=False))
    return build_project(
        Config(specs=(spec,), output=tmp_path / "o", package="p", profiles=(path,))
    )


def test_two_families_of_one_api_with_their_own_names(tmp_path: Path) -> None:
    project, _ = _tasks_build(tmp_path, TASK_PROFILES)
    (api,) = project.apis
    jobs, imports = api.jobs
    assert (jobs.name, imports.name) == ("task_jobs", "task_imports")
    assert jobs.resource_type is None and jobs.model == "Job"
    assert jobs.cancel == ir.JobCancel(
        ir.JobOperation("cancel", "tasks", "DELETE", "/tasks/jobs/{job_id}"), True, ()
    )
    assert jobs.fields[2] == ir.JobField("error", "attributes.message", ("failed",))
    assert [s.word for s in jobs.statuses] == ["QUEUED", "IN_PROGRESS", "DONE", "FAILURE"]
    assert imports.statuses == () and imports.state == (
        ir.JobStateRule("failed", ir.JobCondition("present", "failed_at")),
        ir.JobStateRule("succeeded", ir.JobCondition("present", "completed_at")),
        ir.JobStateRule("running", None),
    )


def test_a_job_like_resource_without_a_profile_is_named_in_one_warning(tmp_path: Path) -> None:
    code, stderr, spec, _ = _tasks(tmp_path, TASK_PROFILES)
    assert code == 0, stderr
    (line,) = [line for line in stderr.splitlines() if "no job profile" in line]
    assert f"{spec}:" in line and "#/paths/~1tasks~1exports/get" in line
    assert "GET /tasks/exports, GET /tasks/exports/{export_id}" in line
    project, _ = _tasks_build(tmp_path, TASK_PROFILES)
    (api,) = project.apis
    assert [r.path for r in uncovered_job_resources(api, api.jobs)] == ["/tasks/exports"]
    assert [r.path for r in uncovered_job_resources(api, [])] == [
        "/tasks/jobs",
        "/tasks/imports",
        "/tasks/exports",
    ]


def _without(word: str) -> dict:  # type: ignore[type-arg]
    data = copy.deepcopy(TASK_PROFILES)
    statuses = data["jobs"][0]["statuses"]
    for words in statuses.values():
        if word in words:
            words.remove(word)
    data["jobs"][0]["statuses"] = {k: v for k, v in statuses.items() if v}
    return data


def test_an_unmapped_enum_word_is_a_located_warning_and_an_error_under_strict(
    tmp_path: Path,
) -> None:
    code, stderr, spec, _ = _tasks(tmp_path, _without("IN_PROGRESS"))
    assert code == 0, stderr
    (line,) = [line for line in stderr.splitlines() if "'IN_PROGRESS'" in line]
    assert re.search(
        rf"{re.escape(str(spec))}:\d+ #/components/schemas/Job/properties/attributes/properties/"
        r"status/enum/1: warning: status word 'IN_PROGRESS' \(a value of the status enum",
        line,
    ), line
    assert "hint: add it under `statuses`, e.g. `running: [..., IN_PROGRESS]`" in line
    code, stderr, _, _ = _tasks(tmp_path, _without("IN_PROGRESS"), "--strict")
    assert code == 2 and "'IN_PROGRESS'" in stderr


def test_a_word_only_an_example_names_must_be_mapped_too(tmp_path: Path) -> None:
    code, stderr, spec, _ = _tasks(tmp_path, _without("FAILURE"))
    assert code == 0, stderr
    (line,) = [line for line in stderr.splitlines() if "'FAILURE'" in line]
    assert (
        f"{spec}:" in line
        and "#/components/examples/FailedJob/value/data/attributes/status" in line
    )
    assert "a status in an example" in line and "`failed: [..., FAILURE]`" in line


def test_a_mapped_word_the_spec_never_mentions_is_a_warning(tmp_path: Path) -> None:
    data = copy.deepcopy(TASK_PROFILES)
    data["jobs"][0]["statuses"]["cancelled"] = ["ABORTED"]
    code, stderr, _, path = _tasks(tmp_path, data)
    assert code == 0, stderr
    (line,) = [line for line in stderr.splitlines() if "'ABORTED'" in line]
    assert f"{path}:" in line and "#/jobs/0" in line and "never mentions" in line
    code, stderr, _, _ = _tasks(tmp_path, TASK_PROFILES)
    assert "never mentions" not in stderr and "not mapped" not in stderr


V2_CASES = {
    "duplicate-name": (
        lambda d: d["jobs"][1].__setitem__("name", "task_jobs"),
        "/jobs/1/name",
        "a second job family named 'task_jobs'",
    ),
    "status-and-state": (
        lambda d: d["jobs"][1]["fields"].__setitem__("status", "uuid"),
        "/jobs/1/fields/status",
        "either `fields.status` with `statuses`, or `state` rules",
    ),
    "errors-found-without-errors": (
        lambda d: d["jobs"][1]["state"].insert(0, {"status": "failed", "if": {"errors": "found"}}),
        "/jobs/1/state/0/if/errors",
        "needs an `errors` (or `logs`) operation",
    ),
    "state-path": (
        lambda d: d["jobs"][1]["state"][0].__setitem__("if", {"present": "failedat"}),
        "/jobs/1/state/0/if/present",
        "did you mean 'failed_at'?",
    ),
    "when-not-canonical": (
        lambda d: d["jobs"][0]["fields"]["error"].__setitem__("when", ["broken"]),
        "/jobs/0/fields/error/when/0",
        "'broken' is not a canonical status",
    ),
    "cancel-from-unmapped": (
        lambda d: d["jobs"][0].__setitem__(
            "cancel", {"operation": "DELETE /tasks/jobs/{job_id}", "from": ["WAITING"]}
        ),
        "/jobs/0/cancel/from/0",
        "cancellable status 'WAITING' is not in `statuses`",
    ),
    "creator-api-unknown": (
        lambda d: d["jobs"][1]["operations"].__setitem__(
            "create", {"api": "billing", "operation": "POST /imports"}
        ),
        "/jobs/1/operations/create/api",
        "the creator's API 'billing' is not a configured spec",
    ),
    "reserved-name": (
        lambda d: d["jobs"][0].__setitem__("name", "wait"),
        "/jobs/0/name",
        "`name` 'wait' is a method of `client.jobs`",
    ),
    "cancel-in-operations": (
        lambda d: d["jobs"][0]["operations"].__setitem__("cancel", "DELETE /tasks/jobs/{job_id}"),
        "/jobs/0/operations/cancel",
        "in version 2, `cancel` is a key of the family",
    ),
    "misspelt-operation": (
        lambda d: d["jobs"][0]["operations"].__setitem__("get", "GET /tasks/job/{job_id}"),
        "/jobs/0/operations/get",
        "did you mean 'GET /tasks/jobs/{job_id}'?",
    ),
}


@pytest.mark.parametrize("case", sorted(V2_CASES))
def test_version_2_mistakes_are_located_with_a_hint(case: str, tmp_path: Path) -> None:
    mutate, pointer, message = V2_CASES[case]
    data = copy.deepcopy(TASK_PROFILES)
    mutate(data)
    code, stderr, _, path = _tasks(tmp_path, data)
    assert code == 2, stderr
    lines = stderr.strip().splitlines()
    assert any(
        line.startswith(f"jobgen: error: {path}:") and f" #{pointer}:" in line and message in line
        for line in lines
    ), stderr
    assert all("; hint: " in line for line in lines), stderr


def test_a_version_1_file_reads_as_before(tmp_path: Path) -> None:
    project, _ = _tasks_build(
        tmp_path,
        {
            "version": 1,
            "profiles": [
                {
                    "api": "tasks",
                    "resource_type": "task",
                    "job_param": "job_id",
                    "envelope": "data",
                    "operations": {
                        "get": "GET /tasks/jobs/{job_id}",
                        "cancel": "DELETE /tasks/jobs/{job_id}",
                    },
                    "fields": {
                        "id": "id",
                        "status": "attributes.status",
                        "error": "attributes.message",
                    },
                    "cancellable": ["queued"],
                    "statuses": {
                        "pending": ["queued"],
                        "running": ["in_progress"],
                        "succeeded": ["done"],
                        "failed": ["failure"],
                    },
                }
            ],
        },
    )
    (family,) = project.apis[0].jobs
    assert family.name == "tasks" and family.resource_type == "task"
    # A DELETE cancel removes the job, whatever the version.
    assert family.cancel is not None and family.cancel.removes_job
    assert family.cancel.from_statuses == ("queued",)
    assert family.fields[-1] == ir.JobField("error", "attributes.message", None)


def test_a_second_version_1_profile_for_an_api_says_how_to_name_it(tmp_path: Path) -> None:
    data = _profiles()
    data["profiles"].append(copy.deepcopy(data["profiles"][0]))
    code, stderr, _ = _validate(tmp_path, data)
    assert code == 2
    assert "#/profiles/3/api: a second job family named 'exporter'" in stderr
    assert "use `version: 2` and give each a `name`" in stderr


STARTER = """
openapi: 3.0.3
info: {title: Starter, version: '1'}
paths:
  /start:
    post:
      operationId: start
      responses:
        '201':
          description: started
          content:
            application/json:
              schema: {type: object, properties: {data: {type: object}}}
              example: {data: {id: j-9, attributes: {status: ENQUEUED}}}
"""


def test_a_creators_spec_is_checked_for_status_words_too(tmp_path: Path) -> None:
    starter = tmp_path / "starter.yaml"
    starter.write_text(STARTER)
    data = copy.deepcopy(TASK_PROFILES)
    data["jobs"][0]["operations"]["create"] = {"api": "starter", "operation": "POST /start"}
    spec = tmp_path / "tasks.yaml"
    spec.write_text(TASKS)
    path = tmp_path / "tasks-jobs.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    result = CliRunner().invoke(cli, ["validate", str(spec), str(starter), "--profile", str(path)])
    assert result.exit_code == 0, result.stderr
    (line,) = [line for line in result.stderr.splitlines() if "'ENQUEUED'" in line]
    assert f"{starter}:" in line and "#/paths/~1start/post/responses/201/content/" in line
    assert "`pending: [..., ENQUEUED]`" in line


def test_an_unreadable_profile_file_does_not_hide_the_others_problems(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 2\njobs: [\n")
    data = _profiles()
    data["profiles"][0]["envelope"] = "dat"
    path = tmp_path / "jobs.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    result = CliRunner().invoke(
        cli, ["validate", *SPEC_FILES, "--profile", str(broken), "--profile", str(path)]
    )
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith(f"jobgen: error: {broken}:") and "invalid YAML" in lines[0]
    assert lines[1].startswith(f"jobgen: error: {path}:") and "#/profiles/0/envelope" in lines[1]
