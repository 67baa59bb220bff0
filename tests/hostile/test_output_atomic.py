"""The output stage (generator/output.py) under crashes, concurrency, permissions and odd folders.

A crash is injected at every step of a write, one step per run: each call to a file-system function the
writer uses (open, write, fsync, replace, link, unlink, mkdir, rmdir, ...) is counted, and the N-th
raises, or kills the process outright (in a forked child, with `os._exit`: no `finally` runs), for
N = 1, 2, ... until a run completes. Kills land before the commit (the journal's rename), after it
while files are being moved into place, and after the update. What the user sees after a kill is
the output folder as it was, as it is after a complete write, or (only once the journal is committed)
between the two with the journal there; the next run, before doing anything else, must leave it
exactly as before (no journal: roll back) or exactly as after (journal: roll forward), with nothing
of jobgen's left, and a kill during that recovery must change nothing of this. Files jobgen does not
own are the same in every one of these states.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import output, pipeline
from generator.config import Config
from generator.diagnostics import InputError, Location

from . import support
from .conftest import GOOD_SPEC, other_spec

BEFORE_FILES = {
    "pyproject.toml": "[project]\nname = 'a'\n",
    "README.md": "# same in both\n",
    "pkg/__init__.py": "A = 1\n",
    "pkg/api/__init__.py": "",
    "pkg/api/models.py": "class A: ...\n",
    "pkg/only_before.py": "gone = True\n",
    "pkg/old_api/__init__.py": "",
    "pkg/old_api/models.py": "class Old: ...\n",
}
AFTER_FILES = {
    "pyproject.toml": "[project]\nname = 'b'\n",
    "README.md": "# same in both\n",
    "pkg/__init__.py": "B = 2\n",
    "pkg/api/__init__.py": "",
    "pkg/api/models.py": "class B: ...\n",
    "pkg/new/__init__.py": "new = True\n",
    "pkg/new/deeper/models.py": "class New: ...\n",
}
JOURNAL = output.JOURNAL_DIR


def _user_files(folder: Path) -> None:
    """What a user keeps in the output folder: files jobgen must leave untouched."""
    (folder / "SENTINEL.txt").write_text("keep me\n")
    (folder / "pkg" / "user_notes.txt").write_text("nested, in a generated folder\n")
    (folder / "docs").mkdir()
    (folder / "docs" / "guide.md").write_text("deeper user file\n")
    (folder / "link-to-readme").symlink_to("README.md")


def _view(folder: Path) -> dict[str, tuple[str, bytes]]:
    """The folder as the user sees it: everything but jobgen's journal folder."""
    return {
        p: v for p, v in support.tree(folder).items() if p != JOURNAL and not p.startswith(JOURNAL)
    }


def _users(tree: dict[str, tuple[str, bytes]]) -> dict[str, tuple[str, bytes]]:
    return {
        p: v
        for p, v in tree.items()
        if p in ("SENTINEL.txt", "pkg/user_notes.txt", "docs", "docs/guide.md", "link-to-readme")
    }


def _states(
    tmp_path: Path,
) -> tuple[Path, dict[str, tuple[str, bytes]], dict[str, tuple[str, bytes]]]:
    """A pristine "before" folder, and the trees before and after writing AFTER_FILES into it."""
    pristine = tmp_path / "pristine" / "out"
    output.write_output(BEFORE_FILES, pristine)
    _user_files(pristine)
    # What importing the package leaves: the bytecode of a module that the update removes.
    (pristine / "pkg" / "old_api" / "__pycache__").mkdir()
    (pristine / "pkg" / "old_api" / "__pycache__" / "models.cpython-311.pyc").write_bytes(b"\0")
    before = support.tree(pristine)
    scratch = tmp_path / "scratch" / "out"
    shutil.copytree(pristine, scratch, symlinks=True)
    output.write_output(AFTER_FILES, scratch)
    after = support.tree(scratch)
    assert before != after and _users(before) == _users(after)
    assert "pkg/only_before.py" not in after and "pkg/new/deeper/models.py" in after
    assert "pkg/old_api" not in after, "a folder emptied of owned files goes"
    return pristine, before, after


