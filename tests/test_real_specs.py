"""The published specs, warts included: every operation generated, nothing skipped, output type-checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import cli

from .conftest import real_spec_paths

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], str]:
    specs = real_spec_paths()
    out = tmp_path_factory.mktemp("real") / "build"
    report = out.parent / "report.json"
    result = CliRunner().invoke(
        cli,
        [
            "generate",
            *map(str, specs),
            "--output",
            str(out),
            "--package",
            "ep",
            "--report",
            str(report),
        ],
    )
    assert result.exit_code == 0, result.output
    return out, json.loads(report.read_text()), result.stderr


def _operation_count(path: Path) -> int:
    data = yaml.safe_load(path.read_text())
    return sum(1 for item in data["paths"].values() for method in item if method in HTTP_METHODS)


def test_every_operation_is_generated_and_nothing_skipped(
    generated: tuple[Path, dict[str, Any], str],
) -> None:
    _, report, _ = generated
    for entry in report["specs"]:
        assert entry["skipped"] == [], entry["skipped"]
        assert entry["operations_generated"] == _operation_count(Path(entry["path"]))
        assert entry["models_generated"] > 0


def test_every_repair_is_a_located_warning(generated: tuple[Path, dict[str, Any], str]) -> None:
    _, report, stderr = generated
    by_name = {Path(e["path"]).stem: e for e in report["specs"]}
    codes = {
        w["message"].split("]")[0].split("[")[-1] for e in report["specs"] for w in e["warnings"]
    }
    assert {
        "items-list",
        "response-in-schemas",
        "missing-operation-id",
        "empty-required",
        "ref-siblings",
    } <= codes
    for entry in report["specs"]:
        for warning in entry["warnings"]:
            assert warning["pointer"].startswith("/") and warning["line"], warning
    assert "client-header" in json.dumps(
        by_name["promotions"]["warnings"]
    )  # the Authorization header parameter
    assert "promotions.yaml:" in stderr


def test_the_pcm_job_list_response_is_not_dropped(
    generated: tuple[Path, dict[str, Any], str],
) -> None:
    out, _, _ = generated
    resources = (out / "ep" / "pim" / "resources.py").read_text()
    assert "def get_all_jobs(" in resources
    assert "APIResponse[models.Multi]" in resources or "APIResponse[models." in resources


def test_output_passes_mypy_strict_and_ruff(generated: tuple[Path, dict[str, Any], str]) -> None:
    out, _, _ = generated
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."], cwd=out, capture_output=True, text=True
    )
    assert ruff.returncode == 0, ruff.stdout
    fmt = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "."],
        cwd=out,
        capture_output=True,
        text=True,
    )
    assert fmt.returncode == 0, fmt.stdout
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "ep"],
        cwd=out,
        capture_output=True,
        text=True,
    )
    assert mypy.returncode == 0, mypy.stdout[-5000:]


def test_output_imports_and_names_keywords_safely(
    generated: tuple[Path, dict[str, Any], str], import_fresh
) -> None:  # type: ignore[no-untyped-def]
    out, _, _ = generated
    ep = import_fresh(out, "ep")
    assert hasattr(ep.Client(auth="t", base_url="http://127.0.0.1:9"), "promotions")
    from_promotions = __import__("ep.promotions.models", fromlist=["models"])
    fields = {
        name
        for model in vars(from_promotions).values()
        if isinstance(model, type) and hasattr(model, "model_fields")
        for name in model.model_fields
    }
    assert "and_" in fields and "or_" in fields


def test_warning_messages_snapshot(generated: tuple[Path, dict[str, Any], str], snapshot) -> None:  # type: ignore[no-untyped-def]
    _, report, _ = generated
    lines = [
        f"{Path(entry['path']).name}:{w['line']} #{w['pointer']}: {w['message']}"
        for entry in report["specs"]
        for w in entry["warnings"]
    ]
    assert lines == snapshot
