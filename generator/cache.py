"""The result cache: a no-op `jobgen generate` or `jobgen check` skips load, parse, render and format.

A run's result (the formatted files and the per-spec reports) depends only on its inputs. When none of
them changed since the last run for the same output folder, the stored result is used as it is; the
output folder is still compared (and rewritten by `generate` if someone edited it), exactly as after a
full run.

**Key.** A sha256 over everything the result is made from:
- the configuration: package, version, strict, the API names, the spec and profile paths as given,
  in order (the paths appear in messages and in the generated docstrings), the template overlay;
- the bytes of every spec and job-profile file, and of every file of the template overlay;
- every file under the template folder (package templates and the runtime copied into the output);
- the generator's own source files, jobgen's version, the Python version, and the versions of the
  packages that shape the output: ruff (the formatter), Jinja2, openapi-pydantic, pydantic, PyYAML;
- what the output folder holds of the previous generation (`output.Previous`: its API surface
  file), which the API changes, the version and the changelog are worked out from.

**Entry.** One file per output folder, `<output's parent>/.jobgen-cache/<output name>-<hash>.cache`: a
header line with the sha256 of the body, then JSON holding the keys, the files, the reports, and the sha256
of *every* document the run loaded (specs, profiles and each file a `$ref` pulled in, hashed as the run
read them). A lookup checks the key and re-hashes each of those documents: a change to any `$ref`'d file is
a miss even though that file is only known after parsing. An entry answers two keys: the one of the
output folder the run started from (its API changes), and the one of the folder it leaves once
written, from which the same inputs make the same files with no API change (the next no-op run).

**Safety.** Entries are written to a temporary file and renamed into place, so a reader never sees half
an entry; an entry whose digest, JSON or shape is wrong is ignored and replaced by the next run. An entry
is only stored when the fingerprint of templates and sources is the same after the run as before it, and
the spec hashes come from the bytes the run actually read, so an input edited during a run cannot be
stored under the wrong key. A cache folder that cannot be written costs the speed-up, never the run.
`--no-cache` bypasses lookup and store.

This module imports no stage: a hit costs hashing a few hundred kilobytes, not importing YAML,
openapi-pydantic and Jinja (see the lazy imports in `pipeline.py`).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import __version__, pipeline, speed
from .changes import Change
from .config import Config
from .diagnostics import Collector, Diagnostic, Level, Location
from .inputs import recording_reads, source_digest, template_dir
from .output import Previous, previous_after, read_previous

CACHE_DIR = ".jobgen-cache"
_FORMAT = "jobgen-cache 2"
# Distributions whose version changes what a run produces (dist-info names, normalised).
_OUTPUT_PACKAGES = ("ruff", "jinja2", "openapi_pydantic", "pydantic", "pydantic_core", "pyyaml")
_SKIPPED_DIRS = frozenset({"__pycache__", "_templates"})
_SOURCE_DIR = Path(__file__).resolve().parent  # the generator's own sources
# The generator's sources as this process loaded them (this module is imported with the rest of the
# CLI, before any run). A result is stored only while they are still what is on disk: a long-lived
# process (a test session, an editor) may be running older code than the files it would fingerprint,
# and must not store its output under their key.
LOADED_SOURCES = source_digest(_SOURCE_DIR)


def run(
    config: Config,
    *,
    enabled: bool = True,
    prepare: Callable[[dict[str, str]], None] | None = None,
    previous: Previous | None = None,
) -> pipeline.Result:
    """`pipeline.run(config, prepare=prepare, previous=previous)`, served from the cache when every
    input is unchanged (then without calling `prepare`): a speed trick (`result-cache`, see
    `speed.py`). `previous`: read from the output folder when not given."""
    if previous is None:
        previous = read_previous(config.output)
    if not enabled or not speed.on("result-cache"):
        return pipeline.run(config, prepare=prepare, previous=previous)
    started = time.perf_counter()
    static = static_fingerprint(config.templates)
    hit = lookup(config, static, previous)
    if hit is not None:
        hit.seconds = time.perf_counter() - started
        hit.timings["cache"] = hit.seconds
        return hit
    with recording_reads() as reads:
        result = pipeline.run(config, prepare=prepare, previous=previous)
    store(config, result, reads, static, previous)
    return result


# ------------------------------------------------------------------------------------------ the key
def static_fingerprint(overlay: Path | None = None) -> str:
    """The inputs that are not documents: templates (and the overlay's), sources, versions."""
    digest = hashlib.sha256()
    _update(digest, "jobgen", __version__.encode())
    _update(digest, "python", sys.version.encode())
    for name, version in sorted(_distribution_versions().items()):
        _update(digest, f"dist:{name}", version.encode())
    roots = [("template", template_dir()), ("source", _SOURCE_DIR)]
    if overlay is not None:
        roots.append(("overlay", overlay))
    for label, root in roots:
        for relative, path in _tree(root):
            _update(digest, f"{label}:{relative}", path.read_bytes())
    return digest.hexdigest()


def _key(config: Config, static: str, document_hashes: list[str], previous: Previous) -> str:
    digest = hashlib.sha256()
    settings = {
        "package": config.package,
        "version": config.version,
        "strict": config.strict,
        "specs": [str(p) for p in config.specs],
        "names": list(config.api_names()),
        "profiles": [str(p) for p in config.profiles],
        "templates": str(config.templates) if config.templates is not None else None,
        "source": config.source,  # the API surface names spec files relative to its folder
    }
    _update(digest, "config", json.dumps(settings, sort_keys=True).encode())
    _update(digest, "static", static.encode())
    for document in document_hashes:
        _update(digest, "document", document.encode())
    _update(digest, "previous", previous.digest.encode())
    return digest.hexdigest()


def _update(digest: Any, label: str, data: bytes) -> None:
    # Length-prefixed, so that no two different sequences of fields hash the same.
    digest.update(f"{label}\0{len(data)}\0".encode())
    digest.update(data)


def _tree(root: Path) -> list[tuple[str, Path]]:
    """Every file under `root` (bytecode caches aside), by relative POSIX path, sorted."""
    found: list[tuple[str, Path]] = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in _SKIPPED_DIRS]
        base = Path(folder)
        for name in names:
            if not name.endswith(".pyc"):
                path = base / name
                found.append((path.relative_to(root).as_posix(), path))
    return sorted(found)