def _fresh(pristine: Path, tmp_path: Path, n: int, mode: str) -> Path:
    target = tmp_path / f"{mode}-{n}" / "out"
    shutil.copytree(pristine, target, symlinks=True)
    return target


def _leftovers(folder: Path) -> list[str]:
    """Anything of jobgen's beside the output folder or in it, other than the manifest."""
    beside = [p.name for p in folder.parent.iterdir() if p != folder and "jobgen" in p.name]
    inside = [p.name for p in folder.iterdir() if "jobgen" in p.name and p.name != output.MANIFEST]
    return sorted(beside + inside)


def _recovered(folder: Path) -> dict[str, tuple[str, bytes]]:
    """The folder after the recovery that starts every run (a run that stages and never commits)."""
    with output.writing(folder) as writer:
        writer.stage({})
    assert _leftovers(folder) == []
    return support.tree(folder)


def _committed(folder: Path) -> bool:
    return (folder / JOURNAL / "journal.json").is_file()


_PATCHED: list[tuple[object, str]] = [
    (os, "open"),
    (os, "write"),
    (os, "fsync"),
    (os, "replace"),
    (os, "rename"),
    (os, "link"),
    (os, "unlink"),
    (os, "mkdir"),
    (os, "rmdir"),
    (os, "listdir"),
]


class _Calls:
    """How many writer steps ran, and the name of the step that crashed."""

    def __init__(self) -> None:
        self.count = 0
        self.crashed = ""


def _arm(monkeypatch: pytest.MonkeyPatch, n: int, crash: Callable[[], None]) -> _Calls:
    """Make the n-th call to any writer step call `crash` instead. Returns the live call counter."""
    calls = _Calls()

    def wrap(name: str, function: Callable[..., object]) -> Callable[..., object]:
        def counted(*args: object, **kwargs: object) -> object:
            calls.count += 1
            if calls.count == n:
                calls.crashed = name
                crash()
            return function(*args, **kwargs)

        return counted

    for owner, name in _PATCHED:
        monkeypatch.setattr(owner, name, wrap(name, getattr(owner, name)))
    return calls


def _after_but_tidying(
    view: dict[str, tuple[str, bytes]], after: dict[str, tuple[str, bytes]]
) -> bool:
    """`after`, but for what removing an emptied folder leaves when that fails: the folder, empty
    but for bytecode. Tidying up is done as far as it can be; it never fails an update."""
    rest = {p: v for p, v in view.items() if p not in after}
    return {p: v for p, v in view.items() if p in after} == after and all(
        p.startswith("pkg/old_api") and (kind == "dir" or p.endswith(".pyc"))
        for p, (kind, _) in rest.items()
    )


def _io_error() -> None:
    raise OSError(errno.EIO, "injected failure")


def test_a_failing_step_says_what_it_left_and_the_next_run_makes_it_before_or_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pristine, before, after = _states(tmp_path)
    seen = {"unchanged": 0, "partly": 0}
    for n in range(1, 500):
        folder = _fresh(pristine, tmp_path, n, "fail")
        with monkeypatch.context() as patch:
            calls = _arm(patch, n, _io_error)
            try:
                output.write_output(AFTER_FILES, folder)
                message = None
            except InputError as exc:
                message = exc.diagnostic.message
        if message is None:
            # Completed: the failure was before step n, or in a step whose failure costs nothing
            # (removing jobgen's own journal folder: the next run does it; tidying emptied folders).
            if calls.crashed in ("rmdir", "unlink", "listdir"):
                assert _after_but_tidying(_view(folder), after), f"step {n} ({calls.crashed})"
            else:
                assert _view(folder) == after, f"step {n} was absorbed but changed the result"
            _recovered(folder)
            if calls.count < n:
                break
            continue
        assert "injected failure" in message
        view = _view(folder)
        assert _users(view) == _users(before), f"step {n} touched the user's files"
        if output.PARTLY_UPDATED in message:  # failed after the commit: the next run finishes it
            assert _committed(folder), f"step {n}: partly updated, but no journal"
            seen["partly"] += 1
            assert _recovered(folder) == after, f"step {n}: not rolled forward"
        else:
            assert message.endswith(output.UNCHANGED), message
            assert view == before, f"step {n} left a changed folder"
            seen["unchanged"] += 1
            assert _recovered(folder) == before, f"step {n}: not rolled back"
    else:
        pytest.fail("the write never completed")
    assert seen["unchanged"] >= 15 and seen["partly"] >= 5, seen


