"""Stage 6, output: compare, diff, and write the rendered files into the output folder.

The only module that touches the output folder. What it guarantees:

- **Ownership.** A manifest (`.jobgen-manifest.json`) lists the files jobgen wrote. Only those are
  ever written, replaced or removed. Every other file and folder in the output folder is left alone:
  never read, copied, linked or moved, so a file of the user's created while a run is under way stays,
  and a run costs no more beside many such files than beside none (BENCHMARKS.md, "Output"). A generated path that collides
  with a file jobgen does not own is an error, not an overwrite; so is one created there during the
  run (it is kept, the generated file is not written).
- **The folder stays the user's.** The output folder is updated in place, never replaced: its mode
  (setgid included), owner and group, and the user's folders in it (read-only ones too), stay as
  they are. A folder that must change but may not be written is an error before anything changes.
  Folders left empty by the removal of owned files are removed (as `git rm` does), with the bytecode
  Python cached for the removed modules; a folder holding anything else stays.
- **All old or all new.** Whatever moment a run is killed at, the owned files are afterwards all as
  before or all as after the run, once the next run has started. The run writes the new content of
  every changed file into `.jobgen-journal/` (jobgen's own folder inside the output folder) and syncs
  it; then it writes the journal, the list of replacements and removals with the new manifest, and
  renames it into place: that rename is the commit. Then each file is moved into place, removed files
  are deleted, the manifest is written and the journal folder deleted. A run that finds the journal
  folder (an earlier run was killed, or the machine stopped) first finishes that earlier update when
  its journal is there (roll forward), or deletes the folder when it is not (roll back). Interrupts
  (SIGINT, SIGTERM, SIGHUP) that arrive between the commit and the end of the update take effect
  once it is complete, so that the run can say truthfully what it left (`Writer.state`).
- **Exclusion.** Concurrent runs on the same folder take turns through a lock on the folder
  (where a file system cannot lock folders, a lock file in jobgen's cache folder beside it:
  nothing of jobgen's lands beside the output folder but that cache folder).
- **No-op.** When nothing changed, nothing is written (timestamps stay, builds stay cached).
- **What the next run starts from.** `read_previous` reads back the API surface file
  (`api-surface.json`: the package's public API, version and release history) when jobgen owns it:
  the next generation is compared with it.

Test hook: when the environment variable `JOBGEN_TEST_PAUSE_BEFORE_COMMIT` names a FIFO, a run that
has staged its files and checked the folder for the last time opens the FIFO for reading and waits
until whoever opened it for writing closes it; then it commits. A test can change the folder while a
real run is paused at the last moment before the commit, without timing anything.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import InputError, Location

MANIFEST = ".jobgen-manifest.json"
SURFACE = "api-surface.json"  # the API surface file (see surface.py), read back by the next run
JOURNAL_DIR = ".jobgen-journal"
PAUSE_ENV = "JOBGEN_TEST_PAUSE_BEFORE_COMMIT"
_JOURNAL = "journal.json"
_JOURNAL_FORMAT = "jobgen-journal 1"
_STAGED = "new"  # the staged contents, `new/0`, `new/1`, ... in the order of the journal
_MANIFEST_NEXT = "manifest.json"

# What a run has done to the output folder (`Writer.state`), in the words the CLI prints.
UNCHANGED = "the output folder is unchanged"
UPDATED = "the output folder was updated"
PARTLY_UPDATED = (
    "the output folder is partly updated; the next `jobgen generate` finishes the update"
)


@dataclass(frozen=True)
class Comparison:
    """How the rendered files differ from the output folder."""

    changed: tuple[str, ...]  # rendered files whose content differs or that are missing
    removed: tuple[str, ...]  # owned files that would be deleted
    diff: str

    @property
    def clean(self) -> bool:
        return not self.changed and not self.removed


@dataclass(frozen=True)
class Previous:
    """What a generation is made from besides its inputs: the API surface file of the generation
    before it (the API it is compared with, the version it moves on from, its release history)."""

    surface: str | None  # the file's text; None when jobgen owns none ("": owned but unreadable)

    @property
    def digest(self) -> str:
        """sha256 of it: the result cache's key includes it."""
        text = b"absent" if self.surface is None else b"surface\0" + self.surface.encode()
        return hashlib.sha256(text).hexdigest()


