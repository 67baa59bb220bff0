"""`render_project`: the package's views through the Jinja templates, plus the runtime's files.

The package templates (`templates/package/`) may be overlaid file by file: a template of the same
relative name in the overlay folder (`[tool.jobgen] templates`) is used instead. What each template
receives is the contract `docs/templates.md` documents (`PACKAGE_TEMPLATES`, and the views).
A template of the overlay that fails (a syntax error, an undefined variable) is an error of the
input at its file and line.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from .. import ir, speed
from ..diagnostics import InputError, Location
from ..inputs import template_dir
from .package import package_view
from .pysource import comment, docstring_body, py_str
from .views import ChangelogView, PackageView

RUNTIME_DIR = "runtime"
PACKAGE_DIR = "package"

# Every package template (by its name under templates/package), the file it renders (`{package}`:
# the import name, `{api}`: each API's module) and the variables it receives.
PACKAGE_TEMPLATES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("pyproject.toml.jinja", "pyproject.toml", ("pkg",)),
    ("README.md.jinja", "README.md", ("pkg",)),
    ("__init__.py.jinja", "{package}/__init__.py", ("pkg",)),
    ("_version.py.jinja", "{package}/_version.py", ("pkg",)),
    ("_servers.py.jinja", "{package}/_servers.py", ("pkg",)),
    ("_client.py.jinja", "{package}/_client.py", ("pkg",)),
    ("_profiles.py.jinja", "{package}/_profiles.py", ("pkg",)),
    ("_job_families.py.jinja", "{package}/_job_families.py", ("pkg",)),
    ("api/__init__.py.jinja", "{package}/{api}/__init__.py", ("pkg", "api")),
    ("api/models.py.jinja", "{package}/{api}/models.py", ("pkg", "api")),
    ("api/resources.py.jinja", "{package}/{api}/resources.py", ("pkg", "api")),
    ("CHANGELOG.md.jinja", "CHANGELOG.md", ("pkg", "changelog")),
)
CHANGELOG_TEMPLATE = "CHANGELOG.md.jinja"


@cache
def _environment(template_dir: str, bytecode: bool) -> jinja2.Environment:
    return _new_environment(template_dir, None, bytecode)


def _new_environment(template_dir: str, overlay: str | None, bytecode: bool) -> jinja2.Environment:
    loader: jinja2.BaseLoader = jinja2.FileSystemLoader(template_dir)
    if overlay is not None:
        # `package/<name>` is looked up in the overlay first, then among jobgen's templates.
        prefixed = jinja2.PrefixLoader({PACKAGE_DIR: jinja2.FileSystemLoader(overlay)})
        loader = jinja2.ChoiceLoader([prefixed, loader])
    env = jinja2.Environment(
        loader=loader,
        bytecode_cache=_bytecode_cache() if bytecode else None,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pystr"] = py_str
    env.filters["docstring"] = docstring_body
    env.filters["comment"] = comment
    return env


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Jinja's cache of compiled templates (what `__pycache__` is to Python modules): a speed
    trick (`template-bytecode`, see `speed.py`).

    Compiling the templates is most of a small spec's rendering time. Jinja keys each entry by the
    template's source and its own version, in a folder of the user's own under the temporary
    directory; where there is none to be had, templates are compiled every run.
    """
    try:
        return jinja2.FileSystemBytecodeCache()
    except (OSError, RuntimeError):
        return None


def render_project(
    project: ir.Project,
    templates: Path | None = None,
    *,
    view: PackageView | None = None,
    overlay: Path | None = None,
) -> dict[str, str]:
    """Render every file of the package but the changelog (`render_changelog`). Paths are
    relative to the output folder, POSIX style. `view`: the package's view, when already made."""
    root = templates or template_dir()
    renderer = _Renderer(root, overlay)
    view = view if view is not None else package_view(project)
    pkg = project.package
    files: dict[str, str] = {}
    for name, target, variables in PACKAGE_TEMPLATES:
        if "changelog" in variables:
            continue
        if "api" in variables:
            for api in view.apis:
                path = target.format(package=pkg, api=api.module)
                files[path] = renderer.render(name, pkg=view, api=api)
        else:
            files[target.format(package=pkg)] = renderer.render(name, pkg=view)
    files[f"{pkg}/py.typed"] = ""
    runtime = root / RUNTIME_DIR
    for source in sorted(runtime.rglob("*.py")):
        relative = source.relative_to(runtime).as_posix()
        files[f"{pkg}/{relative}"] = source.read_text(encoding="utf-8")
    return files


def render_changelog(
    view: PackageView,
    changelog: ChangelogView,
    templates: Path | None = None,
    *,
    overlay: Path | None = None,
) -> str:
    """The package's CHANGELOG.md."""
    renderer = _Renderer(templates or template_dir(), overlay)
    return renderer.render(CHANGELOG_TEMPLATE, pkg=view, changelog=changelog)


class _Renderer:
    def __init__(self, root: Path, overlay: Path | None) -> None:
        # An environment remembers where it found each template: one with an overlay is made
        # for each run, so that a file added to the overlay since is found.
        self._env = (
            _environment(str(root), speed.on("template-bytecode"))
            if overlay is None
            else _new_environment(str(root), str(overlay), speed.on("template-bytecode"))
        )
        self._overlay = overlay

    def render(self, name: str, **context: Any) -> str:
        try:
            return self._env.get_template(f"{PACKAGE_DIR}/{name}").render(**context)
        except Exception as exc:
            if self._overlay is None:
                raise
            located = _overlay_error(exc, self._overlay)
            if located is None:
                raise
            raise located from None


def _overlay_error(exc: Exception, overlay: Path) -> InputError | None:
    """The error of an overlay template at its file and line; None when no overlay template
    is where it happened (then it is jobgen's own)."""
    folder = str(overlay.resolve())

    def ours(filename: str | None) -> bool:
        return filename is not None and str(Path(filename).resolve()).startswith(folder + "/")

    if isinstance(exc, jinja2.TemplateSyntaxError) and ours(exc.filename):
        where = Location(str(exc.filename), "", exc.lineno)
        return InputError(f"template syntax error: {exc.message}", where, "template")
    found: Location | None = None
    traceback = exc.__traceback__
    while traceback is not None:  # the innermost frame in an overlay template
        filename = traceback.tb_frame.f_code.co_filename
        if ours(filename):
            found = Location(filename, "", traceback.tb_lineno)
        traceback = traceback.tb_next
    if found is None:
        return None
    message = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else str(exc)
    return InputError(f"template error: {type(exc).__name__}: {message}", found, "template")


def unknown_overlay_files(overlay: Path) -> list[str]:
    """The files of an overlay folder that replace no package template and, as their names do not
    start with `_`, are not meant to be included by one either (by relative POSIX name)."""
    known = {name for name, _, _ in PACKAGE_TEMPLATES}
    names = (p.relative_to(overlay).as_posix() for p in overlay.rglob("*") if p.is_file())
    return sorted(n for n in names if n not in known and not Path(n).name.startswith("_"))
