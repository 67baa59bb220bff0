"""Stage 4, render: the IR -> `{relative path: text}` in memory.

Templates see only the view objects built here (plain frozen dataclasses of strings, booleans and
lists): every decision (type annotations, argument lists, names, escaping) is made in Python, so the
templates only lay text out. Spec text reaches the output only through the escaping filters below.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from . import ir, naming
from .inputs import template_dir

RUNTIME_DIR = "runtime"


# ------------------------------------------------------------------------------------ escaping helpers
# One encoder for every literal (`json.dumps` with options builds a new one per call).
_JSON = json.JSONEncoder(ensure_ascii=False)


def py_str(value: object) -> str:
    """A Python string literal for any text, in ASCII.

    JSON escapes quotes, backslashes and control characters as Python does; every other non-ASCII
    character becomes `\\uXXXX` or `\\UXXXXXXXX`. (JSON's own `ensure_ascii` writes a character
    beyond U+FFFF as a surrogate pair, which Python reads as two lone surrogates, not the character.)
    """
    text = _JSON.encode(str(value))
    if text.isascii() and "\x7f" not in text:
        return text
    return "".join(
        ch if ord(ch) < 127 else f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}"
        for ch in text
    )


def py_value(value: object) -> str:
    """A Python literal for a JSON scalar (enum values, consts)."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int | float):
        text = repr(value)
        return text if text not in ("inf", "-inf", "nan") else f'float("{text}")'
    return py_str(value)


# Control characters other than newline and tab (carriage returns are made newlines first).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# Whitespace at the end of a line (what `str.rstrip` removes from each line).
_LINE_END_SPACE = re.compile(r"[^\S\n]+(?=\n)")


def _clean(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", text)


def docstring_body(text: str) -> str:
    """Text made safe inside a triple-quoted docstring: no closing quotes, no escapes, no controls."""
    text = _clean(text).strip()
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if "\n" in text:
        text = _LINE_END_SPACE.sub("", text)
    if text.endswith('"'):
        text += " "
    return text


def comment(text: str) -> str:
    return " ".join(_clean(text).split())


_TYPING = ("Annotated", "Any", "Literal")


# ------------------------------------------------------------------------------------------ the views
@dataclass(frozen=True)
class FieldView:
    """A model field as the template writes it."""

    py_name: str
    annotation: str
    default: str  # "" for a required field; else the right-hand side
    doc: str


@dataclass(frozen=True)
class ModelView:
    """A model class as the template writes it."""

    name: str
    doc: str
    fields: list[FieldView]
    extra_annotation: str = ""  # typed additionalProperties


@dataclass(frozen=True)
class EnumMemberView:
    """An enum member as the template writes it."""

    name: str
    value: str


@dataclass(frozen=True)
class EnumView:
    """An enum class as the template writes it."""

    name: str
    base: str
    doc: str
    members: list[EnumMemberView]


@dataclass(frozen=True)
class OperationView:
    """An operation's methods (plain and raw) as the template writes them."""

    name: str
    doc: str
    positional: list[str]  # declarations before `*`
    keyword: list[str]  # declarations after `*`
    call_args: list[str]  # passed from the plain method to the raw one
    method: str
    path: str
    path_params: str  # "{...}" literal or ""
    query: str
    headers: str
    json_body: str
    form_data: str
    files: str
    content: str  # a raw (bytes or text) body
    return_type: str
    adapters: str
    deprecated: bool
    pager: PagerView | None = None


@dataclass(frozen=True)
class PagerView:
    """The auto-paging method of a list operation."""

    name: str
    doc: str
    keyword: list[str]
    call_args: list[str]  # to the raw method, without page params and options
    item_type: str
    items_field: str
    limit_param: str
    offset_param: str


@dataclass(frozen=True)
class ResourceView:
    """A resource class: the operations of one tag."""

    class_name: str
    attr: str
    operations: list[OperationView]


@dataclass(frozen=True)
class ApiView:
    """One API's modules: models, resources, imports."""

    module: str
    group_class: str
    title: str
    version: str
    doc: str
    source: str
    models: list[ModelView]
    enums: list[EnumView]
    resources: list[ResourceView]
    rebuild: list[str]
    model_imports: str = ""  # the import block of models.py (after `from __future__ ...`)
    resource_imports: str = ""  # and of resources.py
    group_import: str = ""  # __init__.py's import of the group classes


@dataclass(frozen=True)
class ProfileView:
    """One API's job profile, as a `JobProfile(...)` literal."""

    api: str
    literal: str  # the JobProfile(...) expression


@dataclass(frozen=True)
class PackageView:
    """Everything the package-level templates use."""

    package: str
    version: str
    env_prefix: str
    apis: list[ApiView]
    regions: list[tuple[str, str]]  # (region, url)
    default_region: str
    profiles: list[ProfileView]
    example_api: str
    example_resource: str
    example_call: str
    # Imports whose order depends on the API modules' names, as `ruff check --select I` orders them.
    module_imports: str = ""  # __init__.py: `from . import <every API module>, testing`
    client_imports: list[str] = field(default_factory=list)  # _client.py: the API group classes
    profile_imports: list[str] = field(default_factory=list)  # _profiles.py: the models modules


# ---------------------------------------------------------------------------------------- annotations
_PRIMITIVES = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "any": "Any",
    "none": "None",
    "date": "datetime.date",
    "datetime": "datetime.datetime",
    "bytes": "bytes",
}


