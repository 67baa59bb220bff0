"""The output folder stays the user's: jobgen writes, moves and deletes only the files it owns.

- A real `jobgen generate` is paused at the last moment before its commit (the documented hook,
  `JOBGEN_TEST_PAUSE_BEFORE_COMMIT`) while the user adds files, in the output folder's root, in
  generated folders and in new ones: all of them are there afterwards; one put where a generated file
  is about to go is kept, and the run says so.
- The user's files are never copied, hard-linked or moved (their inode, link count and change time
  stay), and the folder's own mode (setgid), owner and group stay; a read-only folder of the user's
  is no obstacle, a read-only generated folder is refused before anything changes (as a user who is
  not root: root ignores permission bits).
- `--output .` and `--output ..` from inside the output folder work, and leave it in place.
- Every interrupt and failure says whether the output folder changed.
- The folder of an API removed from the configuration goes, with the bytecode Python cached for it;
  the temporary folder of a run killed while formatting is removed by the next run.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from generator import cli, output
from generator import format as formatting

from . import support
from .conftest import GOOD_SPEC, other_spec


def _generate(spec: Path, folder: Path, *extra: str | Path) -> support.CliResult:
    return support.invoke("generate", spec, "-o", folder, "-p", "pkg", "--no-cache", *extra)


@pytest.fixture
def specs(tmp_path: Path) -> tuple[Path, Path]:
    """Two versions of a spec: the second adds an operation and a model."""
    return (
        support.write_spec(tmp_path / "first", GOOD_SPEC, "api"),
        support.write_spec(tmp_path / "second", other_spec(), "api"),
    )


@pytest.fixture
def earlier(tmp_path: Path, specs: tuple[Path, Path]) -> Path:
    """An output folder holding the generation of the first spec; the tests then generate the
    second into it."""
    folder = tmp_path / "out"
    assert _generate(specs[0], folder, "-q").exit_code == 0
    return folder


def _expected(tmp_path: Path, *history: Path) -> dict[str, tuple[str, bytes]]:
    """The output folder after generating each spec of `history` in turn, alone (the changelog
    and the API surface file depend on the generations before)."""
    alone = tmp_path / "alone" / "out"
    for spec in history:
        assert _generate(spec, alone, "-q").exit_code == 0
    return support.tree(alone)


# ------------------------------------------------------------------------ files added during a run
def _paused_run(
    tmp_path: Path, folder: Path, specs: tuple[Path, ...], meanwhile: Callable[[], None]
) -> tuple[int, str]:
    """`jobgen generate SPECS -o FOLDER`, paused before its commit while `meanwhile` runs."""
    fifo = tmp_path / "pause"
    os.mkfifo(fifo)
    command = [sys.executable, "-m", "generator", "generate", *map(str, specs)]
    process = subprocess.Popen(
        [*command, "-o", str(folder), "-p", "pkg", "--no-cache"],
        cwd=support.ROOT,
        env={**os.environ, output.PAUSE_ENV: str(fifo)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    while True:
        try:  # succeeds once the run has opened the FIFO for reading: it is paused
            descriptor = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise
        if process.poll() is not None:
            pytest.fail(f"the run ended before its commit: {process.communicate()[1]}")
        time.sleep(0.01)
    try:
        meanwhile()
    finally:
        os.close(descriptor)  # the run goes on
    _, stderr = process.communicate(timeout=120)
    return process.returncode, stderr


def test_files_the_user_creates_while_a_run_is_paused_before_its_commit_all_survive(
    tmp_path: Path, earlier: Path, specs: tuple[Path, Path]
) -> None:
    folder, second = earlier, specs[1]
    mine = {
        "notes.txt": b"in the root\n",
        "pkg/notes.txt": b"in a generated folder\n",
        "pkg/api/scratch.py": b"in the API's folder, whose files change\n",
        "drafts/a/b.txt": b"in a new folder\n",
    }

    def create() -> None:
        for path, data in mine.items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_bytes(data)

    code, stderr = _paused_run(tmp_path, folder, (second,), create)
    assert code == 0, stderr
    assert "wrote" in stderr
    expected = _expected(tmp_path, *specs)
    now = support.tree(folder)
    assert {p: now[p] for p in expected} == expected, "the run did not complete"
    assert {p: now[p][1] for p in mine} == mine
    assert set(now) - set(expected) == {*mine, "drafts", "drafts/a"}


def test_a_file_the_user_puts_where_a_generated_file_goes_during_the_pause_is_kept(
    tmp_path: Path, specs: tuple[Path, Path]
) -> None:
    first, _ = specs
    things = support.write_spec(tmp_path / "things", other_spec(), "things")  # a new API
    folder = tmp_path / "out"
    assert _generate(first, folder, "-q").exit_code == 0
    alone = tmp_path / "alone" / "out"
    assert _generate(first, alone, "-q").exit_code == 0  # the same history
    assert _generate(first, alone, "-q", things).exit_code == 0
    expected = support.tree(alone)
    taken = "pkg/things/models.py"
    assert taken in expected and not (folder / "pkg" / "things").exists()

    def take() -> None:
        (folder / "pkg" / "things").mkdir()
        (folder / taken).write_bytes(b"the user's, made during the run\n")

    code, stderr = _paused_run(tmp_path, folder, (first, things), take)
    assert code == 2
    [line] = stderr.splitlines()
    assert support.ERROR_LINE.match(line), line
    assert f"{taken!r} appeared during the run and is not jobgen's: it is kept" in line
    assert "the rest of the output folder was updated" in line
    now = support.tree(folder)
    assert now[taken] == ("file", b"the user's, made during the run\n")
    assert taken not in output.read_manifest(folder), "jobgen must not claim the user's file"
    others = {p: v for p, v in expected.items() if p not in (taken, output.MANIFEST)}
    assert {p: now.get(p) for p in others} == others
    # Moved away, the next run writes it.
    (folder / taken).unlink()
    assert _generate(first, folder, "-q", things).exit_code == 0
    assert support.tree(folder) == expected


# ------------------------------------------------------------------------- the user's files and folder
def _identity(path: Path) -> tuple[int, int, int, int, int, int, int]:
    """What copying, linking or moving a file changes: inode, links, times (and its metadata)."""
    info = os.lstat(path)
    return (
        info.st_ino,
        info.st_mode,
        info.st_uid,
        info.st_gid,
        info.st_nlink,
        info.st_mtime_ns,
        info.st_ctime_ns,
    )


def _folder_identity(path: Path) -> tuple[int, ...]:
    """A folder's inode, mode (setgid included), owner and group."""
    return _identity(path)[:4]