def _write_after(folder: Path) -> None:
    output.write_output(AFTER_FILES, folder)


def _killed_at(
    n: int, folder: Path, monkeypatch: pytest.MonkeyPatch, action: Callable[[Path], object]
) -> int:
    """Run `action(folder)` in a forked child that dies at step n; its exit code (0: it finished
    before step n)."""
    pid = os.fork()
    if pid == 0:  # the child
        code = 3
        try:
            with monkeypatch.context() as patch:
                _arm(patch, n, lambda: os._exit(17))
                action(folder)
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    assert code in (0, 17), f"the writer failed at step {n} (exit {code})"
    return code


def test_a_kill_at_any_step_leaves_before_or_after_once_the_next_run_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pristine, before, after = _states(tmp_path)
    seen = {"before": 0, "after": 0, "between": 0}
    between: Path | None = None
    for n in range(1, 500):
        folder = _fresh(pristine, tmp_path, n, "kill")
        code = _killed_at(n, folder, monkeypatch, _write_after)
        view, committed = _view(folder), _committed(folder)
        assert _users(view) == _users(before), f"step {n} touched the user's files"
        if view == before:
            seen["before"] += 1
        elif view == after:
            seen["after"] += 1
        else:
            assert committed, f"step {n}: half-written folder without a journal"
            seen["between"] += 1
            if between is None:
                between = tmp_path / "between" / "out"
                shutil.copytree(folder, between, symlinks=True)
        expected = after if committed or view == after else before
        assert _recovered(folder) == expected, f"step {n}: the next run did not recover"
        output.write_output(AFTER_FILES, folder)
        assert support.tree(folder) == after
        assert _leftovers(folder) == []
        if code == 0:  # the child finished without reaching step n: every step has been tried
            break
    else:
        pytest.fail("the write never completed")
    assert seen["before"] >= 10 and seen["after"] >= 3 and seen["between"] >= 3, seen

    # The recovery of a folder left between the two is itself killed at every step.
    assert between is not None
    for m in range(1, 500):
        folder = _fresh(between, tmp_path, m, "recovery")
        code = _killed_at(m, folder, monkeypatch, _recovered)
        view = _view(folder)
        assert _users(view) == _users(before)
        assert view == after or _committed(folder), f"recovery step {m} lost the journal"
        assert _recovered(folder) == after, f"recovery step {m}: not rolled forward"
        if code == 0:
            break
    else:
        pytest.fail("the recovery never completed")


def _write_after_meeting_the_users_file(folder: Path) -> None:
    with pytest.raises(InputError, match="appeared during the run and is not jobgen's"):
        output.write_output(AFTER_FILES, folder)


