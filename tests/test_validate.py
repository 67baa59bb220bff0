"""Validation in a worker process (`generator/validate.py`) gives the verdicts, and the errors, that
validating each document in this process before parsing it gives; a failing worker changes nothing
but speed; and whatever else fails in a run, an invalid document is the error reported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from generator import openapi_check, validate
from generator.config import Config
from generator.diagnostics import Collector, InputError, InputErrors
from generator.load import load_document
from generator.pipeline import run
from generator.repair import apply_repairs
from generator.validate import check_openapi

from .hostile import support

ROOT = Path(__file__).resolve().parents[1]
# What a worker started as a script has on its path: openapi_check.py's folder, nothing of jobgen.
CHECK_FOLDER = str(Path(openapi_check.__file__).parent)
ERRORS = sorted(p for p in support.CORPUS.iterdir() if p.is_file() and p.name.startswith("error-"))


def _outcome(spec: Path, concurrent: bool, tmp_path: Path) -> str:
    config = Config(specs=(spec,), output=tmp_path / "out", package="pkg")
    try:
        run(config, concurrent_validation=concurrent)
    except InputError as exc:
        return str(exc)
    return "ok"


@pytest.mark.parametrize("spec", ERRORS, ids=lambda p: p.stem)
def test_worker_and_inline_validation_give_the_same_error(spec: Path, tmp_path: Path) -> None:
    assert _outcome(spec, True, tmp_path) == _outcome(spec, False, tmp_path)


def _doc(tmp_path: Path, name: str, data: object) -> tuple[object, str]:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    doc = load_document(path)
    version = check_openapi(doc)
    apply_repairs(doc, Collector())
    return doc, version


def _spec(paths: object) -> dict[str, object]:
    return {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": paths}


def test_verdicts_come_in_submission_order_and_name_the_first_invalid_document(
    tmp_path: Path,
) -> None:
    good, version = _doc(tmp_path, "good.json", _spec({}))
    bad, _ = _doc(tmp_path, "bad.json", _spec({"/a": {"get": {"responses": 7}}}))
    with validate.validation() as checker:
        checker.submit(good, version)
        checker.raise_first_error()  # the valid one alone: nothing to say
        assert checker._worker is not None, "the worker answered (it was not replaced by inline)"
        checker.submit(bad, version)
        checker.submit(good, version)
        with pytest.raises(InputError) as caught:
            checker.raise_first_error()
        assert checker._worker is not None
    assert "bad.json" in str(caught.value)
    assert "#/paths/~1a/get/responses" in str(caught.value)


def test_a_worker_that_dies_is_replaced_by_validating_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad, version = _doc(tmp_path, "bad.json", _spec({"/a": {"get": {"responses": 7}}}))
    checker = validate.Validation(concurrent=True)
    assert checker._worker is not None
    checker._worker.kill()  # as if it crashed (or was killed by the OOM killer)
    checker._worker.wait()
    checker.submit(bad, version)
    with pytest.raises(InputError, match="invalid OpenAPI"):
        checker.raise_first_error()
    checker.close()


def test_without_an_interpreter_to_start_validation_runs_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(openapi_check.sys, "executable", str(tmp_path / "no-such-python"))
    bad, version = _doc(tmp_path, "bad.json", _spec({"/a": {"get": {"responses": 7}}}))
    with validate.validation() as checker:
        assert checker._worker is None
        checker.submit(bad, version)
        with pytest.raises(InputError, match="invalid OpenAPI"):
            checker.raise_first_error()


def test_an_invalid_document_comes_before_a_later_failure(tmp_path: Path) -> None:
    """The first spec is invalid OpenAPI where nothing can be left out; the second cannot even be
    read. Both are reported, the first first, as validating each document before going on would
    have; and a run whose validation is still in flight reports the same."""
    invalid = tmp_path / "first.json"
    spec = _spec({})
    spec["info"] = {"title": 7, "version": "1"}
    invalid.write_text(json.dumps(spec), encoding="utf-8")
    config = Config(specs=(invalid, tmp_path / "missing.yaml"), output=tmp_path / "o", package="p")
    with pytest.raises(InputErrors) as caught:
        run(config)
    first, second = caught.value.errors
    assert "first.json" in str(first) and "invalid OpenAPI" in str(first)
    assert "missing.yaml" in str(second) and "file not found" in str(second)


def test_an_invalid_part_is_left_out_and_the_rest_validated_again(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    operation = {"operationId": "a", "responses": {"204": {"description": "OK"}}}
    path.write_text(
        json.dumps(_spec({"/a": {"get": {"responses": 7}}, "/b": {"get": operation}})),
        encoding="utf-8",
    )
    for concurrent in (True, False):
        config = Config(specs=(path,), output=tmp_path / "o", package="p")
        result = run(config, concurrent_validation=concurrent)
        (report,) = result.reports
        assert report.operations == 1
        assert [(s.location.pointer, s.code) for s in report.collector.skipped] == [
            ("/paths/~1a/get/responses", "invalid")
        ]


def test_the_worker_is_gone_when_a_run_fails(tmp_path: Path) -> None:
    started: list[validate.Validation] = []
    original = validate.Validation.__init__

    def spy(self: validate.Validation, concurrent: bool = True) -> None:
        original(self, concurrent)
        started.append(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(validate.Validation, "__init__", spy)
        config = Config(specs=(tmp_path / "missing.yaml",), output=tmp_path / "o", package="p")
        with pytest.raises(InputError):
            run(config)
    assert started and all(v._worker is None for v in started)


_FORKED_PROBE = """
import json, marshal, os, sys
sys.path.insert(0, sys.argv[1])
from generator import openapi_check as c