def _distribution_versions() -> dict[str, str]:
    """Versions of `_OUTPUT_PACKAGES` from the dist-info folder names on sys.path.

    importlib.metadata would cost more start-up time than the rest of a cache hit together.
    """
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            stem, dot, suffix = name.rpartition(".")
            if not dot or suffix not in ("dist-info", "egg-info"):
                continue
            dist, _, version = stem.partition("-")
            key = dist.lower().replace("-", "_").replace(".", "_")
            if key in _OUTPUT_PACKAGES and key not in found:
                found[key] = version
    return found


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


# ----------------------------------------------------------------------------------- lookup, store
def entry_path(config: Config) -> Path:
    return cache_folder(config.output) / f"{slot(config.output)}.cache"


def slot(output: Path) -> str:
    """A name for an output folder's files in the cache folder, unique among the folders beside it."""
    folder = Path(os.path.abspath(output))  # `--output ..` names the folder above, by name
    return f"{folder.name}-{hashlib.sha256(str(folder).encode()).hexdigest()[:16]}"


def lookup(config: Config, static: str, previous: Previous) -> pipeline.Result | None:
    """The stored result when the entry is intact and every input is unchanged, else None."""
    documents: list[str] = []
    for path in (*config.specs, *config.profiles):
        digest = _file_digest(path)
        if digest is None:
            return None  # a full run reports the problem with its location
        documents.append(digest)
    entry = _read_entry(entry_path(config))
    if entry is None:
        return None
    try:
        answer = entry["keys"].get(_key(config, static, documents, previous))
        if answer is None:
            return None
        inputs = entry["inputs"]
        for name, digest in inputs.items():
            if _file_digest(Path(name)) != digest:
                return None
        return _result(entry, answer)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None  # a well-formed file of the wrong shape: treated as absent