def test_a_file_the_user_made_at_a_new_path_during_the_run_survives_a_kill_at_any_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The user puts a file where a new generated file goes, just before the commit; the run is
    killed at any step after: however far it got, the file is theirs afterwards, never claimed."""
    pristine, _, after = _states(tmp_path)
    taken = "pkg/new/deeper/models.py"
    reached = tmp_path / "reached"
    mkdir = os.mkdir  # the user's own steps are not the writer's: they are not counted

    def users_file(folder: Path) -> None:
        mkdir(folder / "pkg" / "new")
        mkdir(folder / "pkg" / "new" / "deeper")
        (folder / taken).write_text("the user's\n")
        reached.write_text("")

    for n in range(1, 500):
        folder = _fresh(pristine, tmp_path, n, "taken")
        reached.unlink(missing_ok=True)
        monkeypatch.setattr(output, "_pause_before_commit", lambda f=folder: users_file(f))
        code = _killed_at(n, folder, monkeypatch, _write_after_meeting_the_users_file)
        monkeypatch.undo()
        _recovered(folder)
        if reached.exists():  # killed after the user's file was made
            assert (folder / taken).read_text() == "the user's\n", f"step {n}"
            assert taken not in output.read_manifest(folder), f"step {n}: the file is claimed"
            with pytest.raises(InputError, match=r"would overwrite 'pkg/new/deeper/models\.py'"):
                output.write_output(AFTER_FILES, folder)
            (folder / taken).unlink()
        output.write_output(AFTER_FILES, folder)
        assert _view(folder) == after
        if code == 0:
            break
    else:
        pytest.fail("the write never completed")


def test_a_kill_then_a_folder_recreated_by_the_user_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run killed mid-update; the user deletes the folder and makes a new one with their files:
    the next run writes beside them (nothing of the killed run's is anywhere else to act on)."""
    pristine, _, after = _states(tmp_path)
    for n in range(1, 500):
        folder = _fresh(pristine, tmp_path, n, "recreated")
        _killed_at(n, folder, monkeypatch, _write_after)
        if _committed(folder) and _view(folder) != after:
            break
    else:
        pytest.fail("no kill left a committed journal")
    shutil.rmtree(folder)
    folder.mkdir()
    (folder / "mine.txt").write_text("a new start\n")
    output.write_output(AFTER_FILES, folder)
    assert (folder / "mine.txt").read_text() == "a new start\n"
    assert {p: v for p, v in support.tree(folder).items() if p != "mine.txt"} == {
        p: v for p, v in after.items() if p not in _users(after) and p != "pkg"
    } | {"pkg": ("dir", b"")}
    assert _leftovers(folder) == []


def test_concurrent_generate_processes_never_mix_their_results(tmp_path: Path) -> None:
    """Two runs on one folder take turns: afterwards the folder is what the one run, then the
    other, would leave (each goes on from the release the folder holds when its turn comes)."""
    spec_a = support.write_spec(tmp_path / "a", GOOD_SPEC, "api")
    spec_b = support.write_spec(tmp_path / "b", other_spec(), "api")

    def generate(spec: Path, folder: Path) -> None:
        done = support.run_module("generate", spec, "-o", folder, "-p", "pkg", "--no-cache", "-q")
        assert done.returncode == 0, done.stderr

    start = tmp_path / "start" / "out"
    generate(spec_a, start)  # each round starts from `a`'s release
    (start / "SENTINEL.txt").write_text("keep\n")
    # `a` first: it changes nothing, then `b`; `b` first, then `a` on top of it.
    serial = tmp_path / "serial" / "out"
    shutil.copytree(start, serial)
    generate(spec_b, serial)
    b_on_a = support.tree(serial)
    generate(spec_a, serial)
    expected = (b_on_a, support.tree(serial))
    assert expected[0] != expected[1]
    folder = tmp_path / "shared" / "out"
    for round_ in range(3):
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(start, folder)
        order = (spec_a, spec_b) if round_ % 2 == 0 else (spec_b, spec_a)
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "generator",
                    "generate",
                    str(spec),
                    "-o",
                    str(folder),
                    "-p",
                    "pkg",
                    "--no-cache",
                    "-q",
                ],
                cwd=support.ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for spec in order
        ]
        for process in processes:
            _, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
        assert support.tree(folder) in expected, f"round {round_}: mixed result"
        assert _leftovers(folder) == []


def test_concurrent_writers_in_threads_take_turns(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    sets = [
        {**AFTER_FILES, "pkg/__init__.py": f"VERSION = {i}\n", f"pkg/only_{i}.py": ""}
        for i in range(8)
    ]
    errors: list[BaseException] = []

    def write(files: dict[str, str]) -> None:
        try:
            for _ in range(3):
                output.write_output(files, folder)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(files,)) for files in sets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    final = support.tree(folder)
    complete = []
    for files in sets:
        alone = tmp_path / f"alone-{len(complete)}" / "out"
        output.write_output(files, alone)
        complete.append(support.tree(alone))
    assert final in complete


