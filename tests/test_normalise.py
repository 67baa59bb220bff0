"""Job profiles are checked against their spec; mistakes are one-line errors with the profile's location."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import cli

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
        "no spec defines",
    ),
    "unknown-key": (
        lambda p: p[0].__setitem__("colour", "red"),
        "/profiles/0/colour",
        "unknown profile key 'colour'",
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
    (line,) = stderr.strip().splitlines()
    assert line.startswith(f"jobgen: error: {path}:"), line
    assert f" #{pointer}" in line and message in line, line
