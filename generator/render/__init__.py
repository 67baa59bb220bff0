"""Stage 4, render: the IR -> `{relative path: text}` in memory.

Templates see only view objects (plain frozen dataclasses): every decision (type annotations, argument
lists, imports, escaping) is made in Python, so the templates only lay text out. Every name comes from
the IR (the parser's naming passes decide them). Spec text reaches the output only through the
escaping functions of `pysource`.

The modules, one concern each:

- `project`: `render_project`, the Jinja environment;
- `views`: the view dataclasses; `package`, `models`, `operations` build them from the IR;
- `typehints`: the annotation of an IR type; `imports`: each module's import block;
- `profiles`: the job profiles' `JobProfile(...)` literals; `regions`: one base URL per region;
- `pysource`: literals and escaping; `wrapping`: docstring prose wrapping (`textwrap.wrap`).
"""

from __future__ import annotations

from .package import api_view, package_view
from .project import render_project
from .pysource import comment, docstring_body, py_str, py_value

__all__ = [
    "api_view",
    "comment",
    "docstring_body",
    "package_view",
    "py_str",
    "py_value",
    "render_project",
]
