"""The pipeline: load -> repair -> validate -> parse -> normalise -> render -> format, in memory;
`output` writes.

Each stage is a module with one job; this module only wires them together (`_build_project` runs the
stages up to normalise, `run` the rest) and gathers the per-spec reports (warnings, skipped items,
counts) that the CLI prints and `--report` writes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .config import INITIAL_VERSION, Config
from .diagnostics import Collector, Diagnostic, InputError, Location
from .timing import recording, stage

if TYPE_CHECKING:
    from . import ir
    from .changes import Change
    from .output import Previous
    from .validate import Validation

_T = TypeVar("_T")

# The stages (YAML, openapi-pydantic, Jinja) are imported inside the functions that run them: a run
# served from the result cache (cache.py) never needs them, and their imports dominate its start-up.


@dataclass
class SpecReport:
    """What one spec gave: counts, warnings, skipped items."""

    path: str
    api: str
    operations: int = 0
    models: int = 0
    collector: Collector = field(default_factory=Collector)

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "operations_generated": self.operations,
            "models_generated": self.models,
            "skipped": [_entry(d, "reason") for d in self.collector.skipped],
            "warnings": [_entry(d, "message") for d in self.collector.warnings],
        }


def _entry(diagnostic: Diagnostic, key: str) -> dict[str, Any]:
    location = diagnostic.location
    return {
        "pointer": location.pointer,
        key: diagnostic.message,
        "line": location.line,
        "code": diagnostic.code,
    }


@dataclass
class Result:
    """A run's formatted files and reports (`cached` when the result cache served it)."""

    files: dict[str, str]
    reports: list[SpecReport]
    project: ir.Project | None  # None when the result came from the cache
    seconds: float = 0.0
    cached: bool = False
    # The API changes since the generation in the output folder, and the versions.
    changes: list[Change] = field(default_factory=list)
    version: str = ""
    previous_version: str | None = None  # None: a first generation
    notes: list[Diagnostic] = field(default_factory=list)  # warnings about no spec
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage

    @property
    def warnings(self) -> list[Diagnostic]:
        return self.notes + [w for r in self.reports for w in r.collector.warnings]

    @property
    def skipped(self) -> list[Diagnostic]:
        return [s for r in self.reports for s in r.collector.skipped]

    @property
    def breaking(self) -> list[Change]:
        return [change for change in self.changes if change.breaking]

    def report_json(self) -> dict[str, Any]:
        return {
            "specs": [r.as_json() for r in self.reports],
            "warnings": [{"file": d.location.file, **_entry(d, "message")} for d in self.notes],
            "version": self.version,
            "previous_version": self.previous_version,
            "changes": [change.as_json() for change in self.changes],
        }


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the stages run.

    Loading and parsing allocate millions of small objects that all stay alive until the run ends, and
    each collection re-scans all of them: on a 10 MB spec the collector took 4/5 of the load time.
    Reference counting still frees everything acyclic; the collector resumes when the run ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_project(config: Config) -> tuple[ir.Project, list[SpecReport]]:
    """Load, repair, validate, parse and normalise every spec of the configuration."""
    from .validate import validation

    with _collector_paused(), validation(concurrent=len(config.specs) > 0) as checker:
        return _validated(checker, lambda: _build_project(config, checker))


def _validated(checker: Validation, work: Callable[[], _T]) -> _T:
    """`work()`, whose documents `checker` validates meanwhile; its verdicts come first.

    Whatever `work` raises, a document submitted before it failed that validation finds invalid is
    the error reported: that is what validating each document before using it would have found.
    """
    try:
        result = work()
    # Not an interrupt (BaseException): that stops the worker at once, see `validate.validation`.
    except Exception:
        checker.raise_first_error()
        raise
    checker.raise_first_error()
    return result


