"""The CLI contract: exit codes, one-line errors with locations, reports, strictness, ownership."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli

from .conftest import MINIMAL, ROOT, SPECS, tree, write_spec


def invoke(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    if cwd is not None:
        old = os.getcwd()
        os.chdir(cwd)
    try:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
    finally:
        if cwd is not None:
            os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def _normalise(text: str, tmp_path: Path) -> str:
    return text.replace(str(tmp_path), "<tmp>")


BAD_INPUTS = {
    "missing-file": None,
    "invalid-yaml": "openapi: 3.1.0\npaths: {\n  bad",
    "invalid-json": '{"openapi": "3.1.0", "paths": {}',
    "not-openapi": "title: just a mapping\n",
    "top-level-list": "- a\n- b\n",
    "swagger-2": "swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n",
    "unknown-version": "openapi: 4.0.0\ninfo: {title: x, version: '1'}\npaths: {}\n",
    "invalid-openapi": "openapi: 3.1.0\ninfo: {title: [x], version: '1'}\npaths: {}\n",
}
UNRESOLVABLE_REF = MINIMAL.replace(
    "type: object\n                properties:\n                  id: {type: string}",
    "$ref: '#/components/schemas/Nope'",
)


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_exit_2_and_output_untouched(
    case: str, tmp_path: Path, snapshot
) -> None:  # type: ignore[no-untyped-def]
    text = BAD_INPUTS[case]
    suffix = ".json" if "json" in case else ".yaml"
    spec = tmp_path / f"{case}{suffix}"
    if text is not None:
        spec.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep me", encoding="utf-8")
    before = tree(out)
    code, _, stderr = invoke("generate", str(spec), "--output", str(out), "--package", "pkg")
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("jobgen: error: "), stderr
    assert "Traceback" not in stderr
    assert tree(out) == before
    assert _normalise(lines[0], tmp_path) == snapshot


def test_errors_carry_line_and_pointer(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, UNRESOLVABLE_REF)
    _, _, stderr = invoke("validate", str(spec))
    assert (
        f"{spec}:15 #/paths/~1things~1{{thingID}}/get/responses/200/content/application~1json/schema/$ref"
        in stderr
    )


def test_a_fault_no_repair_fixes_leaves_out_its_item_and_strict_refuses_it(
    tmp_path: Path,
) -> None:
    spec = write_spec(tmp_path, UNRESOLVABLE_REF)
    report = tmp_path / "report.json"
    code, _, stderr = invoke(
        "generate", str(spec), "-o", str(tmp_path / "out"), "-p", "pkg", "--report", str(report)
    )
    assert code == 0, stderr
    (skipped,) = json.loads(report.read_text())["specs"][0]["skipped"]
    assert skipped["reason"] == (
        f"unresolvable $ref '#/components/schemas/Nope': {spec} has nothing at "
        "/components/schemas/Nope; the 200 response of GET /things/{thingID} is left out"
    )
    # The operation is still generated, without its response's type.
    assert "def get_thing(" in (tmp_path / "out" / "pkg" / "api" / "resources.py").read_text()
    code, _, stderr = invoke(
        "generate", str(spec), "-o", str(tmp_path / "strict"), "-p", "pkg", "--strict"
    )
    assert code == 2 and stderr.startswith("jobgen: error: ") and len(stderr.splitlines()) == 1
    assert not (tmp_path / "strict").exists()


def test_every_error_of_every_spec_is_reported_in_one_run(tmp_path: Path) -> None:
    """Two faults no item holds in one document, one in another, a third spec that cannot be
    read, and a valid one: each error on its own line, in the order of the specs."""
    first = tmp_path / "first.yaml"
    first.write_text(
        "openapi: 3.1.0\ninfo: {title: [x], version: 1}\npaths: {}\ncomponents: []\n",
        encoding="utf-8",
    )
    second = tmp_path / "second.yaml"
    second.write_text("openapi: 3.1.0\ninfo: {version: '1'}\npaths: {}\n", encoding="utf-8")
    good = write_spec(tmp_path, MINIMAL)
    code, _, stderr = invoke(
        "validate", str(first), str(tmp_path / "missing.yaml"), str(good), str(second)
    )
    assert code == 2
    assert [_normalise(line, tmp_path) for line in stderr.splitlines()] == [
        "jobgen: error: <tmp>/first.yaml:2 #/info/title: invalid OpenAPI: input should be a "
        "valid string",
        "jobgen: error: <tmp>/first.yaml:2 #/info/version: invalid OpenAPI: input should be a "
        "valid string",
        "jobgen: error: <tmp>/first.yaml:4 #/components: invalid OpenAPI: input should be a "
        "valid dictionary or instance of Components",
        "jobgen: error: <tmp>/missing.yaml: file not found",
        "jobgen: error: <tmp>/second.yaml:2 #/info/title: invalid OpenAPI: field required",
    ]


def test_unknown_config_key(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.jobgen]\nspecs = ["a.yaml"]\noutput = "out"\npackage = "p"\nsurprise = 1\n',
        encoding="utf-8",
    )
    code, _, stderr = invoke("generate", cwd=tmp_path)
    assert code == 2
    assert "pyproject.toml:5 #/tool/jobgen/surprise: unknown key 'surprise'" in stderr


def test_report_lists_every_spec(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    out = tmp_path / "out"
    specs = [str(SPECS / f"{n}.yaml") for n in ("exporter", "pcm", "promotions")]
    code, _, stderr = invoke(
        "generate", *specs, "--output", str(out), "--package", "ep", "--report", str(report)
    )
    assert code == 0, stderr
    data = json.loads(report.read_text())
    assert [Path(s["path"]).name for s in data["specs"]] == [
        "exporter.yaml",
        "pcm.yaml",
        "promotions.yaml",
    ]
    for entry in data["specs"]:
        assert set(entry) == {
            "path",
            "operations_generated",
            "models_generated",
            "skipped",
            "warnings",
        }
        assert entry["operations_generated"] == 4
        assert entry["skipped"] == []


def test_warnings_are_reported_and_strict_fails(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, MINIMAL.replace("      operationId: getThing\n", ""))
    out = tmp_path / "out"
    code, _, stderr = invoke("generate", str(spec), "-o", str(out), "-p", "pkg")
    assert code == 0
    assert (
        "missing-operation-id" in stderr and f"{spec}:5 #/paths/~1things~1{{thingID}}/get" in stderr
    )
    code, _, stderr = invoke(
        "generate", str(spec), "-o", str(tmp_path / "strict"), "-p", "pkg", "--strict"
    )
    assert code == 2 and "--strict" in stderr
    assert not (tmp_path / "strict").exists()


def test_check_reports_stale_output_with_a_diff(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, MINIMAL)
    out = tmp_path / "out"
    assert invoke("generate", str(spec), "-o", str(out), "-p", "pkg")[0] == 0
    assert invoke("check", str(spec), "-o", str(out), "-p", "pkg")[0] == 0
    models = out / "pkg" / "api" / "models.py"
    models.write_text(models.read_text() + "# edited\n")
    code, stdout, stderr = invoke("check", str(spec), "-o", str(out), "-p", "pkg")
    assert code == 1
    assert "--- a/pkg/api/models.py" in stdout and "-# edited" in stdout
    assert "stale" in stderr


def test_files_not_owned_survive_and_removed_ones_go(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, MINIMAL)
    out = tmp_path / "out"
    assert invoke("generate", str(spec), "-o", str(out), "-p", "pkg")[0] == 0
    (out / "notes.md").write_text("mine")
    (out / "pkg" / "extra").mkdir()
    (out / "pkg" / "extra" / "custom.py").write_text("x = 1\n")
    renamed = write_spec(tmp_path, MINIMAL, name="other.yaml")
    assert invoke("generate", str(renamed), "-o", str(out), "-p", "pkg")[0] == 0
    assert (out / "notes.md").read_text() == "mine"
    assert (out / "pkg" / "extra" / "custom.py").read_text() == "x = 1\n"
    assert not (out / "pkg" / "api").exists() or not any((out / "pkg" / "api").iterdir())
    assert (out / "pkg" / "other" / "models.py").is_file()


def test_refuses_to_overwrite_a_file_it_does_not_own(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, MINIMAL)
    out = tmp_path / "out"
    (out / "pkg").mkdir(parents=True)
    (out / "pkg" / "_client.py").write_text("# hand written\n")
    code, _, stderr = invoke("generate", str(spec), "-o", str(out), "-p", "pkg")
    assert code == 2 and "did not write" in stderr
    assert (out / "pkg" / "_client.py").read_text() == "# hand written\n"


def test_python_dash_m_generator_works_and_prints_no_traceback(tmp_path: Path) -> None:
    spec = tmp_path / "broken.yaml"
    spec.write_text("openapi: [", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "validate", str(spec)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"jobgen: error: {spec}:2: invalid YAML")


def test_summary_line_on_success(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, MINIMAL)
    _, _, stderr = invoke("generate", str(spec), "-o", str(tmp_path / "out"), "-p", "pkg")
    assert "1 spec, 1 operations, 1 models, 0 warnings, 0 skipped" in stderr
    _, _, stderr = invoke("generate", str(spec), "-o", str(tmp_path / "out"), "-p", "pkg")
    assert "up to date" in stderr
    _, _, stderr = invoke(
        "generate", str(spec), "-o", str(tmp_path / "out"), "-p", "pkg", "--quiet"
    )
    assert stderr == ""


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, MINIMAL)
    assert invoke("generate", str(spec))[0] == 2
    assert invoke("generate", str(spec), "-o", "x", "-p", "Not-A-Name")[0] == 2


def _module(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_the_command_ends_with_clicks_exit_codes_and_everything_it_printed(tmp_path: Path) -> None:
    """The command ends through `generator/__main__.py`, which flushes the standard streams itself:
    exit codes, and output still buffered at that point, come out as click gives them."""
    spec = write_spec(tmp_path, MINIMAL)
    version = _module("--version", cwd=tmp_path)
    assert version.returncode == 0 and "jobgen" in version.stdout
    assert _module("generate", str(spec), cwd=tmp_path).returncode == 2  # usage: no -o/-p
    assert _module("generate", str(spec), "-o", "out", "-p", "pkg", cwd=tmp_path).returncode == 0
    (tmp_path / "out" / "pkg" / "__init__.py").write_text("# edited\n" * 5000)
    stale = _module("check", str(spec), "-o", "out", "-p", "pkg", cwd=tmp_path)
    assert stale.returncode == 1
    assert stale.stdout.count("\n-# edited") == 5000, "the whole diff, buffered or not"
    assert "is stale" in stale.stderr


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, MINIMAL)
    assert _module("generate", str(spec), "-o", "out", "-p", "pkg", cwd=tmp_path).returncode == 0
    (tmp_path / "out" / "pkg" / "__init__.py").write_text("# edited\n" * 50000)
    command = [sys.executable, "-m", "generator", "check", str(spec), "-o", "out", "-p", "pkg"]
    with subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.read(100)
        process.stdout.close()  # as `jobgen check | head` does
        errors = process.stderr.read().decode()
        code = process.wait(timeout=120)
    assert code != 0
    assert "Traceback" not in errors


@pytest.mark.parametrize("closed", [">&-", "2>&-", "<&-"])
def test_a_command_started_without_a_standard_stream_ends_cleanly(
    tmp_path: Path, closed: str
) -> None:
    """A build step may run jobgen with a stream closed; the command and its forked worker manage."""
    spec = write_spec(tmp_path, MINIMAL)
    assert _module("generate", str(spec), "-o", "out", "-p", "pkg", cwd=tmp_path).returncode == 0
    for command in ("check", "generate"):
        script = f'"$0" -m generator {command} "$1" -o out -p pkg --no-cache {closed}'
        done = subprocess.run(
            ["sh", "-c", script, sys.executable, str(spec)],
            cwd=tmp_path,
            capture_output=closed != "2>&-",
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in (done.stderr or "")


def test_verbose_shows_each_stages_time_and_the_files_written(tmp_path: Path) -> None:
    from generator.timing import STAGES

    spec = write_spec(tmp_path, MINIMAL)
    out = tmp_path / "out"
    args = ("generate", str(spec), "-o", str(out), "-p", "pkg", "--no-cache", "--verbose")
    code, _, stderr = invoke(*args)
    assert code == 0, stderr
    [timings] = [line for line in stderr.splitlines() if line.startswith("jobgen: timings: ")]
    stages = [part.split()[0] for part in timings.removeprefix("jobgen: timings: ").split(", ")]
    assert stages == list(STAGES)
    assert all(re.fullmatch(r"\d+\.\d{3}s", part.split()[1]) for part in timings[17:].split(", "))
    written = {
        line.removeprefix("jobgen: wrote ") for line in stderr.splitlines() if " wrote " in line
    }
    assert {str(out / "pkg" / "_client.py"), str(out / "api-surface.json")} <= written
    # A run with nothing to write says so, and a cached one times the cache.
    code, _, stderr = invoke(*args[:-2], "--verbose")
    assert code == 0 and " wrote " not in stderr.replace("jobgen: wrote 0", "")
    code, _, stderr = invoke(*args[:-2], "--verbose")
    assert "jobgen: timings: cache " in stderr and "output " in stderr


def test_a_folder_that_cannot_be_locked_is_locked_through_a_file_in_the_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a file system without locks on folders (NFS) the lock is a file, in jobgen's cache
    folder: nothing of jobgen's lands beside the output folder but that folder."""
    import fcntl
    import stat

    real_flock = fcntl.flock
    out = tmp_path / "out"

    def flock(descriptor: int, operation: int) -> None:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode) and out.exists() and os.path.samestat(info, os.stat(out)):
            raise OSError(37, "No locks available")
        real_flock(descriptor, operation)

    monkeypatch.setattr(fcntl, "flock", flock)
    spec = write_spec(tmp_path, MINIMAL)
    code, _, stderr = invoke("generate", str(spec), "-o", str(out), "-p", "pkg", "--no-cache")
    assert code == 0, stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".jobgen-cache", "api.yaml", "out"]
    locks = [p.name for p in (tmp_path / ".jobgen-cache").iterdir() if p.suffix == ".lock"]
    assert len(locks) == 1 and locks[0].startswith("out-")