def test_a_run_waiting_on_a_folder_its_failed_maker_removes_makes_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run made the output folder and holds its lock; the second waits for it. The first
    fails (an invalid document) and removes the empty folder it made: the second makes it again."""
    import fcntl

    folder = tmp_path / "new" / "out"
    real_flock, waiting = fcntl.flock, threading.Event()

    def flock(descriptor: int, operation: int) -> None:
        if threading.current_thread() is not threading.main_thread():
            waiting.set()  # the second run holds a descriptor of the first folder by now
        real_flock(descriptor, operation)

    monkeypatch.setattr(fcntl, "flock", flock)
    first = output.Writer(folder)
    first.stage(AFTER_FILES)
    errors: list[BaseException] = []

    def second() -> None:
        try:
            output.write_output(BEFORE_FILES, folder)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    assert waiting.wait(timeout=60)
    first.close()
    thread.join(timeout=60)
    assert not errors and not thread.is_alive()
    assert {p: (folder / p).read_text() for p in BEFORE_FILES} == BEFORE_FILES


def test_files_jobgen_does_not_own_survive_every_regeneration(
    protected_output: Path, good_spec_path: Path, tmp_path: Path
) -> None:
    (protected_output / "docs" / "deep" / "er").mkdir(parents=True)
    (protected_output / "docs" / "deep" / "er" / "notes.txt").write_bytes(
        b"\x00binary user data\xff"
    )
    (protected_output / ".hidden").write_text("dotfile\n")
    (protected_output / "prev_pkg" / "sub").mkdir()
    (protected_output / "prev_pkg" / "sub" / "mine.py").write_text("x = 1\n")
    (protected_output / "empty-user-folder").mkdir()
    user = {
        p: v
        for p, v in support.tree(protected_output).items()
        if p.startswith(("docs", ".hidden", "SENTINEL", "empty-user-folder"))
        or p.endswith(("user_notes.md", "mine.py"))
        or p == "prev_pkg/sub"
    }
    other = support.write_spec(tmp_path / "other", other_spec(), "good")
    for spec in (other, good_spec_path, other):
        result = support.invoke(
            "generate", spec, "-o", protected_output, "-p", "prev_pkg", "--no-cache", "-q"
        )
        assert result.exit_code == 0, result.stderr
        now = support.tree(protected_output)
        assert {p: now.get(p) for p in user} == user


def test_a_generated_path_held_by_a_user_file_is_refused(protected_output: Path) -> None:
    before = support.tree(protected_output)
    with pytest.raises(
        InputError, match=r"would overwrite 'SENTINEL\.txt', which jobgen did not write"
    ):
        output.write_output({"SENTINEL.txt": "generated now\n"}, protected_output)
    assert support.tree(protected_output) == before


def test_symlinks_in_the_output_folder_are_kept_as_links_not_followed(
    tmp_path: Path, good_spec_path: Path
) -> None:
    outside = tmp_path / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "dir" / "secret.txt").write_text("outside the output folder\n")
    (outside / "file.txt").write_text("outside file\n")
    folder = tmp_path / "out"
    assert (
        support.invoke(
            "generate", good_spec_path, "-o", folder, "-p", "pkg", "--no-cache", "-q"
        ).exit_code
        == 0
    )
    (folder / "inside-dir").mkdir()
    (folder / "inside-dir" / "a.txt").write_text("a\n")
    links = {
        "to-outside-dir": outside / "dir",
        "to-outside-file": outside / "file.txt",
        "to-inside-dir": Path("inside-dir"),
        "to-readme": Path("README.md"),
        "dangling": Path("does/not/exist"),
        "pkg/link-in-generated-folder": Path("../inside-dir"),
    }
    for name, target in links.items():
        (folder / name).symlink_to(target)
    outside_before = support.tree(outside)
    other = support.write_spec(tmp_path / "other", other_spec(), "good")
    result = support.invoke("generate", other, "-o", folder, "-p", "pkg", "--no-cache", "-q")
    assert result.exit_code == 0, result.stderr
    now = support.tree(folder)
    for name, target in links.items():
        assert now.get(name) == ("link", str(target).encode()), name
    assert not any(p.startswith("to-outside-dir/") or p.startswith("to-inside-dir/") for p in now)
    assert support.tree(outside) == outside_before


def test_generated_files_are_never_written_through_a_symlinked_folder(
    tmp_path: Path, good_spec_path: Path
) -> None:
    folder = tmp_path / "out"
    assert (
        support.invoke(
            "generate", good_spec_path, "-o", folder, "-p", "pkg", "--no-cache", "-q"
        ).exit_code
        == 0
    )
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "theirs.py").write_text("someone else's folder\n")
    shutil.rmtree(folder / "pkg" / "good")
    (folder / "pkg" / "good").symlink_to(outside)
    before, outside_before = support.tree(folder), support.tree(outside)
    result = support.invoke("generate", good_spec_path, "-o", folder, "-p", "pkg", "--no-cache")
    assert result.exit_code == 2
    assert len(result.stderr_lines) == 1 and support.ERROR_LINE.match(result.stderr_lines[0])
    assert "through the symlink 'pkg/good'" in result.stderr
    assert support.tree(folder) == before and support.tree(outside) == outside_before


def test_an_output_folder_that_is_a_symlink_is_written_through(
    tmp_path: Path, good_spec_path: Path
) -> None:
    real = tmp_path / "real-out"
    real.mkdir()
    (real / "SENTINEL.txt").write_text("keep\n")
    link = tmp_path / "out"
    link.symlink_to(real)
    result = support.invoke("generate", good_spec_path, "-o", link, "-p", "pkg", "--no-cache", "-q")
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert (real / "pkg" / "__init__.py").is_file() and (
        real / "SENTINEL.txt"
    ).read_text() == "keep\n"
    assert not [p for p in tmp_path.iterdir() if ".jobgen-staging" in p.name]


def test_an_output_path_that_is_a_file_is_an_error(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.write_text("a user's file, not a folder\n")
    with pytest.raises(InputError, match="not a folder"):
        output.write_output(AFTER_FILES, target)
    assert target.read_text() == "a user's file, not a folder\n"
    assert sorted(
        p.name for p in tmp_path.iterdir() if not p.name.startswith(".out.jobgen.lock")
    ) == ["out"]


def test_an_output_path_that_is_a_file_is_an_error_through_the_config(
    tmp_path: Path, good_spec_path: Path
) -> None:
    (tmp_path / "out").write_text("a user's file\n")
    shutil.copy(good_spec_path, tmp_path / "good.json")
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.jobgen]\nspecs = ["good.json"]\noutput = "out"\npackage = "pkg"\n')
    result = support.invoke("generate", "--config", config, "--no-cache")
    assert result.exit_code == 2, result.stderr
    assert len(result.stderr_lines) == 1 and support.ERROR_LINE.match(result.stderr_lines[0])
    assert "not a folder" in result.stderr
    assert (tmp_path / "out").read_text() == "a user's file\n"


def test_a_fifo_in_the_output_folder_does_not_hang_the_writer(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    output.write_output(BEFORE_FILES, folder)
    os.mkfifo(folder / "user.fifo")
    errors: list[BaseException] = []

    def write() -> None:
        try:
            output.write_output(AFTER_FILES, folder)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    thread.join(timeout=30)
    if thread.is_alive():  # unblock the stuck open() so the thread can end, then fail
        for fifo in folder.parent.rglob("user.fifo"):
            with open(fifo, "wb"):
                pass
        thread.join(timeout=5)
        pytest.fail("write_output blocked on a FIFO in the output folder")
    assert not errors
    assert (folder / "user.fifo").is_fifo()
    assert (folder / "pkg" / "new" / "__init__.py").is_file()


def test_a_read_only_output_folder_is_a_one_line_error(
    protected_output: Path, good_spec_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Root ignores permission bits, so make os.access answer as it would for anyone else.
    real_access = os.access

    def access(path: object, mode: int, **kwargs: object) -> bool:
        if mode & os.W_OK and Path(str(path)) == protected_output.absolute():
            return False
        return real_access(path, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    other = support.write_spec(tmp_path / "other", other_spec(), "good")
    before = support.tree(protected_output)
    result = support.invoke(
        "generate", other, "-o", protected_output, "-p", "prev_pkg", "--no-cache"
    )
    assert result.exit_code == 2
    assert result.stderr_lines == [
        f"jobgen: error: {protected_output.absolute()}: the output folder is not writable; "
        "it is unchanged"
    ]
    assert support.tree(protected_output) == before


def test_read_only_folders_for_a_user_who_is_not_root() -> None:
    # Under /tmp itself: pytest's own temporary folders are closed to other users.
    base = Path(tempfile.mkdtemp(prefix="jobgen-hostile-"))
    try:
        _read_only_for_a_user(base)
    finally:
        for path in [base, *base.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o777)
        shutil.rmtree(base)


def _read_only_for_a_user(base: Path) -> None:
    base.chmod(0o777)
    folder = base / "out"
    output.write_output(BEFORE_FILES, folder)
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    before = support.tree(folder)
    code, message = support.as_unprivileged(functools.partial(_write_after, folder))
    assert (code, message) == (2, "the output folder is not writable; it is unchanged")
    assert support.tree(folder) == before
    # Writable again, in a read-only parent: the parent is not needed (nothing is made there).
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o777 if path.is_dir() else 0o666)
    base.chmod(0o555)
    assert support.as_unprivileged(functools.partial(_write_after, folder)) == (0, "")
    assert all((folder / p).read_text() == text for p, text in AFTER_FILES.items())
    assert _leftovers(folder) == []
    base.chmod(0o777)


def test_a_corrupt_result_cache_entry_is_ignored(tmp_path: Path, good_spec_path: Path) -> None:
    folder = tmp_path / "out"
    assert (
        support.invoke("generate", good_spec_path, "-o", folder, "-p", "pkg", "-q").exit_code == 0
    )
    good = support.tree(folder)
    entries = list((tmp_path / ".jobgen-cache").glob("*"))
    assert entries, "the run stored no cache entry"
    for entry in entries:
        entry.write_bytes(b"\x00garbage" + entry.read_bytes()[:40])
    shutil.rmtree(folder)
    result = support.invoke("generate", good_spec_path, "-o", folder, "-p", "pkg")
    assert result.exit_code == 0, result.stderr
    assert "(cached)" not in result.stderr
    assert support.tree(folder) == good


def test_a_process_running_older_code_than_on_disk_stores_no_result(
    tmp_path: Path, good_spec_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long-lived process (a test session) whose generator modules are older than the files must not
    store its output under the new files' key: the next `jobgen generate` would serve stale code."""
    from generator import cache, inputs
    from generator.config import Config

    sources = tmp_path / "sources"
    shutil.copytree(cache._SOURCE_DIR, sources, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "_SOURCE_DIR", sources)
    monkeypatch.setattr(cache, "LOADED_SOURCES", inputs.source_digest(sources))
    config = Config((good_spec_path,), tmp_path / "out", "pkg")
    assert not cache.run(config).cached
    assert cache.entry_path(config).exists()  # loaded code == files: kept
    assert cache.run(config).cached
    cache.entry_path(config).unlink()
    render = sources / "render" / "project.py"
    render.write_text(render.read_text() + "\n# edited after this process loaded the generator\n")
    assert not cache.run(config).cached
    assert not cache.entry_path(config).exists()


