"""The import block of each generated module: exactly what it uses, in ruff's isort order."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .. import naming
from .views import EnumView, ModelView, ResourceView

_TYPING = ("Annotated", "Any", "Literal")

# Each generated module imports exactly what it uses, in the order `ruff check --select I` wants, so
# formatting needs `ruff format` alone (a `ruff check --fix` pass took as long again on large specs).
# What a module uses is read off the code its views hold (annotations, defaults, argument lists,
# request arguments: code this module made, whose only string literals are `py_str`'s) plus what the
# template's own text uses. tests/hostile (fuzz) and the golden test run `ruff check` on the output.
_StdImports = list[tuple[str, tuple[str, ...]]]  # (module, names; () for `import module`)
_MODEL_IMPORTS: list[_StdImports] = [
    [("datetime", ()), ("enum", ("Enum", "IntEnum", "StrEnum")), ("typing", _TYPING)],
    [("pydantic", ("Field",))],
    [(".._models", ("APIModel",))],
]
_RESOURCE_IMPORTS: list[_StdImports] = [
    [
        ("datetime", ()),
        ("collections.abc", ("AsyncIterator", "Iterator")),
        ("typing", (*_TYPING, "cast")),
    ],
    [("pydantic", ("Field",))],
    [
        (".._base_client", ("AsyncAPIClient", "RequestOptions", "SyncAPIClient")),
        (".._filters", ("Filter",)),
        (".._models", naming.MODELS_HELPERS),
        (".._pagination", naming.PAGINATION_HELPERS),
        (".._response", ("APIResponse",)),
        (".", ("models",)),
    ],
]
# A string literal as `py_str` writes it, and a name that is not an attribute (`x.name`).
_STRING_LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_FREE_NAME = re.compile(r"(?<![\w.])[A-Za-z_]\w*")


def names_used(fragments: Iterable[str]) -> set[str]:
    code = _STRING_LITERAL.sub('""', "\n".join(set(fragments)))  # annotations repeat: once each
    return set(_FREE_NAME.findall(code))


def _import_block(sections: list[_StdImports], used: set[str]) -> str:
    blocks: list[str] = []
    for section in sections:
        lines: list[str] = []
        for module, names in section:
            if not names:
                if module in used:
                    lines.append(f"import {module}")
                continue
            kept = [name for name in names if name in used]
            if kept:
                lines.append(f"from {module} import {', '.join(kept)}")
        if lines:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def model_imports(models: list[ModelView], enums: list[EnumView]) -> str:
    fragments = [e.base for e in enums] + [m.value for e in enums for m in e.members]
    for model in models:
        fragments.append(model.extra_annotation)
        fragments.extend(f.annotation for f in model.fields)
        fragments.extend(f.default for f in model.fields)
    used = names_used(fragments)
    if models:
        used.add("APIModel")
    if any(model.extra_annotation for model in models):
        used.add("Field")  # `__pydantic_extra__: ... = Field(init=False)`
    return _import_block(_MODEL_IMPORTS, used)


def resource_imports(resources: list[ResourceView]) -> str:
    fragments: list[str] = []
    used = {"AsyncAPIClient", "SyncAPIClient"}  # the API group's __init__
    for op in (op for resource in resources for op in resource.operations):
        used.update(("APIResponse", "cast"))  # request_call, with_raw_response signatures
        fragments.extend(op.positional)
        fragments.extend(op.keyword)
        fragments.extend(op.call_args)
        fragments += [op.path, op.path_params, op.query, op.headers, op.json_body]
        fragments += [op.form_data, op.files, op.content, op.return_type, op.adapters]
        if op.pager is not None:
            used.update(("AsyncIterator", "Iterator", "with_query", "to_page_size"))
            used.update(naming.PAGINATION_HELPERS)
            fragments.extend(op.pager.keyword)
            fragments.extend(op.pager.call_args)
            fragments += [op.pager.item_type, op.pager.limit_param]
    return _import_block(_RESOURCE_IMPORTS, used | names_used(fragments))