def test_the_users_files_and_folders_are_never_copied_linked_or_moved(
    tmp_path: Path, earlier: Path, specs: tuple[Path, Path]
) -> None:
    folder, second = earlier, specs[1]
    for index in range(300):
        user_file = folder / "data" / f"{index % 10}" / f"{index}.txt"
        user_file.parent.mkdir(parents=True, exist_ok=True)
        user_file.write_text(f"{index}\n")
    (folder / "pkg" / "mine.txt").write_text("beside generated files\n")
    theirs = [p for p in folder.rglob("*") if "data" in p.parts or p.name == "mine.txt"]
    before = {p: _identity(p) for p in theirs}
    folder_before = _folder_identity(folder)  # (its times change: files in it are replaced)
    time.sleep(0.01)  # a change time that a link or a move would set differs from the one above
    for spec in (second, specs[0], second):
        assert _generate(spec, folder, "-q").exit_code == 0
    assert {p: _identity(p) for p in before} == before
    assert _folder_identity(folder) == folder_before


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a folder's owner needs root")
def test_the_output_folder_keeps_its_mode_owner_and_group(
    tmp_path: Path, specs: tuple[Path, Path]
) -> None:
    first, second = specs
    folder = tmp_path / "out"
    folder.mkdir()
    os.chown(folder, support.UNPRIVILEGED, support.UNPRIVILEGED)
    folder.chmod(0o2770)
    before = _folder_identity(folder)
    for spec in (first, second):
        assert _generate(spec, folder, "-q").exit_code == 0
        assert _folder_identity(folder) == before
    # Folders jobgen makes inside a setgid folder take its group, as anything made there does.
    assert os.stat(folder / "pkg").st_gid == support.UNPRIVILEGED