def test_a_hostile_manifest_cannot_reach_outside_the_output_folder(
    protected_output: Path, good_spec_path: Path
) -> None:
    secret = protected_output.parent / "secret.txt"
    secret.write_text("not jobgen's business\n")
    manifest = protected_output / output.MANIFEST
    data = json.loads(manifest.read_text())
    data["files"].update({"../secret.txt": "0" * 64, str(secret): "0" * 64, "": "0" * 64})
    manifest.write_text(json.dumps(data))
    result = support.invoke(
        "check", good_spec_path, "-o", protected_output, "-p", "prev_pkg", "--no-cache"
    )
    assert "not jobgen's business" not in result.stdout
    assert (
        support.invoke(
            "generate", good_spec_path, "-o", protected_output, "-p", "prev_pkg", "--no-cache"
        ).exit_code
        == 0
    )
    assert secret.read_text() == "not jobgen's business\n"
    assert "../secret.txt" not in output.read_manifest(protected_output)


# ------------------------------------------------------------------------- staging before the verdict
def test_staged_files_reach_the_folder_only_when_committed(tmp_path: Path) -> None:
    pristine, before, after = _states(tmp_path)
    with output.writing(pristine) as writer:
        writer.stage(AFTER_FILES)
        assert _view(pristine) == before, "staging leaves the folder as it is"
        assert _leftovers(pristine) == [JOURNAL], "the new contents wait in the journal folder"
        comparison = writer.commit(AFTER_FILES)
    assert not comparison.clean
    assert support.tree(pristine) == after
    assert _leftovers(pristine) == []


