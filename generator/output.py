"""Stage 6, output: compare, diff, and write the rendered files into the output folder, atomically.

The only module that touches the output folder. What it guarantees:

- **Ownership.** A manifest (`.jobgen-manifest.json`) lists the files jobgen wrote. Only those are ever
  replaced or removed; any other file in the folder is kept as it is. A generated path that collides
  with a file jobgen does not own is an error, not an overwrite.
- **Atomicity.** The new folder is built completely beside the old one (owned files new, other files
  hard-linked or copied), then swapped in with one atomic `renameat2(RENAME_EXCHANGE)` on Linux. Where
  that call is missing, two renames are used and an interrupted swap is rolled back on the next run.
  Either way a crash leaves the folder as it was before or as it is after, never between.
- **Exclusion.** Concurrent runs on the same folder take turns through a lock file beside it.
- **No-op.** When nothing changed, nothing is written (timestamps stay, builds stay cached).
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
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import InputError, Location

MANIFEST = ".jobgen-manifest.json"
_STAGING = ".jobgen-staging"
_OLD = ".jobgen-old"


@dataclass(frozen=True)
class Comparison:
    """How the rendered files differ from the output folder."""

    changed: tuple[str, ...]  # rendered files whose content differs or that are missing
    removed: tuple[str, ...]  # owned files that would be deleted
    diff: str

    @property
    def clean(self) -> bool:
        return not self.changed and not self.removed


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
    return bool(parts) and not Path(path).is_absolute() and ".." not in parts


def manifest_text(files: dict[str, str]) -> str:
    entries = {path: _digest(text) for path, text in sorted(files.items())}
    return json.dumps({"generator": "jobgen", "files": entries}, indent=2, sort_keys=True) + "\n"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _safe_relative(path: str) -> None:
    parts = Path(path).parts
    if Path(path).is_absolute() or ".." in parts or not parts:
        raise InputError(
            f"refusing to write outside the output folder: {path!r}",
            Location("<generated>"),
            "path",
        )


def compare(files: dict[str, str], output: Path, *, with_diff: bool = True) -> Comparison:
    """How the output folder differs from `files` (the manifest included)."""
    expected = dict(files)
    expected[MANIFEST] = manifest_text(files)
    owned = read_manifest(output)
    if with_diff:
        import difflib  # here: only `check` shows diffs

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
            diff_parts.extend(
                difflib.unified_diff(
                    (current or "").splitlines(keepends=True),
                    expected[path].splitlines(keepends=True),
                    fromfile=f"a/{path}" if current is not None else "/dev/null",
                    tofile=f"b/{path}",
                )
            )
    removed = sorted(p for p in owned if p not in expected and (output / p).exists())
    for path in removed if with_diff else []:
        old = (output / path).read_text(encoding="utf-8", errors="replace")
        diff_parts.extend(
            difflib.unified_diff(
                old.splitlines(keepends=True), [], fromfile=f"a/{path}", tofile="/dev/null"
            )
        )
    text = "".join(line if line.endswith("\n") else line + "\n" for line in diff_parts)
    return Comparison(tuple(changed), tuple(removed), text)


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


class Writer:
    """Writes the output folder in two steps: `stage` builds the new folder beside it (the folder
    itself is not touched), `commit` swaps it in. A run stages its files while it still waits for
    the validation verdicts, and commits them once the documents are known to be valid.

    The folder's lock is taken by the first step and held until `close`, so that no other run
    changes the folder between the two. Anything else that changes it meanwhile (a user's file
    added, a report written into it) is seen at `commit`, which then builds the new folder again:
    the window in which such a change could be missed stays that of a one-step write.
    """

    def __init__(self, output: Path) -> None:
        self._requested = output
        self._output: Path | None = None  # resolved, checked and locked by `_open`
        self._locked = contextlib.ExitStack()
        self._staged: dict[str, str] | None = None
        self._comparison: Comparison | None = None
        self._staging: Path | None = None  # the folder built for `_staged`, if anything changed
        self._seen: tuple[tuple[str, int, int, int], ...] = ()  # the folder as `stage` found it

    def stage(self, files: dict[str, str]) -> None:
        """Build the folder that `commit(files)` will swap in (nothing if the folder is up to date)."""
        for path in files:
            _safe_relative(path)
        output = self._open()
        self._discard()
        self._seen = _snapshot(output)
        comparison = compare(files, output, with_diff=False)
        if not comparison.clean:
            if output.exists() and not os.access(output, os.W_OK | os.X_OK):
                raise InputError(
                    "the output folder is not writable", Location(str(output)), "output"
                )
            owned = read_manifest(output)
            _check_collisions(files, output, owned)
            self._staging = output.parent / f".{output.name}{_STAGING}-{os.getpid()}"
            try:
                _build(files, output, owned, self._staging)
            except OSError as exc:
                raise _write_error(exc, output) from None
        self._staged, self._comparison = files, comparison

    def commit(self, files: dict[str, str]) -> Comparison:
        """Make the output folder hold exactly `files`, staging them first unless they are staged."""
        if self._staged is None or self._staged != files or _snapshot(self._output) != self._seen:
            self.stage(files)
        output, comparison = self._output, self._comparison
        assert output is not None and comparison is not None
        staging, self._staging, self._staged = self._staging, None, None
        if staging is not None:
            try:
                _swap(staging, output)
            except OSError as exc:
                raise _write_error(exc, output) from None
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        return comparison

    def close(self) -> None:
        """Remove what was staged and not committed; release the lock."""
        self._discard()
        self._locked.close()

    def _discard(self) -> None:
        staging, self._staging, self._staged = self._staging, None, None
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)

    def _open(self) -> Path:
        if self._output is not None:
            return self._output
        output = self._requested.absolute()
        if output.is_symlink():
            # Write into the folder the link names; the link itself is the user's and stays.
            output = Path(os.path.realpath(output))
        if output.exists() and not output.is_dir():
            raise InputError(
                "the output path is a file, not a folder", Location(str(output)), "output"
            )
        parent = output.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(
                f"cannot create the output folder's parent: {exc.strerror}",
                Location(str(parent)),
                "output",
            ) from None
        self._locked.enter_context(_lock(output))
        _recover(output)
        self._output = output
        return output


def _snapshot(folder: Path | None) -> tuple[tuple[str, int, int, int], ...]:
    """Every entry of the folder with its inode, size and modification time (empty if none)."""
    entries = []
    for root, dirs, names in os.walk(folder) if folder is not None else ():
        for name in (*dirs, *names):
            path = os.path.join(root, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            entries.append((path, info.st_ino, info.st_size, info.st_mtime_ns))
    return tuple(sorted(entries))


def _write_error(exc: OSError, output: Path) -> InputError:
    return InputError(
        f"cannot write the output folder: {exc.strerror or exc}", Location(str(output)), "output"
    )


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
        for folder in Path(path).parents:
            if folder.parts and (output / folder).is_symlink():
                raise InputError(
                    f"{path!r} would be written through the symlink {folder.as_posix()!r}; "
                    "replace the link with a folder or delete it first",
                    Location(str(output / folder)),
                    "not-owned",
                )


def _build(files: dict[str, str], output: Path, owned: dict[str, str], staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    keep = set(files) | {MANIFEST} | set(owned)
    if output.exists():
        # Carry over everything jobgen does not own, untouched.
        for root, dirs, names in os.walk(output):
            rel_root = Path(root).relative_to(output)
            for name in dirs:
                source, target = Path(root) / name, staging / rel_root / name
                if source.is_symlink():  # a link to a folder: keep the link, do not follow it
                    target.symlink_to(os.readlink(source))
                    continue
                target.mkdir(exist_ok=True)
                shutil.copystat(source, target)
            for name in names:
                rel = (rel_root / name).as_posix()
                if rel in keep:
                    continue
                source, target = Path(root) / name, staging / rel_root / name
                if source.is_symlink():
                    target.symlink_to(os.readlink(source))
                    continue
                try:
                    os.link(source, target)
                except OSError:
                    shutil.copy2(source, target)
    for path, text in sorted(files.items()):
        target = staging / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
    (staging / MANIFEST).write_bytes(manifest_text(files).encode("utf-8"))
    _fsync_tree(staging)


def _fsync_tree(root: Path) -> None:
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if not stat.S_ISREG(os.lstat(path).st_mode):
                continue  # links, and FIFOs or sockets a user keeps there (opening a FIFO blocks)
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())


def _swap(staging: Path, output: Path) -> None:
    if not output.exists():
        os.rename(staging, output)
        return
    if _exchange(staging, output):
        return
    old = output.parent / f".{output.name}{_OLD}"
    shutil.rmtree(old, ignore_errors=True)
    os.rename(output, old)
    try:
        os.rename(staging, output)
    except OSError:
        os.rename(old, output)  # put the old folder back now rather than on the next run
        raise
    shutil.rmtree(old, ignore_errors=True)


def _recover(output: Path) -> None:
    """Undo a two-rename swap that was interrupted between its renames; clear stale staging folders."""
    old = output.parent / f".{output.name}{_OLD}"
    if old.exists():
        if not output.exists():
            os.rename(old, output)
        else:
            shutil.rmtree(old, ignore_errors=True)
    prefix = f".{output.name}{_STAGING}-"
    for stale in output.parent.glob(prefix + "*"):
        shutil.rmtree(stale, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders (Linux renameat2). False when the system cannot."""
    import ctypes

    try:
        # The symbols of the running program, C library included (what `find_library` would
        # have found, without the `ldconfig` it runs to find it).
        libc = ctypes.CDLL(None, use_errno=True)
    except (OSError, TypeError):  # no dlopen(NULL): not a system with renameat2 either
        return False
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (
        errno.ENOSYS,
        errno.EINVAL,
        errno.ENOTSUP if hasattr(errno, "ENOTSUP") else errno.EINVAL,
    ):
        return False
    raise OSError(err, os.strerror(err))


@contextlib.contextmanager
def _lock(output: Path) -> Iterator[None]:
    lock_path = output.parent / f".{output.name}.jobgen.lock"
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX: no lock, the swap is still atomic
        yield
        return
    try:
        handle = open(lock_path, "a+")  # noqa: SIM115 - held for the whole block
    except OSError as exc:
        raise InputError(
            f"cannot create the lock file: {exc.strerror}", Location(str(lock_path)), "output"
        ) from None
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
