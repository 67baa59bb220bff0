"""The pipeline: load -> repair -> validate -> parse -> normalise -> render -> format, in memory;
`output` writes.

Each stage is a module with one job; this module only wires them together (`_build_project` runs the
stages up to normalise, `run` the rest) and gathers the per-spec reports (warnings, skipped items,
counts) that the CLI prints and `--report` writes.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .config import Config
from .diagnostics import Collector, Diagnostic, InputError, Location

if TYPE_CHECKING:
    from . import ir
    from .load import Document
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

    @property
    def warnings(self) -> list[Diagnostic]:
        return [w for r in self.reports for w in r.collector.warnings]

    @property
    def skipped(self) -> list[Diagnostic]:
        return [s for r in self.reports for s in r.collector.skipped]

    def report_json(self) -> dict[str, Any]:
        return {"specs": [r.as_json() for r in self.reports]}


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
    documents: dict[str, Document] = {}  # the job profiles' checks read the specs' examples
    for spec in config.specs:
        names = project_names.claim(spec.stem)
        report = SpecReport(str(spec), names.module)
        doc = load_document(spec, str(spec))
        version = check_openapi(doc)  # the repairs depend on it
        apply_repairs(doc, report.collector)
        # Validated in the worker while the stages go on; `_validated` reads the verdict.
        checker.submit(doc, version)
        api = parse_api(doc, names, report.collector)
        report.operations = len(api.operations)
        report.models = len(api.models) + len(api.enums)
        apis.append(api)
        reports.append(report)
        documents[api.name] = doc
    collectors = {r.api: r.collector for r in reports}
    apis = apply_profiles(apis, list(config.profiles), collectors, documents)
    return ir.Project(config.package, config.version, tuple(apis)), reports


def run(
    config: Config,
    *,
    concurrent_validation: bool = True,
    prepare: Callable[[dict[str, str]], None] | None = None,
) -> Result:
    """Everything but writing: returns the formatted files and the reports.

    The documents are validated in a worker process while they are parsed, rendered and formatted
    (`validate.py`); `concurrent_validation=False` validates them in this process instead (the same
    verdicts, without the worker's start-up: for callers that run many small specs in one process).

    `prepare` is given the formatted files before the run waits for the last verdicts, for work that
    can be done meanwhile and undone if a document is invalid after all (`output.Writer.stage`).
    What it raises is reported as any other error of the run: after an invalid document's verdict.
    """
    from .format import format_files
    from .render import render_project, static_paths
    from .validate import validation

    started = time.perf_counter()
    with _collector_paused(), validation(concurrent_validation) as checker:

        def everything() -> tuple[dict[str, str], ir.Project, list[SpecReport]]:
            project, reports = _build_project(config, checker)
            if config.strict:
                enforce_strict(reports)
            files = format_files(render_project(project), static_paths(project))
            if prepare is not None:
                prepare(files)
            return files, project, reports

        files, project, reports = _validated(checker, everything)
    return Result(files, reports, project, time.perf_counter() - started)


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