def _build_project(config: Config, checker: Validation) -> tuple[ir.Project, list[SpecReport]]:
    from . import ir
    from .load import load_document
    from .normalise import apply_profiles
    from .parse import ProjectNames, parse_api
    from .repair import apply_repairs
    from .validate import check_openapi

    project_names = ProjectNames()  # unique across the project, in the order of the specs
    apis: list[ir.Api] = []
    reports: list[SpecReport] = []
    for spec, name in zip(config.specs, config.api_names(), strict=True):
        names = project_names.claim(name)
        report = SpecReport(str(spec), names.module)
        with stage("load"):
            doc = load_document(spec, str(spec))
        with stage("validate"):
            version = check_openapi(doc)  # the repairs depend on it
        with stage("repair"):
            apply_repairs(doc, report.collector)
        # Validated in the worker while the stages go on; `_validated` reads the verdict.
        checker.submit(doc, version)
        with stage("parse"):
            api = parse_api(doc, names, report.collector)
        report.operations = len(api.operations)
        report.models = len(api.models) + len(api.enums)
        apis.append(api)
        reports.append(report)
    collectors = {r.api: r.collector for r in reports}
    with stage("normalise"):
        apis = apply_profiles(apis, list(config.profiles), collectors)
    version = config.version or INITIAL_VERSION  # (the release decides it: `release.py`)
    return ir.Project(config.package, version, tuple(apis)), reports


def run(
    config: Config,
    *,
    concurrent_validation: bool = True,
    prepare: Callable[[dict[str, str]], None] | None = None,
    previous: Previous | None = None,
) -> Result:
    """Everything but writing: returns the formatted files and the reports.

    The documents are validated in a worker process while they are parsed, rendered and formatted
    (`validate.py`); `concurrent_validation=False` validates them in this process instead (the same
    verdicts, without the worker's start-up: for callers that run many small specs in one process).

    `previous` is what the output folder holds of the last generation (read from it when not
    given): the API changes, the version and the changelog are worked out from it (`release.py`).

    `prepare` is given the formatted files before the run waits for the last verdicts, for work that
    can be done meanwhile and undone if a document is invalid after all (`output.Writer.stage`).
    What it raises is reported as any other error of the run: after an invalid document's verdict.
    """
    from .output import read_previous
    from .release import Package, make_package, strict_notes
    from .validate import validation

    if previous is None:
        previous = read_previous(config.output)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    working: list[float] = []  # the time of the stages; the rest is waiting for the verdicts
    with _collector_paused(), recording(timings), validation(concurrent_validation) as checker:

        def everything() -> tuple[ir.Project, list[SpecReport], Package]:
            begun = time.perf_counter()
            project, reports = _build_project(config, checker)
            if config.strict:
                enforce_strict(reports)
            package = make_package(project, config, previous)
            if config.strict:
                strict_notes(package.notes)
            if prepare is not None:
                with stage("output"):
                    prepare(package.files)
            working.append(time.perf_counter() - begun)
            return project, reports, package

        project, reports, package = _validated(checker, everything)
    seconds = time.perf_counter() - started
    timings["validate"] = timings.get("validate", 0.0) + seconds - sum(working)
    return Result(
        package.files,
        reports,
        dataclasses.replace(project, version=package.version),
        seconds,
        changes=package.changes,
        version=package.version,
        previous_version=package.previous_version,
        notes=package.notes,
        timings=timings,
    )


def enforce_strict(reports: list[SpecReport]) -> None:
    for report in reports:
        problems = report.collector.warnings + report.collector.skipped
        if problems:
            first = problems[0]
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise InputError(
                f"--strict: {first.message}{more}", first.location, first.code or "strict"
            )


def ad_hoc_config(
    specs: tuple[str, ...], output: str, package: str, profiles: tuple[str, ...], strict: bool
) -> Config:
    if not specs:
        raise InputError("give at least one SPEC file", Location("<command line>"), "usage")
    return Config(
        specs=tuple(Path(s) for s in specs),
        output=Path(output),
        package=package,
        profiles=tuple(Path(p) for p in profiles),
        strict=strict,
    )