def store(
    config: Config,
    result: pipeline.Result,
    reads: dict[str, str],
    static: str,
    previous: Previous,
) -> None:
    """Keep `result` for the next run; silently does nothing when it cannot be kept safely."""
    if result.cached or static_fingerprint(config.templates) != static:
        return  # a template or source changed during the run
    if source_digest(_SOURCE_DIR) != LOADED_SOURCES:
        return  # a source changed since this process loaded it: the result is the old code's
    found = [reads.get(str(path.resolve())) for path in (*config.specs, *config.profiles)]
    documents = [d for d in found if d is not None]
    if len(documents) != len(found):
        return
    # The output folder once the result is written: the same inputs then give the same files,
    # with nothing to compare (no change, the version as it is now).
    after = {
        "changes": [],
        # (the surface file this result writes is whole: only a note about it goes)
        "notes": [_diagnostic_data(d) for d in result.notes if d.code != "damaged-surface"],
        "previous_version": result.version,
    }
    entry = {
        "keys": {
            _key(config, static, documents, previous_after(result.files)): after,
            _key(config, static, documents, previous): {
                "changes": [change.as_json() for change in result.changes],
                "notes": [_diagnostic_data(d) for d in result.notes],
                "previous_version": result.previous_version,
            },
        },
        "inputs": dict(sorted(reads.items())),
        "files": result.files,
        "reports": [_report_data(r) for r in result.reports],
        "version": result.version,
    }
    target = entry_path(config)
    try:
        body = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        header = f"{_FORMAT} {hashlib.sha256(body).hexdigest()}\n".encode()
        folder = cache_folder(config.output, make=True)
        temporary = folder / f".{target.name}.{os.getpid()}.tmp"
        try:
            temporary.write_bytes(header + body)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
    except (OSError, UnicodeEncodeError):
        return  # the cache is an optimisation: a run never fails because of it


def cache_folder(output: Path, *, make: bool = False) -> Path:
    """jobgen's folder beside an output folder: the result cache, and the lock of an output folder
    that cannot be locked itself. `make`: create it (ignored by git) if it is missing."""
    folder = Path(os.path.abspath(output)).parent / CACHE_DIR
    if make:
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# jobgen's cache: safe to delete at any time\n*\n", encoding="utf-8")
    return folder


def _read_entry(path: Path) -> dict[str, Any] | None:
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    header, newline, body = raw.partition(b"\n")
    if not newline or header != f"{_FORMAT} {hashlib.sha256(body).hexdigest()}".encode():
        return None  # truncated, corrupted or written by another format version
    try:
        entry = json.loads(body)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) else None


# ------------------------------------------------------------------------------ (de)serialising
def _report_data(report: pipeline.SpecReport) -> dict[str, Any]:
    return {
        "path": report.path,
        "api": report.api,
        "operations": report.operations,
        "models": report.models,
        "warnings": [_diagnostic_data(d) for d in report.collector.warnings],
        "skipped": [_diagnostic_data(d) for d in report.collector.skipped],
        "notes": [_diagnostic_data(d) for d in report.collector.notes],
    }


def _diagnostic_data(diagnostic: Diagnostic) -> list[Any]:
    location = diagnostic.location
    return [
        diagnostic.level.value,
        diagnostic.message,
        location.file,
        location.pointer,
        location.line,
        diagnostic.code,
    ]


def _diagnostic(data: list[Any]) -> Diagnostic:
    level, message, file, pointer, line, code = data
    if not all(isinstance(v, str) for v in (message, file, pointer, code)):
        raise TypeError("diagnostic fields")
    if line is not None and not isinstance(line, int):
        raise TypeError("diagnostic line")
    return Diagnostic(Level(level), message, Location(file, pointer, line), code)


def _result(entry: dict[str, Any], answer: dict[str, Any]) -> pipeline.Result:
    files = entry["files"]
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    ):
        raise TypeError("files")
    reports: list[pipeline.SpecReport] = []
    for data in entry["reports"]:
        collector = Collector(
            [_diagnostic(d) for d in data["warnings"]],
            [_diagnostic(d) for d in data["skipped"]],
            [_diagnostic(d) for d in data.get("notes", [])],
        )
        report = pipeline.SpecReport(str(data["path"]), str(data["api"]), collector=collector)
        report.operations = int(data["operations"])
        report.models = int(data["models"])
        reports.append(report)
    changes = [Change.from_json(data) for data in answer["changes"]]
    previous_version = answer["previous_version"]
    if not isinstance(entry["version"], str) or not isinstance(previous_version, str | None):
        raise TypeError("version")
    return pipeline.Result(
        files,
        reports,
        None,
        cached=True,
        changes=changes,
        version=entry["version"],
        previous_version=previous_version,
        notes=[_diagnostic(d) for d in answer["notes"]],
    )
