"""The views of an API's operations, grouped by resource (`<api>/resources.py`)."""

from __future__ import annotations

from .. import ir
from .names import ResourceNames
from .pysource import dict_literal, docstring, py_str
from .typehints import annotation, optional
from .views import OperationView, PagerView, ResourceView


def resource_views(api: ir.Api, names: dict[str, ResourceNames]) -> list[ResourceView]:
    """The resources of an API (operations grouped by tag, in document order), named by `names`."""
    groups: dict[str, list[ir.Operation]] = {}
    for op in api.operations:
        groups.setdefault(op.resource, []).append(op)
    views: list[ResourceView] = []
    for resource, ops in groups.items():
        named = names[resource]
        operations = [operation_view(op, named.pagers.get(op.py_name)) for op in ops]
        views.append(ResourceView(named.class_name, named.attr, operations))
    return views


def _param_annotation(param: ir.Param) -> str:
    text = annotation(param.type, "models.")
    if param.is_filter:
        text = f"{text} | Filter" if text == "str" else text
    return text


def operation_view(op: ir.Operation, pager_name: str | None) -> OperationView:
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
            keyword.append(f"{p.py_name}: {optional(text)} = None")
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
                keyword.append(f"body: {optional(text)} = None")
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
                    keyword.append(f"{part.py_name}: {optional(text)} = None")
                call.append(f"{part.py_name}={part.py_name}")
                target = file_entries if part.is_file else data_entries
                target.append(
                    (part.wire_name, part.py_name if part.is_file else f"to_form({part.py_name})")
                )
            form_data = dict_literal(data_entries)
            files = dict_literal(file_entries)
    keyword.append("options: RequestOptions | None = None")
    call.append("options=options")
    return_type, adapters = _returns(op)
    doc = docstring(
        op.summary,
        op.description if op.description.strip() != op.summary.strip() else "",
        f"`{op.method} {op.path}`" + (" (deprecated)" if op.deprecated else ""),
    )
    pager = _pager_view(op, pager_name, keyword, call) if pager_name is not None else None
    raw_body = op.body is not None and op.body.kind in ("binary", "text")
    return OperationView(
        name=op.py_name,
        doc=doc,
        positional=positional,
        keyword=keyword,
        call_args=call,
        method=op.method,
        path=py_str(op.path),
        path_params=dict_literal(path_params),
        query=dict_literal(query),
        headers=dict_literal(headers),
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


def _pager_view(op: ir.Operation, name: str, keyword: list[str], call: list[str]) -> PagerView:
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
    doc = docstring(
        f"Iterate over every item of `{op.py_name}`, fetching pages as needed.",
        f"`{page.limit_param}` sets the page size; `max_items` stops after that many items.",
    )
    return PagerView(
        name=name,
        doc=doc,
        keyword=kept,
        call_args=passed,
        item_type=annotation(page.item_type, "models."),
        items_field=page.items_field,
        limit_param=page.limit_param,
        offset_param=page.offset_param,
    )