def test_what_is_staged_and_never_committed_is_removed(tmp_path: Path) -> None:
    """A run whose document turns out invalid after its files were staged: nothing changes."""
    pristine, before, _ = _states(tmp_path)
    with pytest.raises(InputError), output.writing(pristine) as writer:
        writer.stage(AFTER_FILES)
        raise InputError("invalid OpenAPI", Location("api.yaml"), "invalid")
    assert support.tree(pristine) == before
    assert _leftovers(pristine) == []


def test_a_change_to_the_folder_between_staging_and_commit_is_not_lost(tmp_path: Path) -> None:
    """The validation of a large spec can take seconds after the files are staged: a file the user
    adds meanwhile, or one they delete, must be as they left it once the new folder is in."""
    pristine, _, after = _states(tmp_path)
    with output.writing(pristine) as writer:
        writer.stage(AFTER_FILES)
        (pristine / "added-meanwhile.txt").write_text("mine\n")
        (pristine / "docs" / "guide.md").unlink()
        writer.commit(AFTER_FILES)
    expected = dict(after)
    expected["added-meanwhile.txt"] = ("file", b"mine\n")
    del expected["docs/guide.md"]
    assert support.tree(pristine) == expected
    assert _leftovers(pristine) == []


def test_committing_other_files_than_were_staged_writes_those(tmp_path: Path) -> None:
    pristine, _, after = _states(tmp_path)
    with output.writing(pristine) as writer:
        writer.stage(BEFORE_FILES)  # the folder already holds these: nothing to build
        assert _leftovers(pristine) == []
        writer.commit(AFTER_FILES)
    assert support.tree(pristine) == after


