"""The JSON fast path of `load.py` gives what the YAML builder gives: the same data, and (worked out
lazily) the same line for every JSON pointer; and it leaves everything else to the builder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import load
from generator.diagnostics import InputError

from .conftest import REAL_SPEC_NAMES, REAL_SPECS, ROOT

# The project's specs, and the published ones when they are beside the project.
SPECS = sorted((ROOT / "specs").glob("*.yaml")) + [
    path for name in REAL_SPEC_NAMES if (path := REAL_SPECS / f"{name}.yaml").is_file()
]


def _as_json(spec: Path, tmp_path: Path, indent: int | None = 2) -> Path:
    data = load.load_document(spec).data
    target = tmp_path / (spec.stem + ".json")
    target.write_text(json.dumps(data, indent=indent, ensure_ascii=False), encoding="utf-8")
    return target


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.name)
@pytest.mark.parametrize("indent", [2, None], ids=["indented", "one-line"])
def test_fast_path_gives_the_builders_data_and_lines(
    spec: Path, indent: int | None, tmp_path: Path
) -> None:
    path = _as_json(spec, tmp_path, indent)
    text = path.read_text(encoding="utf-8")
    fast = load.load_document(path)
    slow = load._load_yaml(path, str(path), text)
    assert fast._lines is None, "a plain JSON document takes the fast path"
    assert fast.data == slow.data
    for pointer, line in slow.lines.items():
        assert fast.line_of(pointer) == line, pointer
    assert fast._lines == slow.lines


def test_a_repair_that_moves_a_subtree_keeps_its_lines(tmp_path: Path) -> None:
    """`copy_lines` before the line map exists is replayed on it."""
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {},
        "components": {"schemas": {"Moved": {"description": "d", "content": {}}}},
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec, indent=2), encoding="utf-8")
    doc = load.load_document(path)
    assert doc._lines is None
    doc.copy_lines("/components/schemas/Moved", "/components/responses/Moved")
    assert doc.line_of("/components/responses/Moved/content") == doc.line_of(
        "/components/schemas/Moved/content"
    )
    assert doc.line_of("/components/responses/Moved/content") == 12  # json.dumps(indent=2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1, "a": 2}', "duplicate key 'a'"),
        ('{"openapi": "3.1.0", "x": NaN}', None),  # not JSON: YAML reads it as text
        ('{"a": "\\ud800"}', None),  # a lone surrogate escape: the builder decides
    ],
)
def test_what_is_not_plain_json_goes_to_the_builder(
    text: str, expected: str | None, tmp_path: Path
) -> None:
    path = tmp_path / "spec.json"
    path.write_text(text, encoding="utf-8")
    builder: str
    try:
        builder = repr(load._load_yaml(path, str(path), text).data)
    except InputError as exc:
        builder = str(exc)
    try:
        result = repr(load.load_document(path).data)
    except InputError as exc:
        result = str(exc)
    assert result == builder
    if expected:
        assert expected in result


def test_past_the_limits_the_builder_refuses_with_its_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load, "MAX_DEPTH", 5)
    path = tmp_path / "deep.json"
    path.write_text('{"a": {"b": {"c": {"d": {"e": {"f": {"g": 1}}}}}}}', encoding="utf-8")
    with pytest.raises(InputError, match="nested deeper than 5 levels") as caught:
        load.load_document(path)
    assert "#/a/b/c/d/e" in str(caught.value)
    monkeypatch.setattr(load, "MAX_DEPTH", 600)
    monkeypatch.setattr(load, "MAX_NODES", 10)
    path.write_text(json.dumps({"k": list(range(20))}), encoding="utf-8")
    with pytest.raises(InputError, match="more than 10 nodes"):
        load.load_document(path)
