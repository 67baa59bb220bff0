"""The pipeline: load -> repair -> validate -> parse -> normalise -> render -> format, in memory;
`output` writes.

Each stage is a module with one job; this module only wires them together (`_build_project` runs the
stages up to normalise, `run` the rest) and gathers the per-spec reports (warnings, skipped items,
counts) that the CLI prints and `--report` writes.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .config import INITIAL_VERSION, Config
from .diagnostics import Collector, Diagnostic, InputError, InputErrors, Location
from .timing import stage

if TYPE_CHECKING:
    from . import ir
    from .changes import Change
    from .load import Document
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
        report: dict[str, Any] = {
            "specs": [r.as_json() for r in self.reports],
            "warnings": [{"file": d.location.file, **_entry(d, "message")} for d in self.notes],
        }
        if self.version:  # a release was made (`generate`, `check`; not `validate`)
            report["version"] = self.version
            report["previous_version"] = self.previous_version
            report["changes"] = [change.as_json() for change in self.changes]
        return report


@dataclass
class _Loaded:
    """A spec's document, loaded, checked and repaired once for all the run's attempts, with what
    the repairs and the pruning found (or the error that stopped it)."""

    doc: Document | None = None
    version: str = ""
    found: Collector = field(default_factory=Collector)
    error: InputError | None = None
    valid: bool = False  # the validation's verdict is in and finds nothing


@dataclass
class _Inputs:
    """The specs of a run as far as it got: their documents, and each spec's error (by index)."""

    loaded: dict[int, _Loaded] = field(default_factory=dict)
    errors: dict[int, InputError] = field(default_factory=dict)

    def load(self, index: int, spec: Path) -> _Loaded:
        from .load import load_document
        from .repair import apply_repairs
        from .validate import check_openapi

        loaded = self.loaded.get(index)
        if loaded is None:
            loaded = self.loaded[index] = _Loaded()
            try:
                with stage("load"):
                    loaded.doc = load_document(spec, str(spec))
                with stage("validate"):
                    loaded.version = check_openapi(loaded.doc)  # the repairs depend on it
                with stage("repair"):
                    apply_repairs(loaded.doc, loaded.found)
            except InputError as error:
                loaded.error = error
        if loaded.error is not None:
            raise loaded.error
        return loaded


# A document is pruned and validated again until it is valid: each round leaves out at least one
# item, and a problem that survives this many rounds is reported as an error.
_MAX_PRUNING_ROUNDS = 25


def build_project(config: Config) -> tuple[ir.Project, list[SpecReport]]:
    """Load, repair, validate, parse and normalise every spec of the configuration."""
    return _validated(config, True, lambda inputs, checker: _build_project(config, inputs, checker))


def _validated(
    config: Config,
    concurrent: bool,
    work: Callable[[_Inputs, Validation], _T],
) -> _T:
    """`work(inputs, checker)`, whose documents `checker` validates meanwhile; its verdicts come first.

    A document the validation finds invalid is pruned (`prune.py`: what cannot be read is left
    out, with a located `skipped` entry) and the work done again, its documents validated again
    (here: the worker is for the first, fast round). What no item holds is an error; whatever else
    the work raised, the error of a document submitted before it failed that validation finds
    invalid is the one reported: that is what validating each document before using it would have
    found. Every error of every spec is reported together (`InputErrors`), in the order of the specs.
    """
    from .prune import prune
    from .validate import validation

    inputs = _Inputs()
    rounds = 0
    while True:
        with validation(concurrent and rounds == 0 and len(config.specs) > 0) as checker:
            inputs.errors.clear()
            try:
                result: _T | None = work(inputs, checker)
                failure: Exception | None = None
            # Not an interrupt (BaseException): that stops the worker at once.
            except Exception as exc:
                result, failure = None, exc
            invalid = {id(doc): problems for doc, problems in checker.invalid_documents()}
        for loaded in inputs.loaded.values():
            if loaded.doc is not None and id(loaded.doc) not in invalid and not loaded.error:
                loaded.valid = loaded.valid or loaded.doc in _submitted(checker)
        if not invalid:
            if failure is not None:
                raise failure
            assert result is not None
            return result
        rounds += 1
        errors: dict[int, list[InputError]] = {}
        for index, loaded in sorted(inputs.loaded.items()):
            problems = invalid.get(id(loaded.doc))
            if loaded.doc is not None and problems is not None:
                if rounds >= _MAX_PRUNING_ROUNDS:
                    errors[index] = [
                        InputError(message, loaded.doc.location(pointer), code)
                        for message, pointer, code in problems
                    ]
                else:
                    errors[index] = prune(loaded.doc, problems, loaded.found)
            elif index in inputs.errors:
                errors[index] = _each(inputs.errors[index])
        reported = [error for _, found in sorted(errors.items()) for error in found]
        if reported:
            raise reported[0] if len(reported) == 1 else InputErrors(reported)


def _submitted(checker: Validation) -> list[Document]:
    return [doc for doc, _ in checker.submitted]


def _each(error: InputError) -> list[InputError]:
    return list(error.errors) if isinstance(error, InputErrors) else [error]


def _build_project(
    config: Config, inputs: _Inputs, checker: Validation
) -> tuple[ir.Project, list[SpecReport]]:
    from . import ir
    from .normalise import apply_profiles
    from .parse import ProjectNames, parse_api

    project_names = ProjectNames()  # unique across the project, in the order of the specs
    apis: list[ir.Api] = []
    reports: list[SpecReport] = []
    documents: dict[str, Document] = {}  # the job profiles' checks read the specs' examples
    for index, (spec, name) in enumerate(zip(config.specs, config.api_names(), strict=True)):
        names = project_names.claim(name)
        report = SpecReport(str(spec), names.module)
        try:
            loaded = inputs.load(index, spec)
            assert loaded.doc is not None
            report.collector.warnings.extend(loaded.found.warnings)
            report.collector.skipped.extend(loaded.found.skipped)
            if not loaded.valid:
                # Validated in the worker while the stages go on; `_validated` reads the verdict.
                checker.submit(loaded.doc, loaded.version)
            with stage("parse"):
                api = parse_api(loaded.doc, names, report.collector)
        except InputError as error:
            inputs.errors[index] = error  # the other specs are read all the same
            continue
        report.operations = len(api.operations)
        report.models = len(api.models) + len(api.enums)
        apis.append(api)
        reports.append(report)
        documents[api.name] = loaded.doc
    if inputs.errors:
        found = [e for _, error in sorted(inputs.errors.items()) for e in _each(error)]
        raise found[0] if len(found) == 1 else InputErrors(found)
    collectors = {r.api: r.collector for r in reports}
    with stage("normalise"):
        apis = apply_profiles(apis, list(config.profiles), collectors, documents)
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
    from .timing import recording

    if previous is None:
        previous = read_previous(config.output)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    working: list[float] = []  # the time of the stages; the rest is waiting for the verdicts

    def everything(
        inputs: _Inputs, checker: Validation
    ) -> tuple[ir.Project, list[SpecReport], Package]:
        begun = time.perf_counter()
        project, reports = _build_project(config, inputs, checker)
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

    with recording(timings):
        project, reports, package = _validated(config, concurrent_validation, everything)
    seconds = time.perf_counter() - started
    timings["validate"] = timings.get("validate", 0.0) + max(0.0, seconds - sum(working))
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
