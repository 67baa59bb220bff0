"""Stage 7, cli: the `jobgen` command. The only module that prints or exits.

Exit codes: 0 ok (warnings allowed), 1 the output is stale (`check`), 2 bad usage or invalid input,
130 interrupted, 70 a bug in jobgen. Bad input is reported as one line
`jobgen: error: FILE:LINE #POINTER: message`, never a traceback. An interrupt or a bug says what
the run left in the output folder; an error of the output stage says so in its message (any other
error comes before the output folder is touched).
"""

from __future__ import annotations

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
from .output import UNCHANGED, Writer, compare, writing
from .pipeline import Result, ad_hoc_config, build_project, enforce_strict

F = TypeVar("F", bound=Callable[..., Any])

EXIT_STALE = 1
EXIT_INPUT = 2
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
            "--verbose", "-v", is_flag=True, help="Print every warning and timing detail."
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
) -> Config:
    if specs:
        if config_path:
            raise click.UsageError("give either SPEC files or --config, not both")
        if not output or not package:
            raise click.UsageError("with SPEC files, --output and --package are required")
        return ad_hoc_config(specs, output, check_package_name(package), profiles, strict)
    if output or package or profiles:
        raise click.UsageError(
            "--output, --package and --profile go with SPEC files; otherwise use [tool.jobgen]"
        )
    config = load_config(Path(config_path or "pyproject.toml"))
    if strict and not config.strict:
        config = Config(
            config.specs,
            config.output,
            config.package,
            config.profiles,
            config.version,
            True,
            config.source,
        )
    return config


def _say(quiet: bool, message: str) -> None:
    if not quiet:
        click.echo(message, err=True)


def _print_warnings(result: Result, quiet: bool, verbose: bool) -> None:
    if quiet:
        return
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


@cli.command()
@_common
@_no_cache
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
) -> None:
    """Generate the client package into the output folder."""

    writers: list[Writer] = []

    def body() -> int:
        config = _config(specs, config_path, output, package, profiles, strict)
        with writing(config.output) as writer:
            writers.append(writer)
            # The changed files are staged while the last documents are still being validated,
            # and committed once they are valid.
            result = cache.run(config, enabled=not no_cache, prepare=writer.stage)
            _write_report(result, report_path)
            _print_warnings(result, quiet, verbose)
            comparison = writer.commit(result.files)
        action = (
            f"wrote {len(comparison.changed) + len(comparison.removed)} files to {config.output}"
            if not comparison.clean
            else f"{config.output} is up to date"
        )
        _say(quiet, _summary(result, action))
        return 0

    _guarded(body, verbose, lambda: writers[0].state if writers else UNCHANGED)


@cli.command()
@_common
@_no_cache
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
) -> None:
    """Exit 0 if the output folder is up to date, 1 with a unified diff if it is stale."""

    def body() -> int:
        config = _config(specs, config_path, output, package, profiles, strict)
        result = cache.run(config, enabled=not no_cache)
        _write_report(result, report_path)
        comparison = compare(result.files, config.output)
        if comparison.clean:
            _say(quiet, _summary(result, f"{config.output} is up to date"))
            return 0
        click.echo(comparison.diff, nl=False)
        stale = len(comparison.changed) + len(comparison.removed)
        _say(
            quiet, f"jobgen: {config.output} is stale: {stale} files differ; run `jobgen generate`"
        )
        return EXIT_STALE

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
        _print_warnings(result, quiet, True)
        if config.strict:
            enforce_strict(reports)
        _say(quiet, _summary(result, "valid"))
        return 0

    _guarded(body, verbose)


def main() -> None:
    cli(prog_name="jobgen")