def test_a_report_written_into_the_output_folder_survives_the_update(
    tmp_path: Path, protected_output: Path
) -> None:
    """The report is written after the new files are staged and before they are committed."""
    other = support.write_spec(tmp_path / "other", other_spec(), "good")
    report = protected_output / "report.json"
    result = support.invoke(
        "generate",
        other,
        "-o",
        protected_output,
        "-p",
        "prev_pkg",
        "--no-cache",
        "--report",
        report,
    )
    assert result.exit_code == 0, result.stderr
    assert "wrote" in result.stderr, "the folder was updated"
    assert json.loads(report.read_text())["specs"]


def test_an_invalid_document_is_reported_even_after_its_files_were_staged(
    tmp_path: Path, protected_output: Path
) -> None:
    """The parser accepts this document (a title that is a number); only validation rejects it, and
    its verdict arrives after the files were staged: the folder stays as it was."""
    spec = tmp_path / "api.json"
    spec.write_text(
        json.dumps({"openapi": "3.1.0", "info": {"title": 1, "version": "1"}, "paths": {}})
    )
    staged: list[int] = []
    with pytest.raises(InputError, match="invalid OpenAPI"):
        pipeline.run(
            Config(specs=(spec,), output=protected_output, package="prev_pkg"),
            prepare=lambda files: staged.append(len(files)),
        )
    assert staged, "the files were staged before the verdict"
    before = support.tree(protected_output)
    result = support.run_module("generate", spec, "-o", protected_output, "-p", "prev_pkg")
    assert result.returncode == 2 and "invalid OpenAPI" in result.stderr
    assert support.tree(protected_output) == before
    assert _leftovers(protected_output) == []


def test_a_generated_file_deleted_while_an_up_to_date_folder_awaits_the_verdict_is_restored(
    tmp_path: Path,
) -> None:
    """Staging found the folder up to date (nothing to build); by the time of the commit a generated
    file is gone. The commit must see it, not trust the comparison it made at staging."""
    folder = tmp_path / "out"
    output.write_output(AFTER_FILES, folder)
    with output.writing(folder) as writer:
        writer.stage(AFTER_FILES)
        assert _leftovers(folder) == [], "up to date: nothing staged"
        (folder / "pkg" / "__init__.py").unlink()
        comparison = writer.commit(AFTER_FILES)
    assert comparison.changed == ("pkg/__init__.py",)
    assert (folder / "pkg" / "__init__.py").read_text() == AFTER_FILES["pkg/__init__.py"]
