"""Stage 4, render: the IR -> `{relative path: text}` in memory.

Templates see only the view objects built here (plain frozen dataclasses of strings, booleans and
lists): every decision (type annotations, argument lists, names, escaping) is made in Python, so the
templates only lay text out. Spec text reaches the output only through the escaping filters below.
"""

from __future__ import annotations

import dataclasses
import json
import re
import textwrap
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
def py_str(value: object) -> str:
    """A Python string literal for any text, in ASCII.

    JSON escapes quotes, backslashes and control characters as Python does; every other non-ASCII
    character becomes `\\uXXXX` or `\\UXXXXXXXX`. (JSON's own `ensure_ascii` writes a character
    beyond U+FFFF as a surrogate pair, which Python reads as two lone surrogates, not the character.)
    """
    text = json.dumps(str(value), ensure_ascii=False)
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


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", text)


def docstring_body(text: str) -> str:
    """Text made safe inside a triple-quoted docstring: no closing quotes, no escapes, no controls."""
    text = _clean(text).strip()
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    if text.endswith('"'):
        text += " "
    return text


def comment(text: str) -> str:
    return " ".join(_clean(text).split())


# ------------------------------------------------------------------------------------------ the views
@dataclass(frozen=True)
class FieldView:
    py_name: str
    annotation: str
    default: str  # "" for a required field; else the right-hand side
    doc: str


@dataclass(frozen=True)
class ModelView:
    name: str
    doc: str
    fields: list[FieldView]
    extra_annotation: str = ""  # typed additionalProperties


@dataclass(frozen=True)
class EnumMemberView:
    name: str
    value: str


@dataclass(frozen=True)
class EnumView:
    name: str
    base: str
    doc: str
    members: list[EnumMemberView]


@dataclass(frozen=True)
class ArgView:
    declaration: str  # "job_id: str" or "page_limit: int | None = None"


@dataclass(frozen=True)
class OperationView:
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
    class_name: str
    attr: str
    operations: list[OperationView]


@dataclass(frozen=True)
class ApiView:
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
    uses: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class ProfileView:
    api: str
    literal: str  # the JobProfile(...) expression


@dataclass(frozen=True)
class PackageView:
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
    "object": "dict[str, Any]",
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
        if type_.discriminator is not None:
            return f"Annotated[{' | '.join(parts)}, Field(discriminator={py_str(type_.discriminator)})]"
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
        out.extend(
            textwrap.wrap(
                line,
                _WRAP,
                subsequent_indent=indent,
                break_long_words=False,
                break_on_hyphens=False,
            )
            or [""]
        )
    return "\n".join(out)


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
        name=f"iter_{op.py_name}",
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
    attrs = naming.Scope({"with_raw_response"})
    classes: set[str] = set()
    views: list[ResourceView] = []
    for resource, ops in groups.items():
        attr = attrs.claim(naming.snake(resource, empty="default"))
        base = naming.class_name(resource, empty="Default")
        cls = _claim_with_async(classes, base, "Resource")
        operations = [_operation_view(op) for op in ops]
        # A pager (`iter_<method>`) must not take the name of another operation's method.
        methods = naming.Scope({view.name for view in operations} | {"with_raw_response"})
        for index, view in enumerate(operations):
            if view.pager is not None:
                name = methods.claim(view.pager.name)
                if name != view.pager.name:
                    pager = dataclasses.replace(view.pager, name=name)
                    operations[index] = dataclasses.replace(view, pager=pager)
        views.append(ResourceView(cls, attr, operations))
    return views


def _claim_with_async(taken: set[str], base: str, suffix: str) -> str:
    """`{base}{suffix}`, or with 2, 3, ... before the suffix, such that neither it nor its async twin
    (`Async` + it) is taken: resources "Jobs" and "Async Jobs" must not both make `AsyncJobsResource`."""
    name, n = base + suffix, 1
    while name in taken or "Async" + name in taken:
        n += 1
        name = f"{base}{n}{suffix}"
    taken.update((name, "Async" + name))
    return name


def _uses(api: ir.Api) -> dict[str, bool]:
    text_types = [f.type for m in api.models for f in m.fields] + [
        m.additional for m in api.models if m.additional is not None
    ]
    walked = [t for type_ in text_types for t in ir.iter_types(type_)]
    return {
        "datetime": any(
            isinstance(t, ir.PrimitiveType) and t.name in ("date", "datetime") for t in walked
        ),
        "literal": any(isinstance(t, ir.LiteralType) for t in walked),
        "str_enum": any(e.value_kind == "str" for e in api.enums),
        "int_enum": any(e.value_kind == "int" for e in api.enums),
        "float_enum": any(e.value_kind == "float" for e in api.enums),
    }


def api_view(api: ir.Api) -> ApiView:
    return ApiView(
        module=api.name,
        group_class=naming.class_name(api.name, empty="Api") + "API",
        # Title, version and file name stand inside docstrings (and Markdown, which reads the same escapes).
        title=docstring_body(comment(api.title)),
        version=docstring_body(comment(api.version)),
        doc=_doc(f"{api.title} ({api.version})" if api.version else api.title),
        source=docstring_body(comment(Path(api.source).name)),
        models=[_model_view(m) for m in api.models],
        enums=[_enum_view(e) for e in api.enums],
        resources=_resource_views(api),
        rebuild=_forward_references(api),
        uses=_uses(api),
    )


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


def package_view(project: ir.Project) -> PackageView:
    apis = [api_view(api) for api in project.apis]
    # `_client.py` imports every API's group class: modules `foo_2` and `foo2` both make `Foo2API`.
    groups: set[str] = set()
    for index, view in enumerate(apis):
        unique = _claim_with_async(groups, view.group_class.removesuffix("API"), "API")
        if unique != view.group_class:
            apis[index] = dataclasses.replace(view, group_class=unique)
    regions = _regions(project.apis)
    profiles = [
        ProfileView(api.name, _profile_literal(api, api.jobs))
        for api in project.apis
        if api.jobs is not None
    ]
    example_api, example_resource, example_call = _example(apis)
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
    for source in sorted(runtime.glob("*.py")):
        files[f"{pkg}/{source.name}"] = source.read_text(encoding="utf-8")
    return files
