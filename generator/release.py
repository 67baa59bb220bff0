"""The package as one release: rendered and formatted at its version, with its changelog and API
surface file.

From the IR and what the output folder holds of the previous generation (`output.Previous`):
the views are made, the API surface is built from them and compared with the previous one
(`changes.py`), the version follows (pinned, or moved by semver), the templates are rendered at
that version and formatted, and `CHANGELOG.md` and `api-surface.json` are added.

Whether anything but the API changed (a patch release) is only known once the package is
rendered: it is rendered at the previous version first, its digest compared with the one the
surface file keeps, and the files whose text depends on the version are rendered and formatted
again when the version moves.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from . import ir
from .changes import Change, Release, compare, next_version, record
from .config import INITIAL_VERSION, Config
from .diagnostics import Diagnostic, InputError, Level, Location
from .format import format_files
from .output import SURFACE, Previous
from .render import package_view, render_project
from .render.changelog import changelog_view
from .render.project import PACKAGE_TEMPLATES, render_changelog, unknown_overlay_files
from .render.views import PackageView
from .surface import (
    Damaged,
    SurfaceFile,
    build_surface,
    package_digest,
    read_surface,
    surface_text,
)
from .timing import stage

CHANGELOG = "CHANGELOG.md"
_OWN = (CHANGELOG, SURFACE)  # the files a release adds: its digest is of the others


@dataclass
class Package:
    """The files of a release, and what it changed."""

    files: dict[str, str]
    version: str
    previous_version: str | None  # None: a first generation
    changes: list[Change] = field(default_factory=list)
    notes: list[Diagnostic] = field(default_factory=list)  # warnings not about a spec


def make_package(project: ir.Project, config: Config, previous: Previous) -> Package:
    """The package's files at the version its changes give."""
    notes = _overlay_notes(config)
    earlier = _earlier(previous, config, notes)
    with stage("render"):
        view = package_view(project)
        surface = build_surface(project, view, config.root)
    if earlier is None:
        changes: list[Change] = []
        version = config.version or INITIAL_VERSION
        releases: tuple[Release, ...] = ()
    else:
        changes = compare(earlier.symbols, surface)
        version = config.version or next_version(earlier.version, changes, False)
        releases = earlier.releases
    raw, files = _render(project, config, dataclasses.replace(view, version=version))
    if (
        earlier is not None
        and config.version is None
        and version == earlier.version
        and package_digest(files, _OWN) != earlier.digest
    ):
        version = next_version(earlier.version, changes, True)
        files = _render_again(
            project, config, dataclasses.replace(view, version=version), raw, files
        )
    releases = record(releases, version, changes)
    with stage("render"):
        final = dataclasses.replace(view, version=version)
        text = render_changelog(final, changelog_view(releases), overlay=config.templates)
        digest = package_digest(files, _OWN)
        files[CHANGELOG] = text.rstrip("\n") + "\n"
        files[SURFACE] = surface_text(
            SurfaceFile(project.package, version, digest, surface, releases)
        )
    previous_version = earlier.version if earlier is not None else None
    return Package(files, version, previous_version, changes, notes)


def _earlier(previous: Previous, config: Config, notes: list[Diagnostic]) -> SurfaceFile | None:
    """The previous generation's surface; None for a first generation (or a damaged file)."""
    if previous.surface is None:
        return None
    found = (
        read_surface(previous.surface) if previous.surface.strip() else Damaged("empty or missing")
    )
    if isinstance(found, Damaged):
        notes.append(
            Diagnostic(
                Level.WARNING,
                f"the API surface file is damaged ({found.reason}): the generation is treated "
                "as a first one (no API changes listed; the version and the changelog start again)",
                Location(str(config.output / SURFACE)),
                "damaged-surface",
            )
        )
        return None
    return found


def _overlay_notes(config: Config) -> list[Diagnostic]:
    if config.templates is None:
        return []
    return [
        Diagnostic(
            Level.WARNING,
            "replaces no package template (a file that only others include starts with `_`)",
            Location(str(config.templates / name)),
            "template",
        )
        for name in unknown_overlay_files(config.templates)
    ]


def _render(
    project: ir.Project, config: Config, view: PackageView
) -> tuple[dict[str, str], dict[str, str]]:
    """The rendered files, and the same formatted."""
    with stage("render"):
        raw = render_project(project, view=view, overlay=config.templates)
        if config.templates is not None:
            _check_overlay_python(raw, config.templates, view)
    with stage("format"):
        files = format_files(raw)
    return raw, files


def _check_overlay_python(raw: dict[str, str], overlay: Path, view: PackageView) -> None:
    """A Python module an overlay template renders must parse: an error at that template (ruff's
    own message could only name the rendered file, which the user did not write)."""
    import ast

    for name, target, variables in PACKAGE_TEMPLATES:
        template = overlay / name
        if not target.endswith(".py") or not template.is_file():
            continue
        modules = [api.module for api in view.apis] if "api" in variables else [""]
        for module in modules:
            path = target.format(package=view.package, api=module)
            try:
                ast.parse(raw[path], filename=path)
            except SyntaxError as exc:
                raise InputError(
                    f"template renders {path} as Python that does not parse: {exc.msg} "
                    f"(line {exc.lineno} of {path})",
                    Location(str(template)),
                    "template",
                ) from None


def _render_again(
    project: ir.Project,
    config: Config,
    view: PackageView,
    raw: dict[str, str],
    files: dict[str, str],
) -> dict[str, str]:
    """`files` at another version: only the files whose rendered text differs are formatted again."""
    with stage("render"):
        again = render_project(project, view=view, overlay=config.templates)
    changed = {path: text for path, text in again.items() if raw.get(path) != text}
    # The package's ruff settings come with it (format_files reads them from pyproject.toml).
    changed.setdefault("pyproject.toml", again["pyproject.toml"])
    with stage("format"):
        formatted = format_files(changed)
    return {**files, **formatted}


def strict_notes(notes: list[Diagnostic]) -> None:
    """`--strict`: a warning of the release (a damaged surface file, an unused overlay file) is an
    error too."""
    if notes:
        first = notes[0]
        more = f" (and {len(notes) - 1} more)" if len(notes) > 1 else ""
        raise InputError(f"--strict: {first.message}{more}", first.location, first.code)