def annotation(type_: ir.TypeRef, prefix: str = "") -> str:
    """The Python annotation for an IR type; `prefix` qualifies class names (e.g. `models.`)."""
    if isinstance(type_, ir.PrimitiveType):
        return _PRIMITIVES[type_.name]
    if isinstance(type_, ir.ModelRef | ir.EnumRef):
        return prefix + type_.name
    if isinstance(type_, ir.ListType):
        return f"list[{annotation(type_.item, prefix)}]"
    if isinstance(type_, ir.DictType):
        return f"dict[str, {annotation(type_.value, prefix)}]"
    if isinstance(type_, ir.LiteralType):
        return "Literal[" + ", ".join(py_value(v) for v in type_.values) + "]"
    if isinstance(type_, ir.NullableType):
        inner = annotation(type_.inner, prefix)
        return inner if inner in ("Any", "None") else f"{inner} | None"
    if isinstance(type_, ir.UnionType):
        parts: list[str] = []
        for option in type_.options:
            text = annotation(option, prefix)
            if text not in parts:
                parts.append(text)
        if "Any" in parts:
            return "Any"
        if type_.discriminator is not None and type_.discriminator.py_name is not None:
            field = f"Field(discriminator={py_str(type_.discriminator.py_name)})"
            return f"Annotated[{' | '.join(parts)}, {field}]"
        return " | ".join(parts)
    raise TypeError(type_)  # pragma: no cover - the IR is closed


def _optional(text: str) -> str:
    return text if text in ("Any", "None") or text.endswith("| None") else f"{text} | None"


_WRAP = 88
_KEEP_LINE = ("|", "#", "```", "    ", "\t")


def _wrap(text: str) -> str:
    """Wrap long prose lines; keep tables, headings, code and indented lines as written."""
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= _WRAP or line.startswith(_KEEP_LINE):
            out.append(line)
            continue
        bullet = re.match(r"^(\s*(?:[-*+]|\d+[.)])\s+)", line)
        indent = " " * len(bullet.group(1)) if bullet else ""
        out.extend(wrap_line(line, _WRAP, indent) or [""])
    return "\n".join(out)


# Prose whose only whitespace is single spaces between words (nearly all of it) is wrapped line by
# line with a regex; anything else goes through the general, word-by-word loop.
_NOT_SIMPLE = re.compile(r"^ | $|  |[^\S ]")
_WORD_RUN = re.compile("[^ ]+")


@cache
def _fitting(width: int) -> re.Pattern[str]:
    # The longest run of words, at most `width` long, that a space or the end follows.
    return re.compile(f"[^ ].{{0,{width - 1}}}(?= |$)")