def read_previous(output: Path) -> Previous:
    """The output folder's `Previous` (no surface when jobgen wrote none there)."""
    if SURFACE not in read_manifest(output):
        return Previous(None)
    try:
        return Previous((output / SURFACE).read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return Previous("")  # owned but gone or unreadable: the run warns of a damaged file


def previous_after(files: dict[str, str]) -> Previous:
    """The `Previous` that writing `files` leaves for the next run."""
    return Previous(files.get(SURFACE))


def read_manifest(output: Path) -> dict[str, str]:
    """Owned file -> sha256, from the manifest; {} when absent or unreadable (then nothing is owned)."""
    try:
        data = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
        files = data.get("files", {})
        if not isinstance(files, dict):
            return {}
        # An entry outside the folder is not ours, whatever the file says (`check` would print it).
        return {str(k): str(v) for k, v in files.items() if _inside(str(k))}
    except (OSError, ValueError, AttributeError):
        return {}


def _inside(path: str) -> bool:
    parts = Path(path).parts
    return (
        bool(parts)
        and not Path(path).is_absolute()
        and ".." not in parts
        and parts[0] != JOURNAL_DIR
    )


def manifest_text(files: dict[str, str]) -> str:
    return _manifest_json({path: _digest(text) for path, text in files.items()})


def _manifest_json(digests: dict[str, str]) -> str:
    entries = dict(sorted(digests.items()))
    return json.dumps({"generator": "jobgen", "files": entries}, indent=2, sort_keys=True) + "\n"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _safe_relative(path: str) -> None:
    if not _inside(path) or path == MANIFEST:
        raise InputError(
            f"refusing to write outside the output folder's generated files: {path!r}",
            Location("<generated>"),
            "path",
        )


def compare(files: dict[str, str], output: Path, *, with_diff: bool = True) -> Comparison:
    """How the output folder differs from `files` (the manifest included).

    The diff is a patch in git's format whose paths are relative to the working directory (when
    the output folder is inside it; else to the output folder), so that `git apply` (or
    `patch -p1`) run there makes the output folder what `files` say.
    """
    expected = dict(files)
    expected[MANIFEST] = manifest_text(files)
    owned = read_manifest(output)
    changed: list[str] = []
    diff_parts: list[str] = []
    for path in sorted(expected):
        target = output / path
        try:
            current = target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            current = None
        if current == expected[path]:
            continue
        changed.append(path)
        if with_diff:
            diff_parts.append(_file_diff(_shown(output, path), current, expected[path]))
    removed = sorted(p for p in owned if p not in expected and (output / p).exists())
    for path in removed if with_diff else []:
        old = (output / path).read_text(encoding="utf-8", errors="replace")
        diff_parts.append(_file_diff(_shown(output, path), old, None))
    return Comparison(tuple(changed), tuple(removed), "".join(diff_parts))


def _shown(output: Path, path: str) -> str:
    """A file of the output folder as the diff names it: relative to the working directory when
    the output folder is inside it (as in a project), else relative to the output folder."""
    folder = os.path.abspath(output)
    here = os.getcwd()
    if folder != here and not folder.startswith(os.path.join(here, "")):
        return path
    return Path(os.path.relpath(os.path.join(folder, path), here)).as_posix()


def _file_diff(name: str, old: str | None, new: str | None) -> str:
    """One file's part of a git patch: its header, then the hunks (None: the file is absent)."""
    import difflib  # here: only `check` shows diffs

    header = [f"diff --git a/{name} b/{name}\n"]
    if old is None:
        header.append("new file mode 100644\n")
    elif new is None:
        header.append("deleted file mode 100644\n")
    before, after = _lines(old), _lines(new)
    hunks = list(
        difflib.unified_diff(
            before,
            after,
            fromfile=f"a/{name}" if old is not None else "/dev/null",
            tofile=f"b/{name}" if new is not None else "/dev/null",
        )
    )
    text: list[str] = []
    for line in hunks:
        if line.endswith("\n"):
            text.append(line)
        else:  # the file's last line has no newline: say so, as diff and git do
            text.append(line + "\n\\ No newline at end of file\n")
    return "".join(header + text)


def _lines(text: str | None) -> list[str]:
    return text.splitlines(keepends=True) if text else []


# ---------------------------------------------------------------------------------------------- write
def write_output(files: dict[str, str], output: Path) -> Comparison:
    """Make the output folder hold exactly `files` (plus the files jobgen does not own)."""
    with writing(output) as writer:
        return writer.commit(files)


@contextlib.contextmanager
def writing(output: Path) -> Iterator[Writer]:
    """A `Writer` of the output folder; what it staged and did not commit is removed at the end."""
    writer = Writer(output)
    try:
        yield writer
    finally:
        writer.close()


@dataclass
class _Plan:
    """An update staged for `files`: what changes, the staged contents, and the folder as it was."""

    files: dict[str, str]
    comparison: Comparison
    seen: dict[str, tuple[int, ...] | None]  # each path concerned -> `_identities`
    writes: list[tuple[str, str, bool]] = field(default_factory=list)  # (path, staged, no-replace)
    removals: list[tuple[str, str]] = field(default_factory=list)  # (path, sha256 of its bytes)


class Writer:
    """Writes the output folder in two steps: `stage` writes the new contents of the changed files
    into jobgen's journal folder (the owned files are not touched), `commit` moves them into place.
    A run stages its files while it still waits for the validation verdicts, and commits them once
    the documents are known to be valid.

    The folder's lock is taken by the first step and held until `close`, so that no other run
    changes the folder between the two. If a file the update concerns (a generated or owned file,
    or a folder above one) changes meanwhile, `commit` stages again; any other file is none of its
    business. `state` says what the writer has done to the folder (UNCHANGED, UPDATED, or
    PARTLY_UPDATED when a failure stopped the update after its commit).
    """

    def __init__(self, output: Path) -> None:
        self._requested = output
        self._output: Path | None = None  # resolved, checked and locked by `_open`
        self._locked = contextlib.ExitStack()
        self._created: list[Path] = []  # folders made for the output folder, outermost first
        self._journal: Path | None = None  # the journal folder this writer made, until it is gone
        self._plan: _Plan | None = None
        self.state = UNCHANGED

    def open(self) -> Path:
        """Take the folder's lock (making the folder if it is missing) and finish what an
        interrupted run left in it, if that is not done yet: what the run reads of the folder from
        then on stays as it is until this writer closes. The folder, as it is written."""
        return self._open()

    def stage(self, files: dict[str, str]) -> None:
        """Write what `commit(files)` will move into place (nothing if the folder is up to date)."""
        for path in files:
            _safe_relative(path)
        output = self._open()
        self._discard()
        plan = _plan(files, output)
        if not plan.comparison.clean:
            journal = output / JOURNAL_DIR
            try:
                journal.mkdir()
            except FileExistsError:
                raise _in_the_way(journal) from None
            except OSError as exc:
                raise _cannot("write the output folder", exc, output) from None
            self._journal = journal
            try:
                _stage(plan, output, journal / _STAGED)
            except OSError as exc:
                raise _cannot("write the output folder", exc, output) from None
        self._plan = plan

    def commit(self, files: dict[str, str]) -> Comparison:
        """Make the output folder hold exactly `files`, staging them first unless they are staged."""
        plan = self._plan
        if plan is None or plan.files != files or _identities(self._output, plan.seen) != plan.seen:
            self.stage(files)
            plan = self._plan
        output = self._output
        assert plan is not None and output is not None
        if plan.comparison.clean:
            self._plan = None
            return plan.comparison
        _pause_before_commit()
        journal = {
            "format": _JOURNAL_FORMAT,
            "write": [list(entry) for entry in plan.writes],
            "remove": [list(entry) for entry in plan.removals],
            "manifest": {path: _digest(text) for path, text in plan.files.items()},
        }
        with _signals_deferred():
            try:
                _write_journal(output, journal)
            except OSError as exc:
                raise _cannot("write the output folder", exc, output) from None
            # Committed: if this run does not finish the update, the next one does.
            self._plan, self._journal = None, None
            self.state = PARTLY_UPDATED
            try:
                conflicts = _apply(output, journal)
            except OSError as exc:
                raise _cannot("write the output folder", exc, output, PARTLY_UPDATED) from None
            self.state = UPDATED
            # Done; should some of it stay (a failure), the next run finds nothing left to do in it.
            shutil.rmtree(output / JOURNAL_DIR, ignore_errors=True)
        if conflicts:
            first = conflicts[0]
            more = f" (and {len(conflicts) - 1} more)" if len(conflicts) > 1 else ""
            raise InputError(
                f"{first!r}{more} appeared during the run and is not jobgen's: it is kept and the "
                "generated file is not written; the rest of the output folder was updated "
                "(move it away and run again)",
                Location(str(output / first)),
                "not-owned",
            )
        return plan.comparison

    def close(self) -> None:
        """Remove what was staged and not committed; release the lock."""
        try:
            self._discard()
            if self.state == UNCHANGED:
                # A folder made for this run and left empty goes again (a failed first run).
                for folder in reversed(self._created):
                    with contextlib.suppress(OSError):
                        folder.rmdir()
        finally:
            self._locked.close()

    def _discard(self) -> None:
        journal, self._journal, self._plan = self._journal, None, None
        if journal is not None:
            shutil.rmtree(journal, ignore_errors=True)

    def _open(self) -> Path:
        if self._output is not None:
            return self._output
        output = Path(os.path.abspath(self._requested))  # `.` and `..` resolved: cwd may be inside
        if output.is_symlink():
            # Write into the folder the link names; the link itself is the user's and stays.
            output = Path(os.path.realpath(output))
        if output.exists() and not output.is_dir():
            raise InputError(
                "the output path is a file, not a folder", Location(str(output)), "output"
            )
        while True:
            self._make(output)
            try:
                self._locked.enter_context(_lock(output))
                break
            except FileNotFoundError:  # removed by a run that made it and failed: make it again
                continue
        self._output = output
        try:
            _recover(output)
        except OSError as exc:
            raise _cannot(
                "finish the update an interrupted run left",
                exc,
                output / JOURNAL_DIR,
                PARTLY_UPDATED,
            ) from None
        return output

    def _make(self, output: Path) -> None:
        """Make the output folder and the folders above it that are missing."""
        missing = [folder for folder in (output, *output.parents) if not folder.exists()]
        for folder in reversed(missing):
            try:
                folder.mkdir()
            except FileExistsError:
                continue  # another run made it meanwhile
            except OSError as exc:
                raise _cannot("create the output folder", exc, folder) from None
            self._created.append(folder)


def _cannot(doing: str, exc: OSError, where: Path, state: str = UNCHANGED) -> InputError:
    """The error of a failed file-system call, saying what it leaves in the output folder."""
    return InputError(
        f"cannot {doing}: {exc.strerror or exc}; {state}", Location(str(where)), "output"
    )


def _in_the_way(journal: Path) -> InputError:
    return InputError(
        f"{JOURNAL_DIR!r} is in the way: jobgen keeps the journal of its updates there; delete it",
        Location(str(journal)),
        "not-owned",
    )


# -------------------------------------------------------------------------------------------- staging
def _plan(files: dict[str, str], output: Path) -> _Plan:
    """Compare and check: what an update to `files` changes, and whether it may."""
    comparison = compare(files, output, with_diff=False)
    owned = read_manifest(output)
    seen = _identities(output, dict.fromkeys(_concerned(files, owned)))
    plan = _Plan(files, comparison, seen)
    if not comparison.clean:
        _check_collisions(files, output, owned)
        _check_writable(output, comparison)
    return plan


def _stage(plan: _Plan, output: Path, staging: Path) -> None:
    """Write the new content of every changed file into `staging`, synced; note the removals."""
    staging.mkdir()
    for index, path in enumerate(p for p in plan.comparison.changed if p != MANIFEST):
        name = str(index)
        _write_synced(staging / name, plan.files[path].encode("utf-8"))
        # A path that holds nothing now is taken only if it still holds nothing at the commit.
        plan.writes.append((path, name, plan.seen[path] is None))
    for path in plan.comparison.removed:
        plan.removals.append((path, _file_digest(output / path) or ""))
    _fsync_folder(staging)


def _concerned(files: dict[str, str], owned: dict[str, str]) -> list[str]:
    """The paths an update of `files` over `owned` reads or writes, and the folders above them."""
    paths = {MANIFEST, *files, *owned}
    for path in list(paths):
        paths.update(p.as_posix() for p in Path(path).parents if p.parts)
    return sorted(paths)


def _identities(
    output: Path | None, paths: dict[str, tuple[int, ...] | None]
) -> dict[str, tuple[int, ...] | None]:
    """Each path's kind and identity (and, for a file, its size and time), None when missing."""
    result: dict[str, tuple[int, ...] | None] = {}
    for path in paths:
        try:
            info = os.lstat(os.path.join(output or "", path))
        except OSError:
            result[path] = None
            continue
        if stat.S_ISDIR(info.st_mode):  # what is added in a folder is not its business
            result[path] = (info.st_mode, info.st_ino)
        else:
            result[path] = (info.st_mode, info.st_ino, info.st_size, info.st_mtime_ns)
    return result


def _check_collisions(files: dict[str, str], output: Path, owned: dict[str, str]) -> None:
    for path in sorted(files):
        target = output / path
        if path not in owned and target.is_file():
            if target.read_bytes() == files[path].encode("utf-8"):
                continue  # identical content: adopting it loses nothing
            raise InputError(
                f"would overwrite {path!r}, which jobgen did not write (not in {MANIFEST}); "
                "move it away or delete it first",
                Location(str(target)),
                "not-owned",
            )
        if target.is_dir() and not target.is_symlink():
            raise InputError(
                f"{path!r} is a folder where a file must go", Location(str(target)), "not-owned"
            )
        for folder in reversed(Path(path).parents):
            if not folder.parts:
                continue
            if (output / folder).is_symlink():
                raise InputError(
                    f"{path!r} would be written through the symlink {folder.as_posix()!r}; "
                    "replace the link with a folder or delete it first",
                    Location(str(output / folder)),
                    "not-owned",
                )
            if (output / folder).exists() and not (output / folder).is_dir():
                raise InputError(
                    f"{folder.as_posix()!r} is a file where a folder must go (for {path!r})",
                    Location(str(output / folder)),
                    "not-owned",
                )


def _check_writable(output: Path, comparison: Comparison) -> None:
    """Every folder the update writes in must be writable, before anything is written."""
    folders = {output}
    for path in (*comparison.changed, *comparison.removed):
        folder = (output / path).parent
        while not folder.exists():  # made by the update, in the nearest folder that exists
            folder = folder.parent
        folders.add(folder)
    device = os.stat(output).st_dev
    for folder in sorted(folders):
        rel = folder.relative_to(output).as_posix()
        if not os.access(folder, os.W_OK | os.X_OK):
            message = (
                "the output folder is not writable; it is unchanged"
                if folder == output
                else f"the folder {rel!r} is not writable, and generated files in it must "
                f"change; {UNCHANGED}"
            )
            raise InputError(message, Location(str(folder)), "output")
        if os.stat(folder).st_dev != device:  # a file cannot be moved there from the journal
            raise InputError(
                f"the folder {rel!r} is on another file system than the output folder, and "
                f"generated files in it must change; {UNCHANGED}",
                Location(str(folder)),
                "output",
            )


def _write_synced(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_folder(folder: Path) -> None:
    """Make the folder's entries durable (the renames and removals in it)."""
    if os.name != "posix":  # pragma: no cover - elsewhere a folder cannot be opened to sync
        return
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _file_digest(path: Path) -> str | None:
    """The sha256 of a regular file's bytes; None for anything else (a link, a folder, nothing)."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _pause_before_commit() -> None:
    """The documented test hook (see the module's docstring)."""
    fifo = os.environ.get(PAUSE_ENV)
    if not fifo:
        return
    with open(fifo, "rb") as waiting:  # blocks until the test opens it for writing
        while waiting.read(4096):  # ... and until it closes it
            pass


# --------------------------------------------------------------------------------- commit and apply
def _write_journal(output: Path, journal: dict[str, Any]) -> None:
    """The commit: the journal, synced, renamed into place; from here on the update is done."""
    folder = output / JOURNAL_DIR
    pending = folder / (_JOURNAL + ".tmp")
    _write_synced(pending, json.dumps(journal, sort_keys=True).encode("utf-8"))
    os.replace(pending, folder / _JOURNAL)
    _fsync_folder(folder)


def _read_journal(folder: Path) -> dict[str, Any] | None:
    try:
        journal = json.loads((folder / _JOURNAL).read_bytes())
    except (OSError, ValueError):
        return None
    # Written by jobgen, but it lies in the user's folder: it is used only if every entry is inside.
    try:
        valid = (
            journal["format"] == _JOURNAL_FORMAT
            and all(
                _inside(p) and n.isdigit() and f in (True, False) for p, n, f in journal["write"]
            )
            and all(_inside(p) and isinstance(d, str) for p, d in journal["remove"])
            and all(_inside(p) and isinstance(d, str) for p, d in journal["manifest"].items())
        )
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
    return journal if valid else None


def _apply(output: Path, journal: dict[str, Any]) -> list[str]:
    """Carry out a committed journal; again after a crash, from wherever it stopped.

    Returns the generated paths left unwritten because a file that is not jobgen's appeared there.
    """
    folder = output / JOURNAL_DIR
    touched: set[Path] = {output}
    conflicts: list[str] = []
    for path, name, no_replace in journal["write"]:
        staged, target = folder / _STAGED / name, output / path
        if not staged.exists():  # dealt with before a crash: placed, or left to what was there
            if no_replace and _file_digest(target) != journal["manifest"][path]:
                conflicts.append(path)
            continue
        if not _make_folders(output, Path(path).parent) or (
            no_replace and not _place_new(staged, target)
        ):
            conflicts.append(path)
            staged.unlink()
            continue
        if not no_replace:
            os.replace(staged, target)
        touched.add(target.parent)
    emptied: set[Path] = set()
    for path, digest in journal["remove"]:
        target = output / path
        if _file_digest(target) == digest:
            target.unlink()
            touched.add(target.parent)
        elif os.path.lexists(target):  # changed since the run looked at it: the user's now
            continue
        # (Or removed before a crash: what it leaves empty may not be removed yet.)
        emptied.update(_without_bytecode(target))
    for empty in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        _remove_empty_folders(output, empty, touched)
    manifest = {p: d for p, d in journal["manifest"].items() if p not in conflicts}
    _write_synced_replace(folder / _MANIFEST_NEXT, output / MANIFEST, _manifest_json(manifest))
    for changed in sorted(touched):
        with contextlib.suppress(FileNotFoundError):
            _fsync_folder(changed)
    return conflicts


def _make_folders(output: Path, folder: Path) -> bool:
    """Make the folder `folder` (relative to `output`) and those above it that are missing.

    False when something else is in the way: a file, or a link (never written through).
    """
    current = output
    for part in folder.parts:
        current = current / part
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            with contextlib.suppress(FileExistsError):  # made meanwhile: looked at below
                current.mkdir()
            info = os.lstat(current)
        if not stat.S_ISDIR(info.st_mode):
            return False
    return True


def _place_new(staged: Path, target: Path) -> bool:
    """Move `staged` to `target` unless something is there already; False if something else is."""
    try:
        os.link(staged, target)  # fails when the target exists: never replaces what appeared there
    except FileExistsError:
        if not os.path.samefile(staged, target):  # (the same file: linked before a crash)
            return False
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        if os.path.lexists(target):  # no hard links here: check, then rename
            return False
        os.replace(staged, target)
        return True
    staged.unlink()
    return True


def _without_bytecode(removed: Path) -> list[Path]:
    """Remove the bytecode Python cached for a removed module; the folders this may empty."""
    cache = removed.parent / "__pycache__"
    if removed.suffix == ".py" and cache.is_dir() and not cache.is_symlink():
        prefix = removed.stem + "."
        for name in os.listdir(cache):
            if name.startswith(prefix) and name.endswith(".pyc"):
                with contextlib.suppress(OSError):
                    (cache / name).unlink()
        return [cache, removed.parent]
    return [removed.parent]


def _remove_empty_folders(output: Path, folder: Path, touched: set[Path]) -> None:
    """Remove `folder` and the folders above it while they are empty (never `output` itself)."""
    while folder != output and output in folder.parents:
        try:
            folder.rmdir()  # only ever removes an empty folder
        except OSError:
            return
        touched.add(folder.parent)
        folder = folder.parent


def _write_synced_replace(pending: Path, target: Path, text: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        pending.unlink()  # from a run killed while writing it
    _write_synced(pending, text.encode("utf-8"))
    os.replace(pending, target)


def _recover(output: Path) -> None:
    """Finish (journal present) or undo (absent) the update of a run that was killed."""
    folder = output / JOURNAL_DIR
    if not folder.exists() and not folder.is_symlink():
        return
    if folder.is_symlink() or not folder.is_dir():
        raise _in_the_way(folder)
    journal = _read_journal(folder)
    if journal is not None:
        _apply(output, journal)
    shutil.rmtree(folder)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP for the block, then act on them as they would have acted."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield  # signals are delivered to the main thread only
        return
    caught: list[int] = []
    previous: dict[int, Any] = {}
    for held in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        handler = signal.getsignal(held)
        if handler is None:  # installed outside Python: leave it
            continue
        previous[held] = handler
        signal.signal(held, lambda received, frame: caught.append(received))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for number in dict.fromkeys(caught):
            signal.raise_signal(number)


# ----------------------------------------------------------------------------------------------- lock
@contextlib.contextmanager
def _lock(output: Path) -> Iterator[None]:
    """Hold an exclusive lock on the output folder itself (nothing is created for it)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX: no lock, the journal still holds
        yield
        return
    while True:
        try:
            descriptor = os.open(output, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            raise  # (the caller makes it again)
        except OSError as exc:
            raise _cannot("open the output folder", exc, output) from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        except OSError:  # a file system without locks on folders (NFS)
            os.close(descriptor)
            break
        if _same_folder(output, descriptor):
            try:
                yield
            finally:
                os.close(descriptor)  # releases the lock
            return
        os.close(descriptor)  # removed (a failed first run) while we waited: lock the new one
    with _lock_file(output):
        yield


def _same_folder(output: Path, descriptor: int) -> bool:
    try:
        return os.path.samestat(os.stat(output), os.fstat(descriptor))
    except OSError:
        return False


@contextlib.contextmanager
def _lock_file(output: Path) -> Iterator[None]:
    """A lock file for an output folder that cannot be locked itself, in jobgen's cache folder."""
    import fcntl

    from .cache import cache_folder, slot  # here: only file systems without folder locks need it

    try:
        path = cache_folder(output, make=True) / f"{slot(output)}.lock"
        handle = open(path, "a+")  # noqa: SIM115 - held for the whole block
    except OSError as exc:
        raise _cannot("create the lock file", exc, output.parent) from None
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield
