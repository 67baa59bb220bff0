"""The result cache: a no-op `jobgen generate` or `jobgen check` skips load, parse, render and format.

A run's result (the formatted files and the per-spec reports) depends only on its inputs. When none of
them changed since the last run for the same output folder, the stored result is used as it is; the
output folder is still compared (and rewritten by `generate` if someone edited it), exactly as after a
full run.

**Key.** A sha256 over everything the result is made from:
- the configuration: package, version, strict, the spec and profile paths as given, in order (the paths
  appear in messages and in the generated docstrings);
- the bytes of every spec and job-profile file;
- every file under the template folder (package templates and the runtime copied into the output);
- the generator's own source files, jobgen's version, the Python version, and the versions of the
  packages that shape the output: ruff (the formatter), Jinja2, openapi-pydantic, pydantic, PyYAML.

**Entry.** One file per output folder, `<output's parent>/.jobgen-cache/<output name>-<hash>.cache`: a
header line with the sha256 of the body, then JSON holding the key, the files, the reports, and the sha256
of *every* document the run loaded (specs, profiles and each file a `$ref` pulled in, hashed as the run
read them). A lookup checks the key and re-hashes each of those documents: a change to any `$ref`'d file is
a miss even though that file is only known after parsing.

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
from .config import Config
from .diagnostics import Collector, Diagnostic, Level, Location
from .inputs import recording_reads, source_digest, template_dir

CACHE_DIR = ".jobgen-cache"
_FORMAT = "jobgen-cache 1"
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
) -> pipeline.Result:
    """`pipeline.run(config, prepare=prepare)`, served from the cache when every input is unchanged
    (then without calling `prepare`). A speed trick (`result-cache`, see `speed.py`)."""
    if not enabled or not speed.on("result-cache"):
        return pipeline.run(config, prepare=prepare)
    started = time.perf_counter()
    static = static_fingerprint()
    hit = lookup(config, static)
    if hit is not None:
        hit.seconds = time.perf_counter() - started
        return hit
    with recording_reads() as reads:
        result = pipeline.run(config, prepare=prepare)
    store(config, result, reads, static)
    return result


# ------------------------------------------------------------------------------------------ the key
def static_fingerprint() -> str:
    """The inputs that are the same for every configuration: templates, sources, versions."""
    digest = hashlib.sha256()
    _update(digest, "jobgen", __version__.encode())
    _update(digest, "python", sys.version.encode())
    for name, version in sorted(_distribution_versions().items()):
        _update(digest, f"dist:{name}", version.encode())
    for label, root in (("template", template_dir()), ("source", _SOURCE_DIR)):
        for relative, path in _tree(root):
            _update(digest, f"{label}:{relative}", path.read_bytes())
    return digest.hexdigest()


def _key(config: Config, static: str, document_hashes: list[str]) -> str:
    digest = hashlib.sha256()
    settings = {
        "package": config.package,
        "version": config.version,
        "strict": config.strict,
        "specs": [str(p) for p in config.specs],
        "profiles": [str(p) for p in config.profiles],
    }
    _update(digest, "config", json.dumps(settings, sort_keys=True).encode())
    _update(digest, "static", static.encode())
    for document in document_hashes:
        _update(digest, "document", document.encode())
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
    output = Path(os.path.abspath(config.output))  # `--output ..` names the folder above, by name
    slot = hashlib.sha256(str(output).encode()).hexdigest()[:16]
    return output.parent / CACHE_DIR / f"{output.name}-{slot}.cache"


def lookup(config: Config, static: str) -> pipeline.Result | None:
    """The stored result when the entry is intact and every input is unchanged, else None."""
    documents: list[str] = []
    for path in (*config.specs, *config.profiles):
        digest = _file_digest(path)
        if digest is None:
            return None  # a full run reports the problem with its location
        documents.append(digest)
    entry = _read_entry(entry_path(config))
    if entry is None or entry.get("key") != _key(config, static, documents):
        return None
    try:
        inputs = entry["inputs"]
        for name, digest in inputs.items():
            if _file_digest(Path(name)) != digest:
                return None
        return _result(entry)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None  # a well-formed file of the wrong shape: treated as absent


def store(config: Config, result: pipeline.Result, reads: dict[str, str], static: str) -> None:
    """Keep `result` for the next run; silently does nothing when it cannot be kept safely."""
    if result.cached or static_fingerprint() != static:
        return  # a template or source changed during the run
    if source_digest(_SOURCE_DIR) != LOADED_SOURCES:
        return  # a source changed since this process loaded it: the result is the old code's
    documents = [reads.get(str(path.resolve())) for path in (*config.specs, *config.profiles)]
    if any(d is None for d in documents):
        return
    entry = {
        "key": _key(config, static, [d for d in documents if d is not None]),
        "inputs": dict(sorted(reads.items())),
        "files": result.files,
        "reports": [_report_data(r) for r in result.reports],
    }
    target = entry_path(config)
    try:
        body = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        header = f"{_FORMAT} {hashlib.sha256(body).hexdigest()}\n".encode()
        target.parent.mkdir(parents=True, exist_ok=True)
        ignore = target.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text(
                "# jobgen's result cache: safe to delete at any time\n*\n", encoding="utf-8"
            )
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            temporary.write_bytes(header + body)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
    except (OSError, UnicodeEncodeError):
        return  # the cache is an optimisation: a run never fails because of it


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


def _result(entry: dict[str, Any]) -> pipeline.Result:
    files = entry["files"]
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    ):
        raise TypeError("files")
    reports: list[pipeline.SpecReport] = []
    for data in entry["reports"]:
        collector = Collector(
            [_diagnostic(d) for d in data["warnings"]], [_diagnostic(d) for d in data["skipped"]]
        )
        report = pipeline.SpecReport(str(data["path"]), str(data["api"]), collector=collector)
        report.operations = int(data["operations"])
        report.models = int(data["models"])
        reports.append(report)
    return pipeline.Result(files, reports, None, cached=True)