def _wrap_simple(text: str, width: int, indent: str) -> list[str]:
    lines: list[str] = []
    first, rest = _fitting(width), _fitting(width - len(indent))
    position, end = 0, len(text)
    while position < end:
        found = (rest if lines else first).match(text, position)
        if found is None:  # a word longer than the line stands alone
            found = _WORD_RUN.match(text, position)
            assert found is not None
        lines.append(indent + found.group() if lines else found.group())
        position = found.end() + 1  # past the space between the lines
    return lines


# textwrap's whitespace: ASCII only (a no-break space is part of a word).
_TEXTWRAP_SPACES = str.maketrans(dict.fromkeys("\t\n\x0b\x0c\r", " "))
_SPACE_RUNS = re.compile("( +)")


def wrap_line(line: str, width: int, indent: str = "") -> list[str]:
    """`textwrap.wrap(line, width, subsequent_indent=indent, break_long_words=False,
    break_on_hyphens=False)`, line for line, at a fraction of the cost (docstrings of a large spec
    spent a quarter of the rendering time in textwrap's general machinery)."""
    if not _NOT_SIMPLE.search(line) and width - len(indent) >= 1:
        return _wrap_simple(line, width, indent)
    text = line.expandtabs().translate(_TEXTWRAP_SPACES)
    chunks = [chunk for chunk in _SPACE_RUNS.split(text) if chunk]
    lines: list[str] = []
    count = len(chunks)
    index = 0
    while index < count:
        prefix = indent if lines else ""
        room = width - len(prefix)
        if lines and not chunks[index].strip():
            index += 1  # whitespace at the start of a line after the first is dropped
        current: list[str] = []
        length = 0
        while index < count and length + len(chunks[index]) <= room:
            length += len(chunks[index])
            current.append(chunks[index])
            index += 1
        if index < count and not current and len(chunks[index]) > room:
            current.append(chunks[index])  # a word longer than the line stands alone, unbroken
            index += 1
        if current and not current[-1].strip():
            current.pop()  # and so is whitespace at the end of a line
        if current:
            lines.append(prefix + "".join(current))
    return lines


def _doc(*parts: str) -> str:
    """A docstring body; multi-line ones end with a newline so the closing quotes get their own line."""
    text = docstring_body(_wrap("\n\n".join(p.strip() for p in parts if p and p.strip())))
    # With the closing quotes on their own line, the space that keeps a final `"` off them would
    # only be trailing whitespace.
    return text.removesuffix(" ") + "\n" if "\n" in text else text


# --------------------------------------------------------------------------------------------- models
def _model_view(model: ir.Model) -> ModelView:
    fields: list[FieldView] = []
    for f in model.fields:
        text = annotation(f.type)
        alias = f", alias={py_str(f.wire_name)}" if f.py_name != f.wire_name else ""
        if f.required:
            default = f"Field({alias[2:]})" if alias else ""
        else:
            text = _optional(text)
            default = f"Field(default=None{alias})" if alias else "None"
        doc = f.description + (" (deprecated)" if f.deprecated else "")
        fields.append(FieldView(f.py_name, text, default, _doc(doc)))
    extra = annotation(model.additional) if model.additional is not None else ""
    return ModelView(model.name, _doc(model.description) or model.name, fields, extra)


def _enum_view(enum: ir.Enum) -> EnumView:
    base = {"str": "StrEnum", "int": "IntEnum", "float": "float, Enum"}[enum.value_kind]
    members = [EnumMemberView(m.py_name, py_value(m.value)) for m in enum.members]
    return EnumView(enum.name, base, _doc(enum.description) or enum.name, members)


def _forward_references(api: ir.Api) -> list[str]:
    """Models that mention a class defined after them need `model_rebuild()` once all exist."""
    position = {m.name: i for i, m in enumerate(api.models)}
    result: list[str] = []
    for index, model in enumerate(api.models):
        types = [f.type for f in model.fields] + ([model.additional] if model.additional else [])
        if any(
            isinstance(t, ir.ModelRef) and position.get(t.name, -1) >= index
            for type_ in types
            for t in ir.iter_types(type_)
        ):
            result.append(model.name)
    # Deepest first: rebuilt in definition order, a chain of more than about 90 nested models makes
    # pydantic recurse through the whole chain at once and fail with RecursionError at import.
    return result[::-1]


# ----------------------------------------------------------------------------------------- operations
def _param_annotation(param: ir.Param) -> str:
    text = annotation(param.type, "models.")
    if param.is_filter:
        text = f"{text} | Filter" if text == "str" else text
    return text


def _dict_literal(entries: list[tuple[str, str]]) -> str:
    if not entries:
        return ""
    return "{" + ", ".join(f"{py_str(k)}: {v}" for k, v in entries) + "}"


def _operation_view(op: ir.Operation) -> OperationView:
    positional: list[str] = []
    keyword: list[str] = []
    call: list[str] = []
    path_params: list[tuple[str, str]] = []
    query: list[tuple[str, str]] = []
    headers: list[tuple[str, str]] = []
    for p in op.params:
        text = _param_annotation(p)
        if p.where == "path":
            positional.append(f"{p.py_name}: {text}")
            call.append(p.py_name)
            path_params.append((p.wire_name, _path_value(p)))
            continue
        if p.required:
            keyword.insert(sum(1 for k in keyword if "=" not in k), f"{p.py_name}: {text}")
        else:
            keyword.append(f"{p.py_name}: {_optional(text)} = None")
        call.append(f"{p.py_name}={p.py_name}")
        value = (
            f"str({p.py_name}) if {p.py_name} is not None else None" if p.is_filter else p.py_name
        )
        if p.where == "query":
            query.append((p.wire_name, value))
        elif p.where == "header":
            headers.append((p.wire_name, f"to_header({p.py_name})"))
        else:
            headers.append(("Cookie", f"to_cookie({py_str(p.wire_name)}, {p.py_name})"))
    json_body = form_data = files = ""
    if op.body is not None:
        body = op.body
        if body.kind == "json":
            text = annotation(body.type, "models.")
            if isinstance(body.type, ir.ModelRef):
                text = f"{text} | dict[str, Any]"
            if body.required:
                keyword.insert(0, f"body: {text}")
                json_body = "to_json(body)"
            else:
                keyword.append(f"body: {_optional(text)} = None")
                json_body = "to_json(body) if body is not None else None"
            call.append("body=body")
        elif body.kind in ("binary", "text"):
            text = "bytes" if body.kind == "binary" else "str"
            keyword.insert(0, f"body: {text}")
            call.append("body=body")
            headers.append(("Content-Type", py_str(body.content_type)))
        else:
            data_entries: list[tuple[str, str]] = []
            file_entries: list[tuple[str, str]] = []
            for part in body.parts:
                text = "FileContent" if part.is_file else annotation(part.type, "models.")
                if part.required:
                    keyword.insert(0, f"{part.py_name}: {text}")
                else:
                    keyword.append(f"{part.py_name}: {_optional(text)} = None")
                call.append(f"{part.py_name}={part.py_name}")
                target = file_entries if part.is_file else data_entries
                target.append(
                    (part.wire_name, part.py_name if part.is_file else f"to_form({part.py_name})")
                )
            form_data = _dict_literal(data_entries)
            files = _dict_literal(file_entries)
    keyword.append("options: RequestOptions | None = None")
    call.append("options=options")
    return_type, adapters = _returns(op)
    doc = _doc(
        op.summary,
        op.description if op.description.strip() != op.summary.strip() else "",
        f"`{op.method} {op.path}`" + (" (deprecated)" if op.deprecated else ""),
    )
    pager = _pager_view(op, positional, keyword, call) if op.pagination else None
    raw_body = op.body is not None and op.body.kind in ("binary", "text")
    return OperationView(
        name=op.py_name,
        doc=doc,
        positional=positional,
        keyword=keyword,
        call_args=call,
        method=op.method,
        path=py_str(op.path),
        path_params=_dict_literal(path_params),
        query=_dict_literal(query),
        headers=_dict_literal(headers),
        json_body=json_body,
        form_data=form_data,
        files=files,
        content="body" if raw_body else "",
        return_type=return_type,
        adapters=adapters,
        deprecated=op.deprecated,
        pager=pager,
    )


def _path_value(param: ir.Param) -> str:
    if isinstance(param.type, ir.PrimitiveType) and param.type.name == "str":
        return param.py_name
    return f"to_path({param.py_name})"


def _returns(op: ir.Operation) -> tuple[str, str]:
    entries: list[tuple[str, str]] = []
    types: list[str] = []
    for response in op.success_responses:
        if response.type is None:
            continue
        text = annotation(response.type, "models.")
        key = response.status if response.status.isdigit() else py_str(response.status)
        entries.append((key, f"adapter({text})"))
        if text not in types:
            types.append(text)
    if not entries:
        return "None", "{}"
    return_type = "Any" if "Any" in types else " | ".join(types)
    return return_type, "{" + ", ".join(f"{k}: {v}" for k, v in entries) + "}"


def _pager_view(
    op: ir.Operation, positional: list[str], keyword: list[str], call: list[str]
) -> PagerView:
    assert op.pagination is not None
    page = op.pagination
    skip = {page.offset_param, page.limit_param, "options"}
    kept = [k for k in keyword if k.split(":")[0] not in skip]
    limit_decl = next(k for k in keyword if k.split(":")[0] == page.limit_param)
    kept = [
        *kept,
        limit_decl,
        "max_items: int | None = None",
        "options: RequestOptions | None = None",
    ]
    passed = [c for c in call if c.split("=")[0] not in skip]
    doc = _doc(
        f"Iterate over every item of `{op.py_name}`, fetching pages as needed.",
        f"`{page.limit_param}` sets the page size; `max_items` stops after that many items.",
    )
    return PagerView(
        name=page.method_name,
        doc=doc,
        keyword=kept,
        call_args=passed,
        item_type=annotation(page.item_type, "models."),
        items_field=page.items_field,
        limit_param=page.limit_param,
        offset_param=page.offset_param,
    )


def _resource_views(api: ir.Api) -> list[ResourceView]:
    groups: dict[str, list[ir.Operation]] = {}
    for op in api.operations:
        groups.setdefault(op.resource, []).append(op)
    return [
        ResourceView(r.class_name, r.attr, [_operation_view(op) for op in groups[r.tag]])
        for r in api.resources
    ]


def api_view(api: ir.Api) -> ApiView:
    models = [_model_view(m) for m in api.models]
    enums = [_enum_view(e) for e in api.enums]
    resources = _resource_views(api)
    return ApiView(
        module=api.name,
        group_class=api.group_class,
        # Title, version and file name stand inside docstrings (and Markdown, which reads the same escapes).
        title=docstring_body(comment(api.title)),
        version=docstring_body(comment(api.version)),
        doc=_doc(f"{api.title} ({api.version})" if api.version else api.title),
        source=docstring_body(comment(Path(api.source).name)),
        models=models,
        enums=enums,
        resources=resources,
        rebuild=_forward_references(api),
        model_imports=_model_imports(models, enums),
        resource_imports=_resource_imports(resources),
        group_import=f"from .resources import {_group_names(api.group_class)}",
    )


# -------------------------------------------------------------------------------------------- imports
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


def _names_used(fragments: Iterable[str]) -> set[str]:
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


def _model_imports(models: list[ModelView], enums: list[EnumView]) -> str:
    fragments = [e.base for e in enums] + [m.value for e in enums for m in e.members]
    for model in models:
        fragments.append(model.extra_annotation)
        fragments.extend(f.annotation for f in model.fields)
        fragments.extend(f.default for f in model.fields)
    used = _names_used(fragments)
    if models:
        used.add("APIModel")
    if any(model.extra_annotation for model in models):
        used.add("Field")  # `__pydantic_extra__: ... = Field(init=False)`
    return _import_block(_MODEL_IMPORTS, used)


