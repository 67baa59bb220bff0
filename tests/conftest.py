"""Shared test helpers: where things are, and how to generate a package in a temp folder."""

from __future__ import annotations

import importlib
import os
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
GENERATED = ROOT / "generated"
# The published specs live beside the project (see README, "Tests"); override with JOBGEN_REAL_SPECS.
REAL_SPECS = Path(os.environ.get("JOBGEN_REAL_SPECS", ROOT.parent / "shared" / "real-specs"))
REAL_SPEC_NAMES = ("exporter", "pim", "promotions")


def real_spec_paths() -> list[Path]:
    paths = [REAL_SPECS / f"{name}.yaml" for name in REAL_SPEC_NAMES]
    if not all(p.is_file() for p in paths):
        pytest.skip(f"real specs not found in {REAL_SPECS}")
    return paths


# The smallest useful spec: one operation, one model.
MINIMAL = """
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
                type: object
                properties:
                  id: {type: string}
"""


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by relative POSIX path: its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def write_spec(folder: Path, text: str, name: str = "api.yaml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.fixture
def import_fresh() -> Iterator[object]:
    """Import a package from a folder, and forget it (and the folder) afterwards."""
    added: list[str] = []
    names: list[str] = []

    def load(folder: Path, package: str) -> object:
        sys.path.insert(0, str(folder))
        added.append(str(folder))
        names.append(package)
        importlib.invalidate_caches()
        return importlib.import_module(package)

    yield load
    for name in names:
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]
    for folder in added:
        if folder in sys.path:
            sys.path.remove(folder)
