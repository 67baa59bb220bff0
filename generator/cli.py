"""Stage 7, cli: the `jobgen` command. The only module that prints or exits.

Exit codes: 0 ok (warnings allowed), 1 the output is stale (`check`), 2 bad usage or invalid input,
3 breaking API changes refused (`--fail-on-breaking`), 130 interrupted, 70 a bug in jobgen. Bad
input is reported as one line `jobgen: error: FILE:LINE #POINTER: message`, never a traceback. An
interrupt or a bug says what the run left in the output folder; an error of the output stage says
so in its message (any other error comes before the output folder is touched).

What changed in the package's API goes to stdout: one line (`generate`), each change with
`--verbose`; `check` writes each change as a `#` comment before its patch, which `git apply`
skips.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__, cache
from .config import Config, check_package_name, load_config
from .diagnostics import InputError, Location
from .output import UNCHANGED, Comparison, Writer, compare, read_previous, writing
from .pipeline import Result, ad_hoc_config, build_project, enforce_strict
from .timing import STAGES

F = TypeVar("F", bound=Callable[..., Any])

EXIT_STALE = 1
EXIT_INPUT = 2
EXIT_BREAKING = 3
EXIT_INTERRUPTED = 130
EXIT_BUG = 70


def _common(func: F) -> F:
    options = [
        click.argument("specs", nargs=-1, type=click.Path(dir_okay=False, path_type=str)),
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False, path_type=str),
            help="pyproject.toml holding [tool.jobgen] (default: ./pyproject.toml).",
        ),
        click.option(
            "--output",
            "-o",
            type=click.Path(file_okay=False, path_type=str),
            help="Output folder (with SPEC arguments).",
        ),
        click.option(
            "--package", "-p", help="Import name of the generated package (with SPEC arguments)."
        ),
        click.option(
            "--profile",
            "profiles",
            multiple=True,
            type=click.Path(dir_okay=False, path_type=str),
            help="Job-profile file (with SPEC arguments; repeatable).",
        ),
        click.option(
            "--report",
            "report_path",
            type=click.Path(dir_okay=False, path_type=str),
            help="Write a JSON report of what was generated, skipped and warned about.",
        ),
        click.option(
            "--strict", is_flag=True, help="Treat warnings and skipped items as errors (exit 2)."
        ),
        click.option("--quiet", "-q", is_flag=True, help="Print only errors."),
        click.option(
            "--verbose",
            "-v",
            is_flag=True,
            help="Print every warning and API change, each stage's time, and the files written.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jobgen")
def cli() -> None:
    """Generate a typed Python client for Elastic Path Commerce's job APIs from their OpenAPI specs."""


def _config(
    specs: tuple[str, ...],
    config_path: str | None,
    output: str | None,
    package: str | None,
    profiles: tuple[str, ...],
    strict: bool,
    fail_on_breaking: bool = False,
) -> Config:
    if specs:
        if config_path:
            raise click.UsageError("give either SPEC files or --config, not both")
        if not output or not package:
            raise click.UsageError("with SPEC files, --output and --package are required")
        config = ad_hoc_config(specs, output, check_package_name(package), profiles, strict)
    else:
        if output or package or profiles:
            raise click.UsageError(
                "--output, --package and --profile go with SPEC files; otherwise use [tool.jobgen]"
            )
        config = load_config(Path(config_path or "pyproject.toml"))
    # The command line adds to the configuration; it does not take back what it says.
    return dataclasses.replace(
        config,
        strict=config.strict or strict,
        fail_on_breaking=config.fail_on_breaking or fail_on_breaking,
    )


def _say(quiet: bool, message: str) -> None:
    if not quiet:
        click.echo(message, err=True)


def _print_warnings(result: Result, quiet: bool, verbose: bool, notes: bool | None = None) -> None:
    if quiet:
        return
    if verbose if notes is None else notes:
        for report in result.reports:
            for note in report.collector.notes:
                click.echo(f"jobgen: {note.location}: note: {note.message}", err=True)
    problems = result.warnings + result.skipped
    limit = None if verbose else 20
    for diagnostic in problems[:limit]:
        click.echo(f"jobgen: {diagnostic}", err=True)
    if limit is not None and len(problems) > limit:
        click.echo(
            f"jobgen: ... and {len(problems) - limit} more (see --report or --verbose)", err=True
        )