def _resource_imports(resources: list[ResourceView]) -> str:
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
    return _import_block(_RESOURCE_IMPORTS, used | _names_used(fragments))


def natural_compare(left: str, right: str) -> int:
    """Natural order as ruff's isort has it (the `natord` crate, after Martin Pool's strnatcmp):
    runs of digits compare as numbers (`n2` < `n10`), and a run with a leading zero digit by digit."""
    i = j = 0
    while True:
        a = left[i] if i < len(left) else ""
        b = right[j] if j < len(right) else ""
        if not a or not b:
            return 0 if a == b else (-1 if not a else 1)
        if a.isdigit() and b.isdigit() and a.isascii() and b.isascii():
            run_a = re.match(r"[0-9]*", left[i:])
            run_b = re.match(r"[0-9]*", right[j:])
            digits_a = run_a.group() if run_a else ""
            digits_b = run_b.group() if run_b else ""
            if a == "0" or b == "0":  # fractional: digit by digit, the shorter run first
                for x, y in zip(digits_a, digits_b, strict=False):
                    if x != y:
                        return -1 if x < y else 1
                if len(digits_a) != len(digits_b):
                    return -1 if len(digits_a) < len(digits_b) else 1
            else:  # whole numbers: the longer run is the greater, else the first difference
                if len(digits_a) != len(digits_b):
                    return -1 if len(digits_a) < len(digits_b) else 1
                if digits_a != digits_b:
                    return -1 if digits_a < digits_b else 1
            i += len(digits_a)
            j += len(digits_b)
            continue
        if a != b:
            return -1 if a < b else 1
        i += 1
        j += 1


def _natural(text: str) -> Any:
    return functools.cmp_to_key(natural_compare)(text)


def _member_rank(name: str) -> int:
    """isort's order by type: CONSTANTS, then Classes, then everything else."""
    if len(name) > 1 and name.upper() == name and name.lower() != name:
        return 0
    return 1 if name[:1].isupper() else 2


def isort_names(names: Iterable[str]) -> list[str]:
    """Names of one `from x import ...` in the order `ruff check --select I` wants them."""
    return sorted(names, key=lambda n: (_member_rank(n), _natural(n.lower()), _natural(n)))


def isort_modules(modules: Iterable[str]) -> list[str]:
    """Modules of `from .module import ...` statements (all one level up) in ruff's order."""
    return sorted(modules, key=lambda m: (_natural(m.lower()), _natural(m)))


# ------------------------------------------------------------------------------------------- profiles
def _profile_literal(api: ir.Api, family: ir.JobFamily) -> str:
    def endpoint(role: str) -> str:
        found = family.operation(role)
        return f"Endpoint({py_str(found[0])}, {py_str(found[1])})" if found else "None"

    def tuple_of(values: Iterable[str]) -> str:
        items = [py_str(v) for v in values]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"

    fields = "{" + ", ".join(f"{py_str(k)}: {py_str(v)}" for k, v in family.fields) + "}"
    statuses = (
        "{"
        + ", ".join(
            f"{py_str(raw)}: JobStatus.{canonical.upper()}" for raw, canonical in family.statuses
        )
        + "}"
    )
    model = f"{api.name}_models.{family.model}" if family.model else "None"
    parts = [
        f"api={py_str(family.api)}",
        f"resource_type={py_str(family.resource_type)}",
        f"job_param={py_str(family.job_param)}",
        f"parent_params={tuple_of(family.parent_params)}",
        f"envelope={py_str(family.envelope)}",
        *(
            f"{role}={endpoint(role)}"
            for role in ("create", "list", "get", "cancel", "errors", "file")
        ),
        f"fields={fields}",
        f"file_link={py_str(family.file_link) if family.file_link else 'None'}",
        f"error_messages={py_str(family.error_messages) if family.error_messages else 'None'}",
        f"cancellable={tuple_of(family.cancellable)}",
        f"statuses={statuses}",
        f"model={model}",
    ]
    return "JobProfile(" + ", ".join(parts) + ")"