@pytest.fixture
def shared_base() -> Iterator[Path]:
    """A folder the unprivileged user can reach (pytest's own are closed to other users)."""
    base = Path(tempfile.mkdtemp(prefix="jobgen-ownership-"))
    base.chmod(0o777)
    try:
        yield base
    finally:
        for path in [base, *base.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o777)
        shutil.rmtree(base)


def _give(folder: Path) -> None:
    """Hand the folder to the unprivileged user (nothing to do when the tests do not run as root)."""
    if os.geteuid() == 0:
        for path in [folder, *folder.rglob("*")]:
            os.lchown(path, support.UNPRIVILEGED, support.UNPRIVILEGED)


FIRST = {"pkg/__init__.py": "A = 1\n", "pkg/api/models.py": "class A: ...\n"}
SECOND = {"pkg/__init__.py": "B = 2\n", "pkg/api/models.py": "class B: ...\n", "pkg/b.py": ""}


def test_a_read_only_folder_of_the_users_is_no_obstacle(shared_base: Path) -> None:
    folder = shared_base / "out"
    output.write_output(FIRST, folder)
    (folder / "docs").mkdir()
    (folder / "docs" / "guide.md").write_text("the user's\n")
    (folder / "pkg" / "vendored").mkdir()
    (folder / "pkg" / "vendored" / "lib.py").write_text("the user's too\n")
    _give(folder)
    for read_only in (folder / "docs", folder / "pkg" / "vendored"):
        read_only.chmod(0o555)
    assert support.as_unprivileged(lambda: output.write_output(SECOND, folder)) == (0, "")
    assert (folder / "pkg" / "b.py").is_file() and (folder / "pkg" / "__init__.py").read_text() == (
        "B = 2\n"
    )
    for read_only, name in ((folder / "docs", "guide.md"), (folder / "pkg" / "vendored", "lib.py")):
        assert stat_mode(read_only) == 0o555
        assert (read_only / name).is_file()


def stat_mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o7777


def test_a_read_only_generated_folder_is_refused_before_anything_changes(
    shared_base: Path,
) -> None:
    folder = shared_base / "out"
    output.write_output(FIRST, folder)
    _give(folder)
    (folder / "pkg" / "api").chmod(0o555)
    before = support.tree(folder)
    code, message = support.as_unprivileged(lambda: output.write_output(SECOND, folder))
    assert code == 2
    assert message == (
        "the folder 'pkg/api' is not writable, and generated files in it must change; "
        "the output folder is unchanged"
    )
    assert support.tree(folder) == before


# ------------------------------------------------------------------------------ the working directory
def test_output_dot_from_inside_the_folder_leaves_the_shell_in_it(
    tmp_path: Path, specs: tuple[Path, Path]
) -> None:
    first, second = specs
    folder = tmp_path / "out"
    folder.mkdir()
    inode = os.stat(folder).st_ino
    for spec in (first, second):
        done = support.run_module("generate", spec, "-o", ".", "-p", "pkg", cwd=folder)
        assert done.returncode == 0, done.stderr
        assert os.stat(folder).st_ino == inode, "the folder was replaced"
    assert support.tree(folder) == _expected(tmp_path, *specs)


