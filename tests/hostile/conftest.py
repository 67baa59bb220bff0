"""Fixtures for the hostile-input tests: small good specs, a previous generation to protect, and the
check that the real runtime imports (else generated packages are imported over stubs)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from . import support

GOOD_SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Good API", "version": "1.0"},
    "servers": [{"url": "https://api.example.com", "description": "EU West Production Server"}],
    "paths": {
        "/v2/things/{thing_id}": {
            "get": {
                "operationId": "getThing",
                "tags": ["Things"],
                "summary": "Get a thing",
                "parameters": [
                    {
                        "name": "thing_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                        },
                    }
                },
            }
        }
    },
    "components": {
        "schemas": {
            "Thing": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "string"},
                    "status": {"type": "string", "enum": ["pending", "done"]},
                },
            }
        }
    },
}


def other_spec() -> dict[str, Any]:
    """GOOD_SPEC with one more operation and model: a second, different complete result."""
    import copy

    spec = copy.deepcopy(GOOD_SPEC)
    spec["info"]["title"] = "Other API"
    spec["paths"]["/v2/others"] = {
        "get": {
            "operationId": "listOthers",
            "tags": ["Others"],
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Other"}}
                    },
                }
            },
        }
    }
    spec["components"]["schemas"]["Other"] = {
        "type": "object",
        "properties": {"n": {"type": "integer"}},
    }
    return spec


@pytest.fixture(scope="session")
def good_spec_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return support.write_spec(tmp_path_factory.mktemp("good"), GOOD_SPEC, "good")


@pytest.fixture(scope="session")
def previous_generation(tmp_path_factory: pytest.TempPathFactory, good_spec_path: Path) -> Path:
    """An output folder holding a complete earlier generation, a user's sentinel file and a nested one."""
    folder = tmp_path_factory.mktemp("previous") / "out"
    result = support.invoke(
        "generate", good_spec_path, "--output", folder, "--package", "prev_pkg", "--no-cache"
    )
    assert result.exit_code == 0, result.stderr
    (folder / "SENTINEL.txt").write_text("the user's file\n", encoding="utf-8")
    (folder / "prev_pkg" / "user_notes.md").write_text("nested user file\n", encoding="utf-8")
    return folder


@pytest.fixture
def protected_output(tmp_path: Path, previous_generation: Path) -> Iterator[Path]:
    """A fresh copy of `previous_generation` for one test."""
    folder = tmp_path / "out"
    shutil.copytree(previous_generation, folder, symlinks=True)
    yield folder


@pytest.fixture(scope="session")
def runtime_status(tmp_path_factory: pytest.TempPathFactory) -> tuple[bool, str]:
    """(True, "") when packages generated with the real runtime import; else why not."""
    return support.runtime_imports_cleanly(tmp_path_factory.mktemp("runtime-probe"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "scale: a big-input case (2,000 operations, 50 MB); runs in CI, about ten seconds each",
    )