# ------------------------------------------------------------------------------------------ rendering
@cache
def _environment(template_dir: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir),
        bytecode_cache=_bytecode_cache(),
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
    """Jinja's cache of compiled templates (what `__pycache__` is to Python modules).

    Compiling the templates is most of a small spec's rendering time. Jinja keys each entry by the
    template's source and its own version, in a folder of the user's own under the temporary
    directory; where there is none to be had, templates are compiled every run.
    """
    try:
        return jinja2.FileSystemBytecodeCache()
    except (OSError, RuntimeError):
        return None


def static_paths(project: ir.Project, templates: Path | None = None) -> set[str]:
    """The files `render_project` copies as they are (the runtime modules, already formatted)."""
    runtime = (templates or template_dir()) / RUNTIME_DIR
    return {f"{project.package}/{p.relative_to(runtime).as_posix()}" for p in runtime.rglob("*.py")}


def _group_names(group_class: str) -> str:
    """The sync and async group classes of an API, as one `import` lists them."""
    return ", ".join(isort_names([group_class, "Async" + group_class]))


def package_view(project: ir.Project) -> PackageView:
    apis = [api_view(api) for api in project.apis]
    regions = _regions(project.apis)
    profiles = [
        ProfileView(api.name, _profile_literal(api, api.jobs))
        for api in project.apis
        if api.jobs is not None
    ]
    example_api, example_resource, example_call = _example(apis)
    by_module = {api.module: api for api in apis}
    client_imports = [
        f"from .{module} import {_group_names(api.group_class)}"
        for module in isort_modules(f"{api.module}.resources" for api in apis)
        for api in [by_module[module.removesuffix(".resources")]]
    ]
    jobs_names = [
        "JobProfile",
        *(n for n in ("Endpoint", "JobStatus") if n in _names_used(p.literal for p in profiles)),
    ]
    profile_imports = [
        "from ._jobs import " + ", ".join(isort_names(jobs_names)),
        *(
            f"from .{module} import models as {module}_models"
            for module in isort_modules(profile.api for profile in profiles)
        ),
    ]
    return PackageView(
        package=project.package,
        version=project.version,
        env_prefix=project.package.upper(),
        apis=apis,
        regions=regions,
        default_region=regions[0][0] if regions else "",
        profiles=profiles,
        example_api=example_api,
        example_resource=example_resource,
        example_call=example_call,
        module_imports="from . import " + ", ".join(isort_names([*by_module, "testing"])),
        client_imports=client_imports,
        profile_imports=profile_imports,
    )


def _regions(apis: Iterable[ir.Api]) -> list[tuple[str, str]]:
    """One URL per region: the one most specs agree on; ties go to the first spec that names it."""
    votes: dict[str, dict[str, int]] = {}
    first_seen: dict[tuple[str, str], int] = {}
    counter = 0
    for api in apis:
        for server in api.servers:
            votes.setdefault(server.region, {}).setdefault(server.url, 0)
            votes[server.region][server.url] += 1
            first_seen.setdefault((server.region, server.url), counter)
            counter += 1
    result: list[tuple[str, str]] = []
    for region, urls in votes.items():
        url = min(urls, key=lambda u: (-urls[u], first_seen[(region, u)]))
        result.append((region, url))
    return result


def _example(apis: list[ApiView]) -> tuple[str, str, str]:
    """A call for the package README: the first operation that needs no arguments."""
    for view in apis:
        for resource in view.resources:
            for op in resource.operations:
                if not op.positional and not any("=" not in k for k in op.keyword):
                    return view.module, resource.attr, op.name
    if apis and apis[0].resources and apis[0].resources[0].operations:
        return apis[0].module, apis[0].resources[0].attr, apis[0].resources[0].operations[0].name
    return "", "", ""


def render_project(project: ir.Project, templates: Path | None = None) -> dict[str, str]:
    """Render every file of the package. Paths are relative to the output folder, POSIX style."""
    root = templates or template_dir()
    env = _environment(str(root))
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