def test_output_dot_dot_from_a_subfolder_of_the_output(
    tmp_path: Path, specs: tuple[Path, Path]
) -> None:
    first, second = specs
    folder = tmp_path / "out"
    (folder / "notes").mkdir(parents=True)
    for spec in (first, second):  # with the result cache: it goes beside the output folder
        done = support.run_module("generate", spec, "-o", "..", "-p", "pkg", cwd=folder / "notes")
        assert done.returncode == 0, done.stderr
    assert not [p for p in folder.rglob("*") if "jobgen-cache" in p.name]
    assert (tmp_path / ".jobgen-cache").is_dir()
    assert {p: v for p, v in support.tree(folder).items() if p != "notes"} == _expected(
        tmp_path, *specs
    )


# ------------------------------------------------------------------------------------ truthful endings
def test_an_interrupt_before_the_commit_says_the_folder_is_unchanged(
    tmp_path: Path, earlier: Path, specs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, second = earlier, specs[1]
    before = support.tree(folder)

    def interrupt() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(output, "_pause_before_commit", interrupt)
    result = _generate(second, folder)
    assert result.exit_code == cli.EXIT_INTERRUPTED
    assert result.stderr_lines[-1] == "jobgen: interrupted; the output folder is unchanged"
    assert support.tree(folder) == before


def test_an_interrupt_during_the_update_takes_effect_when_it_is_complete(
    tmp_path: Path, earlier: Path, specs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while files are being moved into place: the update completes, then the run stops
    and says the folder was updated."""
    folder, second = earlier, specs[1]
    real_replace = os.replace

    def replace_then_interrupt(source: str | Path, target: str | Path) -> None:
        real_replace(source, target)
        if str(folder) in str(target) and output.JOURNAL_DIR not in str(target):
            signal.raise_signal(signal.SIGINT)  # as Ctrl-C would, in the middle of the update

    monkeypatch.setattr(os, "replace", replace_then_interrupt)
    result = _generate(second, folder)
    monkeypatch.undo()
    assert result.exit_code == cli.EXIT_INTERRUPTED, result.stderr
    assert result.stderr_lines[-1] == "jobgen: interrupted; the output folder was updated"
    assert support.tree(folder) == _expected(tmp_path, *specs)


@pytest.mark.parametrize(
    ("raised", "code", "ending"),
    [
        (KeyboardInterrupt(), cli.EXIT_INTERRUPTED, "jobgen: interrupted; "),
        (ValueError("a bug"), cli.EXIT_BUG, "a bug (run with --verbose for details); "),
    ],
    ids=["interrupt", "bug"],
)
def test_an_interrupt_or_a_bug_after_the_commit_says_the_folder_was_updated(
    raised: BaseException,
    code: int,
    ending: str,
    tmp_path: Path,
    earlier: Path,
    specs: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, second = earlier, specs[1]

    def summary(*args: object) -> str:  # the summary comes after the commit
        raise raised

    monkeypatch.setattr(cli, "_summary", summary)
    result = _generate(second, folder)
    assert result.exit_code == code
    assert result.stderr_lines[-1].endswith(ending + "the output folder was updated")


def test_a_failure_during_the_update_says_it_is_partial_and_the_next_run_finishes_it(
    tmp_path: Path, earlier: Path, specs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, second = earlier, specs[1]
    real_replace, moved = os.replace, []

    def fail_the_second(source: str | Path, target: str | Path) -> None:
        if output.JOURNAL_DIR not in str(target):
            moved.append(target)
            if len(moved) == 2:
                raise OSError(errno.EIO, "Input/output error")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", fail_the_second)
    result = _generate(second, folder)
    monkeypatch.undo()
    assert result.exit_code == 2
    assert result.stderr_lines == [
        f"jobgen: error: {folder}: cannot write the output folder: Input/output error; the output "
        "folder is partly updated; the next `jobgen generate` finishes the update"
    ]
    expected = _expected(tmp_path, *specs)
    assert support.tree(folder) != expected
    # Any run finishes it first, even one that then finds nothing else to do.
    assert support.invoke("check", second, "-o", folder, "-p", "pkg", "--no-cache").exit_code == 1
    assert _generate(second, folder).stderr.count("is up to date") == 1
    assert support.tree(folder) == expected


# ------------------------------------------------------------------------------ removed APIs' folders
def test_the_folder_of_a_removed_api_goes_with_its_bytecode(tmp_path: Path) -> None:
    exporter = support.write_spec(tmp_path / "specs", GOOD_SPEC, "exporter")
    things = support.write_spec(tmp_path / "specs", other_spec(), "things")
    folder = tmp_path / "out"
    assert _generate(exporter, folder, "-q", things).exit_code == 0  # (specs after options)
    api = folder / "pkg" / "exporter"
    assert (api / "models.py").is_file()
    compiled = subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(folder / "pkg")],
        capture_output=True,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    )
    assert compiled.returncode == 0 and list((api / "__pycache__").glob("models.*.pyc"))
    assert _generate(things, folder, "-q").exit_code == 0
    assert not api.exists()
    assert list((folder / "pkg" / "__pycache__").glob("*.pyc")), "others' bytecode stays"
    assert support.invoke("check", things, "-o", folder, "-p", "pkg", "--no-cache").exit_code == 0


def test_a_removed_apis_folder_holding_a_file_of_the_users_keeps_that_file(
    tmp_path: Path,
) -> None:
    exporter = support.write_spec(tmp_path / "specs", GOOD_SPEC, "exporter")
    things = support.write_spec(tmp_path / "specs", other_spec(), "things")
    folder = tmp_path / "out"
    assert _generate(exporter, folder, "-q", things).exit_code == 0
    (folder / "pkg" / "exporter" / "NOTES.md").write_text("mine\n")
    assert _generate(things, folder, "-q").exit_code == 0
    assert sorted(p.name for p in (folder / "pkg" / "exporter").iterdir()) == ["NOTES.md"]


# ------------------------------------------------------------------------------------------ leftovers
def test_a_run_killed_while_formatting_leaves_a_folder_the_next_run_removes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))  # this test's own system temp folder
    pid = os.fork()
    if pid == 0:  # a run killed while ruff runs
        try:
            monkeypatch.setattr(formatting, "_run", lambda command, cwd: os._exit(17))
            formatting.format_files({"pkg/a.py": "a=1\n"})
        finally:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 17
    [abandoned] = list(temp.iterdir())
    # A folder a live run is formatting in (it holds the lock) is not abandoned.
    live = Path(tempfile.mkdtemp(prefix=formatting._PREFIX))
    (live / "being-formatted.py").write_text("b = 2\n")
    descriptor = os.open(live, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        assert formatting.format_files({"pkg/a.py": "a=1\n"}) == {"pkg/a.py": "a = 1\n"}
    finally:
        os.close(descriptor)
    assert not abandoned.exists()
    assert list(temp.iterdir()) == [live] and (live / "being-formatted.py").is_file()


@pytest.mark.parametrize("moment", ["after-mkdtemp", "before-flock"])
def test_a_formatting_folder_another_run_removes_before_it_is_locked_is_made_again(
    moment: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs side by side: one clears abandoned folders just when another has made its own and not
    locked it yet (it looks abandoned). The other makes a new one."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    real_mkdtemp, real_flock = tempfile.mkdtemp, fcntl.flock
    struck: list[bool] = []

    def other_run_clears() -> None:
        if not struck:
            struck.append(True)
            formatting._remove_abandoned()

    def mkdtemp(*args: object, **kwargs: object) -> str:
        made = real_mkdtemp(*args, **kwargs)  # type: ignore[call-overload]
        if moment == "after-mkdtemp":
            other_run_clears()
        return str(made)

    def flock(descriptor: int, operation: int) -> None:
        if moment == "before-flock" and operation == fcntl.LOCK_EX:
            other_run_clears()
        real_flock(descriptor, operation)

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    monkeypatch.setattr(fcntl, "flock", flock)
    assert formatting.format_files({"pkg/a.py": "a=1\n"}) == {"pkg/a.py": "a = 1\n"}
    assert struck and list(temp.iterdir()) == []