def _write_report(result: Result, path: str | None) -> None:
    if path is None:
        return
    try:
        Path(path).write_text(json.dumps(result.report_json(), indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"cannot write the report: {exc.strerror}", Location(path), "report"
        ) from None


def _summary(result: Result, action: str) -> str:
    operations = sum(r.operations for r in result.reports)
    models = sum(r.models for r in result.reports)
    specs = len(result.reports)
    return (
        f"jobgen: {action}: {specs} spec{'s' * (specs != 1)}, {operations} operations, {models} models, "
        f"{len(result.warnings)} warnings, {len(result.skipped)} skipped in {result.seconds:.2f}s"
        + (" (cached)" if result.cached else "")
    )


def _changes_line(result: Result) -> str | None:
    """One line on what changed in the package's API and its version; None when nothing did."""
    if not result.changes and result.version == result.previous_version:
        return None
    if result.previous_version is None:
        return f"jobgen: API: first generation, version {result.version}"
    counts = {
        kind: sum(c.kind == kind for c in result.changes)
        for kind in ("added", "changed", "removed")
    }
    listed = ", ".join(f"{count} {kind}" for kind, count in counts.items() if count)
    breaking = len(result.breaking)
    what = (
        f"{len(result.changes)} change{'s' * (len(result.changes) != 1)} ({listed}), "
        f"{breaking} breaking"
        if result.changes
        else "no change (other generated code changed)"
    )
    moved = (
        f"version {result.previous_version} -> {result.version}"
        if result.version != result.previous_version
        else f"version {result.version}"
    )
    return f"jobgen: API: {what}; {moved}"


def _print_changes(result: Result, verbose: bool, prefix: str = "  ") -> None:
    """The API changes on stdout: the summary line, and each change with `verbose`."""
    line = _changes_line(result)
    if line is None:
        return
    click.echo(prefix.strip() + (" " if prefix.strip() else "") + line)
    if verbose:
        for change in result.changes:
            click.echo(f"{prefix}{change}")


def _print_timings(result: Result, verbose: bool, output_seconds: float | None = None) -> None:
    if not verbose:
        return
    timings = dict(result.timings)
    if output_seconds is not None:
        timings["output"] = timings.get("output", 0.0) + output_seconds
    order = ["cache", *STAGES]
    parts = [f"{name} {timings[name]:.3f}s" for name in order if name in timings]
    click.echo(f"jobgen: timings: {', '.join(parts)}", err=True)


def _print_written(comparison: Comparison, output: Path, verbose: bool) -> None:
    if not verbose:
        return
    for path in comparison.changed:
        click.echo(f"jobgen: wrote {output / path}", err=True)
    for path in comparison.removed:
        click.echo(f"jobgen: removed {output / path}", err=True)


def _refuse_breaking(result: Result, config: Config) -> bool:
    """With `fail_on_breaking`, print the breaking changes and say the run refuses them."""
    if not config.fail_on_breaking or not result.breaking:
        return False
    for change in result.breaking:
        click.echo(f"jobgen: {change}", err=True)
    count = len(result.breaking)
    click.echo(
        f"jobgen: refused: {count} breaking API change{'s' * (count != 1)} (--fail-on-breaking); "
        f"{UNCHANGED}",
        err=True,
    )
    return True


def _guarded(
    body: Callable[[], int], verbose: bool, outcome: Callable[[], str] = lambda: UNCHANGED
) -> None:
    """Run a command's body; print and exit as the contract says. `outcome` tells what the run
    has done to the output folder, for the messages of an interrupt or a bug."""
    try:
        code = body()
    except InputError as exc:
        for problem in exc.diagnostics:
            click.echo(f"jobgen: error: {problem.location}: {problem.message}", err=True)
        sys.exit(EXIT_INPUT)
    except click.ClickException:
        raise
    except KeyboardInterrupt:
        click.echo(f"jobgen: interrupted; {outcome()}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:  # a bug in jobgen, not in the input
        if verbose:
            import traceback

            traceback.print_exc()
        click.echo(
            f"jobgen: internal error: {type(exc).__name__}: {exc} (run with --verbose for details); "
            f"{outcome()}",
            err=True,
        )
        sys.exit(EXIT_BUG)
    sys.exit(code)


# The result cache (cache.py) serves `generate` and `check` when no input changed.
_no_cache = click.option(
    "--no-cache",
    is_flag=True,
    help="Run every stage even when no input changed (neither read nor write .jobgen-cache/).",
)
_fail_on_breaking = click.option(
    "--fail-on-breaking",
    is_flag=True,
    help="Exit 3, printing them, when the API changes in a way that breaks code written for the "
    "package in the output folder; write nothing (also `fail_on_breaking = true`).",
)


@cli.command()
@_common
@_no_cache
@_fail_on_breaking
def generate(
    specs: tuple[str, ...],
    config_path: str | None,
    output: str | None,
    package: str | None,
    profiles: tuple[str, ...],
    report_path: str | None,
    strict: bool,
    quiet: bool,
    verbose: bool,
    no_cache: bool,
    fail_on_breaking: bool,
) -> None:
    """Generate the client package into the output folder."""

    writers: list[Writer] = []

    def body() -> int:
        config = _config(specs, config_path, output, package, profiles, strict, fail_on_breaking)
        with writing(config.output) as writer:
            writers.append(writer)
            # The changed files are staged while the last documents are still being validated,
            # and committed once they are valid; a run that may refuse them stages nothing.
            stage = None if config.fail_on_breaking else writer.stage
            previous = read_previous(config.output)
            result = cache.run(config, enabled=not no_cache, prepare=stage, previous=previous)
            # The release goes on from the one the folder holds under its lock: another run may
            # have made one since `previous` was read (the lock is taken when the files are staged).
            writer.open()
            current = read_previous(config.output)
            if current != previous:
                result = cache.run(config, enabled=not no_cache, prepare=stage, previous=current)
            _write_report(result, report_path)
            _print_warnings(result, quiet, verbose)
            if _refuse_breaking(result, config):
                return EXIT_BREAKING
            started = time.perf_counter()
            comparison = writer.commit(result.files)
            writing_time = time.perf_counter() - started
        action = (
            f"wrote {len(comparison.changed) + len(comparison.removed)} files to {config.output}"
            if not comparison.clean
            else f"{config.output} is up to date"
        )
        if not quiet:
            _print_changes(result, verbose)
            _print_written(comparison, config.output, verbose)
            _print_timings(result, verbose, writing_time)
        _say(quiet, _summary(result, action))
        return 0

    _guarded(body, verbose, lambda: writers[0].state if writers else UNCHANGED)


@cli.command()
@_common
@_no_cache
@_fail_on_breaking
def check(
    specs: tuple[str, ...],
    config_path: str | None,
    output: str | None,
    package: str | None,
    profiles: tuple[str, ...],
    report_path: str | None,
    strict: bool,
    quiet: bool,
    verbose: bool,
    no_cache: bool,
    fail_on_breaking: bool,
) -> None:
    """Exit 0 if the output folder is up to date, 1 with a unified diff if it is stale (3 with
    --fail-on-breaking when the regeneration would break the API). The API changes come first, as
    `#` comments; the diff's paths are relative to the current folder, for `git apply`."""

    def body() -> int:
        config = _config(specs, config_path, output, package, profiles, strict, fail_on_breaking)
        result = cache.run(config, enabled=not no_cache)
        _write_report(result, report_path)
        comparison = compare(result.files, config.output)
        if not quiet:
            _print_timings(result, verbose)
        if comparison.clean:
            _say(quiet, _summary(result, f"{config.output} is up to date"))
            return 0
        _print_changes(result, True, prefix="# ")
        click.echo(comparison.diff, nl=False)
        stale = len(comparison.changed) + len(comparison.removed)
        _say(
            quiet, f"jobgen: {config.output} is stale: {stale} files differ; run `jobgen generate`"
        )
        return EXIT_BREAKING if _refuse_breaking(result, config) else EXIT_STALE

    _guarded(body, verbose)


@cli.command()
@_common
def validate(
    specs: tuple[str, ...],
    config_path: str | None,
    output: str | None,
    package: str | None,
    profiles: tuple[str, ...],
    report_path: str | None,
    strict: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Check specs (and job profiles) and report problems with their locations."""

    def body() -> int:
        if specs:
            config = ad_hoc_config(specs, output or "unused", package or "unused", profiles, strict)
        else:
            config = _config((), config_path, None, None, (), strict)
        started = time.perf_counter()
        project, reports = build_project(config)
        result = Result({}, reports, project, time.perf_counter() - started)
        _write_report(result, report_path)
        _print_warnings(result, quiet, True, notes=verbose)
        if config.strict:
            enforce_strict(reports)
        _say(quiet, _summary(result, "valid"))
        return 0

    _guarded(body, verbose)


@cli.group()
def profiles() -> None:
    """Job profiles: draft one from the specs."""


@profiles.command()
@click.argument("specs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(dir_okay=False, path_type=str),
    help="Write the draft to FILE instead of standard output.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
def suggest(specs: tuple[str, ...], output: str | None, quiet: bool) -> None:
    """Draft a commented version 2 job profile for each job-like resource of the SPEC files."""
    from .normalise.suggest import draft_profile

    def body() -> int:
        text, drafts = draft_profile(specs)
        if output is None:
            click.echo(text, nl=False)
        else:
            try:
                Path(output).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise InputError(
                    f"cannot write the draft: {exc.strerror}", Location(output), "output"
                ) from None
        guesses = sum(draft.guesses for draft in drafts)
        _say(
            quiet,
            f"jobgen: drafted {len(drafts)} job famil{'y' if len(drafts) == 1 else 'ies'}"
            f" from {len(specs)} spec{'s' * (len(specs) != 1)}; {guesses} guesses are marked "
            "`# GUESS`",
        )
        return 0

    _guarded(body, False)


def main() -> None:
    cli(prog_name="jobgen")
