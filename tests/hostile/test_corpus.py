"""A corpus of bad specs: every one is refused (or warned about) in one line, and nothing is written.

Files under corpus/ are named for what they expect:
- `error-*`: exit 2 and exactly one stderr line `jobgen: error: FILE[:LINE] [#POINTER]: message`, the
  same from `generate`, `check` and `validate`; no traceback; the output folder (a previous generation
  plus the user's files) byte-identical afterwards, and nothing staged left in it;
- `warning-*`: a documented warning: exit 0, every stderr line a located warning or the summary;
- `recover-*`: a fault that a repair fixes, or that leaves out the smallest item holding it (a
  property, a parameter, a response, an operation, a component, a server): exit 0, every fault a
  located warning or `skipped` entry, all of them in one run, and the rest generated (each holds an
  operation `stillGenerated`); `--strict` refuses it in one line;
- `ok-*`: names that collide, resolved by the documented naming rule without a word.
The big and explosive cases (an alias bomb, a 50 MB spec, a file over the size limit, ...) are made
in tmp_path at test time. The messages are kept in a syrupy snapshot (__snapshots__/test_corpus.ambr).
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import load, output

from . import support

CORPUS_FILES = sorted(p for p in support.CORPUS.iterdir() if p.is_file())
ERRORS = [p for p in CORPUS_FILES if p.name.startswith("error-")]
WARNINGS = [p for p in CORPUS_FILES if p.name.startswith("warning-")]
OKS = [p for p in CORPUS_FILES if p.name.startswith("ok-")]
RECOVERS = [p for p in CORPUS_FILES if p.name.startswith("recover-")]


def _normalise(text: str, *roots: Path) -> str:
    for root, label in zip(roots, ("<corpus>", "<tmp>"), strict=False):
        text = text.replace(str(root), label)
    return text


def _assert_refused(spec: Path, folder: Path, *extra: str) -> str:
    """Run generate, check and validate on `spec`; all refuse it with the same single line."""
    before = support.tree(folder)
    lines = []
    for command in ("generate", "check", "validate"):
        args = (
            [command, spec]
            if command == "validate"
            else [command, spec, "-o", folder, "-p", "prev_pkg", "--no-cache"]
        )
        result = support.invoke(*args, *extra)
        assert result.exception is None, f"{command}: {result.exception!r}"
        assert result.exit_code == 2, f"{command} exited {result.exit_code}: {result.stderr}"
        assert len(result.stderr_lines) == 1, f"{command}: {result.stderr!r}"
        line = result.stderr_lines[0]
        match = support.ERROR_LINE.match(line)
        assert match, f"{command}: not a located one-line error: {line!r}"
        assert match["file"].startswith(str(spec)) or str(spec) in line, line
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
        assert result.stdout == "", f"{command} printed to stdout: {result.stdout!r}"
        lines.append(line)
    assert len(set(lines)) == 1, lines
    assert support.tree(folder) == before, "the output folder changed"
    assert not (folder / output.JOURNAL_DIR).exists(), "what was staged is left"
    assert not [p for p in folder.parent.iterdir() if p != folder and "jobgen-" in p.name]
    return lines[0]


@pytest.mark.parametrize("spec", ERRORS, ids=lambda p: p.stem)
def test_bad_spec_is_refused_in_one_line(
    spec: Path, protected_output: Path, snapshot: object
) -> None:
    line = _assert_refused(spec, protected_output)
    assert _normalise(line, support.CORPUS) == snapshot


@pytest.mark.parametrize("spec", WARNINGS, ids=lambda p: p.stem)
def test_documented_warning(spec: Path, protected_output: Path, snapshot: object) -> None:
    result = support.invoke(
        "generate", spec, "-o", protected_output, "-p", "prev_pkg", "--no-cache"
    )
    assert result.exception is None, repr(result.exception)
    assert result.exit_code == 0, result.stderr
    *warnings, summary = result.stderr_lines
    assert warnings, "no warning"
    for line in warnings:
        match = support.WARNING_LINE.match(line)
        assert match, f"not a located warning: {line!r}"
        assert match["file"] == str(spec) and match["line"], line
    assert summary.startswith("jobgen: wrote ") and f"{len(warnings)} warnings" in summary
    assert (protected_output / "SENTINEL.txt").read_text() == "the user's file\n"
    assert (protected_output / "prev_pkg" / "user_notes.md").is_file()
    # The generated code is valid whatever the spec said.
    for path in (protected_output / "prev_pkg").rglob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    assert [_normalise(line, support.CORPUS) for line in warnings] == snapshot


@pytest.mark.parametrize("spec", RECOVERS, ids=lambda p: p.stem)
def test_a_recoverable_fault_leaves_out_only_what_it_must(
    spec: Path, tmp_path: Path, snapshot: object
) -> None:
    out, report = tmp_path / "out", tmp_path / "report.json"
    result = support.invoke(
        "generate", spec, "-o", out, "-p", "pkg", "--no-cache", "--report", report
    )
    assert result.exception is None, repr(result.exception)
    assert result.exit_code == 0, result.stderr
    *problems, summary = result.stderr_lines
    assert problems and summary.startswith("jobgen: wrote "), result.stderr
    for line in problems:
        match = support.WARNING_LINE.match(line)
        assert match and match["file"] == str(spec) and match["line"], line
    resources = "".join(p.read_text() for p in (out / "pkg").rglob("resources.py"))
    assert "def still_generated(" in resources, "the rest of the document is generated"
    (found,) = json.loads(report.read_text())["specs"]
    assert snapshot == {
        "operations": found["operations_generated"],
        "models": found["models_generated"],
        "warnings": [f"{w['code']} #{w['pointer']}: {w['message']}" for w in found["warnings"]],
        "skipped": [
            _normalise(f"{s['code']} #{s['pointer']}: {s['reason']}", support.CORPUS)
            for s in found["skipped"]
        ],
    }
    strict = support.invoke(
        "generate", spec, "-o", tmp_path / "strict", "-p", "pkg", "--no-cache", "--strict"
    )
    assert strict.exit_code == 2 and len(strict.stderr_lines) == 1, strict.stderr
    assert support.ERROR_LINE.match(strict.stderr_lines[0]) and "--strict: " in strict.stderr
    assert not (tmp_path / "strict").exists()


@pytest.mark.parametrize("spec", OKS, ids=lambda p: p.stem)
def test_colliding_names_follow_the_naming_rule(
    spec: Path, tmp_path: Path, snapshot: object
) -> None:
    result = support.invoke("generate", spec, "-o", tmp_path / "out", "-p", "pkg", "--no-cache")
    assert result.exit_code == 0, result.stderr
    assert len(result.stderr_lines) == 1, result.stderr  # the summary only
    models = (tmp_path / "out" / "pkg" / spec.stem.replace("-", "_") / "models.py").read_text()
    tree = ast.parse(models)
    names = {
        node.name: [
            ast.unparse(item).split(" = ")[0] + (" alias=" + _alias(item) if _alias(item) else "")
            for item in node.body
            if isinstance(item, ast.AnnAssign)
        ]
        for node in tree.body
        if isinstance(node, ast.ClassDef)
    }
    assert names == snapshot


def _alias(item: ast.AnnAssign) -> str:
    value = item.value
    if isinstance(value, ast.Call):
        for keyword in value.keywords:
            if keyword.arg == "alias" and isinstance(keyword.value, ast.Constant):
                return repr(keyword.value.value)
    return ""


# ------------------------------------------------------------------------------- made at test time
def _alias_bomb(folder: Path) -> Path:
    """Nine levels of nine aliases each: a 1 KB file that expands to 9**9 (387 million) strings."""
    lines = ["openapi: 3.1.0", "info: {title: Bomb, version: '1'}", "paths: {}", "x-bomb:"]
    lines.append("  a: &a [" + ", ".join(['"lol"'] * 9) + "]")
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"  {name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = name
    path = folder / "alias-bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _fifty_megabytes(folder: Path) -> Path:
    """A realistic spec of 50 MB: 58,000 operations over 58,000 schemas, written out as text (fast)."""
    operation = (
        '"/v2/things-{i}/{{thing_id}}": {{"get": {{"operationId": "getThing{i}", "tags": ["Things {t}"], '
        '"summary": "Get a thing", "description": "Returns thing number {i}, with its details and links.", '
        '"parameters": [{{"name": "thing_id", "in": "path", "required": true, "schema": {{"type": "string"}}}}, '
        '{{"name": "filter", "in": "query", "schema": {{"type": "string"}}}}], '
        '"responses": {{"200": {{"description": "OK", "content": {{"application/json": {{"schema": '
        '{{"$ref": "#/components/schemas/Thing{i}"}}}}}}}}, "404": {{"description": "Not found"}}}}}}}}'
    )
    schema = (
        '"Thing{i}": {{"type": "object", "description": "Thing {i}.", "required": ["id"], "properties": '
        '{{"id": {{"type": "string"}}, "status": {{"type": "string", "enum": ["pending", "done"]}}, '
        '"created_at": {{"type": "string", "format": "date-time"}}, "count": {{"type": "integer"}}, '
        '"tags": {{"type": "array", "items": {{"type": "string"}}}}}}}}'
    )
    count = 58_000
    text = (
        '{"openapi": "3.1.0", "info": {"title": "Fifty", "version": "1"}, "paths": {'
        + ", ".join(operation.format(i=i, t=i // 20) for i in range(count))
        + '}, "components": {"schemas": {'
        + ", ".join(schema.format(i=i) for i in range(count))
        + "}}}"
    )
    path = folder / "fifty-megabytes.json"
    path.write_text(text)
    assert path.stat().st_size >= 50_000_000, path.stat().st_size
    return path


def _over_the_size_limit(folder: Path) -> Path:
    path = folder / "over-the-limit.yaml"
    with open(path, "wb") as handle:  # sparse: costs no disk
        handle.write(b"openapi: 3.1.0\n")
        handle.truncate(load.MAX_FILE_BYTES + 1)
    return path


def _million_nodes(folder: Path) -> Path:
    """4.4 MB of JSON holding 2.2 million array items."""
    path = folder / "million-nodes.json"
    items = ",".join(["0"] * (load.MAX_NODES + 200_000))
    path.write_text(
        '{"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": {}, "x-many": ['
        + items
        + "]}"
    )
    return path


def _nested_too_deeply(folder: Path) -> Path:
    path = folder / "nested-too-deeply.json"
    path.write_text(
        '{"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": {}, "x-deep": '
        + "[" * 5000
        + "]" * 5000
        + "}"
    )
    return path


def _long_pointers(folder: Path) -> Path:
    """Long keys nested a few levels deep over a wide list: every item's JSON pointer is 40 KB long.

    Kept one pointer per node, this 150 KB file would need 1.6 GB of memory (and much more, slightly
    bigger)."""
    node: object = [0] * 40_000
    for level in range(40):
        node = {f"x-{level}-" + "k" * 1000: node}
    spec = {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": {}, "x-deep": node}
    path = folder / "long-pointers.json"
    path.write_text(json.dumps(spec, separators=(",", ":")))
    return path


def _ref_chain(folder: Path) -> Path:
    """A legal spec whose schemas form one 3,000-long chain of $refs: deep recursion, but valid."""
    schemas = {
        f"S{i}": {
            "type": "object",
            "properties": {"next": {"$ref": f"#/components/schemas/S{i + 1}"}},
        }
        for i in range(3000)
    }
    schemas["S3000"] = {"type": "object", "properties": {"end": {"type": "string"}}}
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/a": {
                "get": {
                    "operationId": "a",
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/S0"}}
                            },
                        }
                    },
                }
            }
        },
        "components": {"schemas": schemas},
    }
    path = folder / "ref-chain.json"
    path.write_text(json.dumps(spec))
    return path


MADE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "alias-bomb": (_alias_bomb, r"document expands to more than \d+ nodes \(YAML alias bomb\?\)"),
    "fifty-megabytes": (_fifty_megabytes, r"document has more than \d+ nodes"),
    "over-the-size-limit": (_over_the_size_limit, r"file is \d+ bytes; the limit is \d+"),
    "million-nodes": (_million_nodes, r"document has more than \d+ nodes"),
    "nested-too-deeply": (_nested_too_deeply, r"document nested deeper than \d+ levels"),
    "long-pointers": (_long_pointers, r"JSON pointer longer than \d+ characters"),
}


@pytest.mark.parametrize("case", sorted(MADE))
def test_explosive_spec_is_refused_quickly_and_cheaply(
    case: str, tmp_path: Path, protected_output: Path, snapshot: object
) -> None:
    make, expected = MADE[case]
    spec = make(tmp_path)
    # One in-process command (these are slow to even read): generate.
    before = support.tree(protected_output)
    import resource

    result = support.invoke(
        "generate", spec, "-o", protected_output, "-p", "prev_pkg", "--no-cache"
    )
    assert result.exit_code == 2, result.stderr[-2000:]
    assert len(result.stderr_lines) == 1, result.stderr[-2000:]
    line = result.stderr_lines[0]
    assert support.ERROR_LINE.match(line), line[:500]
    assert re.search(expected, line), line[:500]
    assert support.tree(protected_output) == before
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak_mb < 1536, f"peak memory {peak_mb:.0f} MB"
    assert _normalise(line, support.CORPUS, tmp_path)[:300] == snapshot


def test_a_long_ref_chain_is_not_a_recursion_error(tmp_path: Path) -> None:
    spec = _ref_chain(tmp_path)
    result = support.invoke("validate", spec)
    assert result.exit_code == 0, result.stderr[-1000:]
    assert "3001 models" in result.stderr


# ------------------------------------------------------------------- the same, in a real process
SUBPROCESS_CASES = [
    "error-binary-file.yaml",
    "error-invalid-utf8.yaml",
    "error-invalid-yaml.yaml",
    "error-components-is-a-list.yaml",
    "error-duplicate-key.yaml",
    "error-python-tag-is-only-data.yaml",
]


def test_no_traceback_reaches_stderr_of_a_real_process(
    tmp_path: Path, protected_output: Path
) -> None:
    bomb = _alias_bomb(tmp_path)
    specs = [support.CORPUS / name for name in SUBPROCESS_CASES] + [
        bomb,
        _nested_too_deeply(tmp_path),
    ]
    before = support.tree(protected_output)
    processes = [
        (
            spec,
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "generator",
                    "generate",
                    str(spec),
                    "-o",
                    str(protected_output),
                    "-p",
                    "prev_pkg",
                    "--no-cache",
                ],
                cwd=support.ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, "PYTHONDEVMODE": "1"},
            ),
        )
        for spec in specs
    ]
    for spec, process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 2, (spec.name, err)
        assert "Traceback" not in err and "Warning" not in err, (spec.name, err)
        assert len(err.splitlines()) == 1 and support.ERROR_LINE.match(err.splitlines()[0]), (
            spec.name,
            err,
        )
        assert out == ""
    assert support.tree(protected_output) == before
    assert not Path("/tmp/jobgen-pwned").exists()