def ask(worker, version, data):
    frame = c.VALIDATE + marshal.dumps((version, data))
    worker.stdin.write(c.HEADER.pack(len(frame)) + frame)
    return json.loads(worker.stdout.readline())

worker = c.fork()
answers = [ask(worker, version, data) for version, data in json.loads(sys.argv[2])]
worker.stdin.close()
ended = worker.wait()
killed = c.fork()
killed.kill()
print(json.dumps({"answers": answers, "ended": ended, "killed": killed.wait(),
                  "pids": [worker.pid, killed.pid], "me": os.getpid()}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_a_forked_worker_answers_like_the_spawned_one_and_ends_with_its_input() -> None:
    """`prestart` forks the worker from the CLI process before it imports anything. The probe runs in
    a fresh interpreter, as the CLI does: the test process itself has threads and is not forked.
    Documents of both versions."""
    documents = [
        (version, {"openapi": version, "info": {"title": title, "version": "1"}, "paths": {}})
        for version in ("3.0.3", "3.1.0", "3.0.3")
        for title in (1, "t")
    ]
    done = subprocess.run(
        [sys.executable, "-c", _FORKED_PROBE, str(ROOT), json.dumps(documents)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result = json.loads(done.stdout)
    expected = [openapi_check.problems(version, data) for version, data in documents]
    assert expected[0] and not expected[1]
    assert result["answers"] == [[list(p) for p in e] for e in expected]
    assert result["ended"] == 0, "the worker ends by itself once its input is closed"
    assert result["killed"] == -9
    assert result["me"] not in result["pids"], "the probe went on in the parent only"
    assert done.stderr == "", "the worker says nothing on the run's stderr"


def _live_processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if text.encode() in command and state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_an_unused_prestarted_worker_is_stopped_when_the_command_ends(tmp_path: Path) -> None:
    """A run the result cache serves leaves its prestarted worker unused. The command stops it as it
    ends: otherwise it would go on importing pydantic, holding the command's output open."""
    spec = tmp_path / "api.json"
    spec.write_text(json.dumps(_spec({})), encoding="utf-8")
    command = [sys.executable, "-m", "generator", "generate", str(spec), "-o", "out", "-p", "pkg"]
    first = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    second = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert "(cached)" in second.stderr
    assert _live_processes_mentioning(str(spec)) == []


def test_a_process_with_a_second_thread_is_not_forked() -> None:
    """Forking a process that runs other threads can leave the child waiting on a lock for ever."""
    probe = (
        "import sys, threading; sys.path.insert(0, sys.argv[1]); "
        "from generator import openapi_check as c; "
        "stop = threading.Event(); thread = threading.Thread(target=stop.wait); thread.start(); "
        "worker = c.fork(); stop.set(); thread.join(); "
        "print(worker is None, c.fork() is not None)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(ROOT)], capture_output=True, text=True, timeout=60
    )
    expected = "True True" if sys.platform.startswith("linux") else "True False"
    assert done.stdout.split() == expected.split(), done.stderr


_PLUGIN_PROBE = """
import io, json, marshal, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import openapi_check as c

document = json.loads(sys.argv[4])
if sys.argv[3] == "worker":
    frame = c.VALIDATE + marshal.dumps(("3.1.0", document))
    sink = io.BytesIO()
    c.serve(io.BytesIO(c.HEADER.pack(len(frame)) + frame), sink)
    verdict = json.loads(sink.getvalue())
else:  # what any other process using pydantic does
    verdict = c.problems("3.1.0", document)
print(json.dumps({"verdict": verdict, "plugin": "fake_pydantic_plugin" in sys.modules}))
"""


@pytest.mark.parametrize("where", ["worker", "elsewhere"])
def test_the_worker_runs_pydantic_without_plugins(where: str, tmp_path: Path) -> None:
    """An installed pydantic plugin (an entry point of the `pydantic` group) is loaded by pydantic
    in any process, but not in the worker: it would observe jobgen's own check of the document."""
    site = tmp_path / "site"
    info = site / "fake_pydantic_plugin-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: fake-pydantic-plugin\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text("[pydantic]\nfake = fake_pydantic_plugin:plugin\n")
    (site / "fake_pydantic_plugin.py").write_text(
        "class Plugin:\n"
        "    def new_schema_validator(self, *args, **kwargs):\n"
        "        return None, None, None\n\n"
        "plugin = Plugin()\n"
    )
    document = {"openapi": "3.1.0", "info": {"title": 1, "version": "1"}, "paths": {}}
    arguments = [str(site), CHECK_FOLDER, where, json.dumps(document)]
    done = subprocess.run(
        [sys.executable, "-I", "-c", _PLUGIN_PROBE, *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result = json.loads(done.stdout)
    expected = openapi_check.problems("3.1.0", document)
    assert expected
    assert result["verdict"] == json.loads(json.dumps(expected))
    # the fake plugin is found where plugins are on: the check above can fail
    assert result["plugin"] == (where == "elsewhere")
