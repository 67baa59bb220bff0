"""`render_project`: the package's views through the Jinja templates, plus the runtime's files."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from .. import ir, speed
from ..inputs import template_dir
from .package import package_view
from .pysource import comment, docstring_body, py_str

RUNTIME_DIR = "runtime"


@cache
def _environment(template_dir: str, bytecode: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir),
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


def render_project(project: ir.Project, templates: Path | None = None) -> dict[str, str]:
    """Render every file of the package. Paths are relative to the output folder, POSIX style."""
    root = templates or template_dir()
    env = _environment(str(root), speed.on("template-bytecode"))
    view = package_view(project)
    pkg = project.package
    files: dict[str, str] = {}

    def put(path: str, template: str, **context: Any) -> None:
        files[path] = env.get_template(template).render(pkg=view, **context)

    put("pyproject.toml", "package/pyproject.toml.jinja")
    put("README.md", "package/README.md.jinja")
    put(f"{pkg}/__init__.py", "package/__init__.py.jinja")
    put(f"{pkg}/_version.py", "package/_version.py.jinja")
    put(f"{pkg}/_servers.py", "package/_servers.py.jinja")
    put(f"{pkg}/_client.py", "package/_client.py.jinja")
    put(f"{pkg}/_profiles.py", "package/_profiles.py.jinja")
    put(f"{pkg}/_job_families.py", "package/_job_families.py.jinja")
    files[f"{pkg}/py.typed"] = ""
    for api in view.apis:
        put(f"{pkg}/{api.module}/__init__.py", "package/api/__init__.py.jinja", api=api)
        put(f"{pkg}/{api.module}/models.py", "package/api/models.py.jinja", api=api)
        put(f"{pkg}/{api.module}/resources.py", "package/api/resources.py.jinja", api=api)
    runtime = root / RUNTIME_DIR
    for source in sorted(runtime.rglob("*.py")):
        relative = source.relative_to(runtime).as_posix()
        files[f"{pkg}/{relative}"] = source.read_text(encoding="utf-8")
    return files
