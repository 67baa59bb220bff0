"""The views of an API's operations, grouped by resource (`<api>/resources.py`)."""

from __future__ import annotations

from .. import ir
from .pysource import Code, code, dict_literal, docstring, py_str, string_body
from .typehints import ANY, NONE, annotation, optional, union
from .views import Argument, OperationView, PagerView, ResourceView

_OPTIONS = Argument("options", optional(code("RequestOptions", "RequestOptions")), NONE)
_MAX_ITEMS = Argument("max_items", optional(code("int")), NONE)
_FILTER = code("Filter", "Filter")
_JSON_OBJECT = code("dict[str, Any]", "Any")


def resource_views(api: ir.Api) -> list[ResourceView]:
    """The resources of an API (operations grouped by tag, in document order), as the IR names them."""
    groups: dict[str, list[ir.Operation]] = {}
    for op in api.operations:
        groups.setdefault(op.resource, []).append(op)
    return [
        ResourceView(
            resource.class_name, resource.attr, [operation_view(op) for op in groups[resource.tag]]
        )
        for resource in api.resources
    ]


class _Signature:
    """The arguments of an operation's method."""

    def __init__(self) -> None:
        self.positional: list[Argument] = []
        self.keyword: list[Argument] = []

    def add_path(self, name: str, type_: Code) -> None:
        self.positional.append(Argument(name, type_))

    def add(self, name: str, type_: Code, *, required: bool, first: bool = False) -> None:
        """A keyword argument: required ones before optional ones (`first`: before all others)."""
        if required:
            at = 0 if first else sum(1 for known in self.keyword if known.required)
            self.keyword.insert(at, Argument(name, type_))
        else:
            self.keyword.append(Argument(name, optional(type_), NONE))


def operation_view(op: ir.Operation) -> OperationView:
    signature = _Signature()
    path_params: list[tuple[str, Code]] = []
    query: list[tuple[str, Code]] = []
    headers: list[tuple[str, Code]] = []
    for p in op.params:
        type_ = _param_annotation(p)
        if p.where == "path":
            signature.add_path(p.py_name, type_)
            path_params.append((p.wire_name, _path_value(p)))
            continue
        signature.add(p.py_name, type_, required=p.required)
        if p.where == "query":
            value = code(p.py_name)
            if p.is_filter:
                value = code(f"str({p.py_name}) if {p.py_name} is not None else None")
            query.append((p.wire_name, value))
        elif p.where == "header":
            headers.append((p.wire_name, code(f"to_header({p.py_name})", "to_header")))
        else:
            cookie = code(f"to_cookie({py_str(p.wire_name)}, {p.py_name})", "to_cookie")
            headers.append(("Cookie", cookie))
    json_body = form_data = files = content = None
    if op.body is not None:
        body = op.body
        if body.kind == "json":
            type_ = annotation(body.type, "models")
            if isinstance(body.type, ir.ModelRef):
                type_ = union(type_, _JSON_OBJECT)
            signature.add("body", type_, required=body.required, first=True)
            json_body = code("to_json(body)", "to_json")
            if not body.required:
                json_body = code("to_json(body) if body is not None else None", "to_json")
        elif body.kind in ("binary", "text"):
            type_ = code("bytes" if body.kind == "binary" else "str")
            signature.add("body", type_, required=True, first=True)
            headers.append(("Content-Type", code(py_str(body.content_type))))
            content = code("body")
        else:
            data_entries: list[tuple[str, Code]] = []
            file_entries: list[tuple[str, Code]] = []
            for part in body.parts:
                if part.is_file:
                    type_ = code("FileContent", "FileContent")
                    file_entries.append((part.wire_name, code(part.py_name)))
                else:
                    type_ = annotation(part.type, "models")
                    value = code(f"to_form({part.py_name})", "to_form")
                    data_entries.append((part.wire_name, value))
                signature.add(part.py_name, type_, required=part.required, first=True)
            form_data = dict_literal(data_entries)
            files = dict_literal(file_entries)
    signature.keyword.append(_OPTIONS)
    return_type, adapters = _returns(op)
    doc = docstring(
        op.summary,
        op.description if op.description.strip() != op.summary.strip() else "",
        f"`{op.method} {op.path}`" + (" (deprecated)" if op.deprecated else ""),
    )
    pager = _pager_view(op, op.pagination, signature) if op.pagination is not None else None
    path = code(py_str(op.path))
    return OperationView(
        name=op.py_name,
        doc=doc,
        route=f"{op.method} {string_body(op.path)}",
        positional=signature.positional,
        keyword=signature.keyword,
        method=op.method,
        path=path,
        path_params=dict_literal(path_params),
        query=dict_literal(query),
        headers=dict_literal(headers),
        json_body=json_body,
        form_data=form_data,
        files=files,
        content=content,
        return_type=return_type,
        returns_value=return_type != NONE,
        adapters=adapters,
        deprecated=op.deprecated,
        pager=pager,
    )


def _param_annotation(param: ir.Param) -> Code:
    type_ = annotation(param.type, "models")
    if param.is_filter and type_.text == "str":
        return union(type_, _FILTER)
    return type_


def _path_value(param: ir.Param) -> Code:
    if isinstance(param.type, ir.PrimitiveType) and param.type.name == "str":
        return code(param.py_name)
    return code(f"to_path({param.py_name})", "to_path")


def _returns(op: ir.Operation) -> tuple[Code, Code]:
    """The method's return type, and the adapters that parse each documented success status."""
    entries: list[tuple[str, Code]] = []
    types: list[Code] = []
    for response in op.success_responses:
        if response.type is None:
            continue
        type_ = annotation(response.type, "models")
        key = response.status if response.status.isdigit() else py_str(response.status)
        entries.append((key, type_))
        if type_ not in types:
            types.append(type_)
    if not entries:
        return NONE, code("{}")
    return_type = ANY if ANY in types else union(*types)
    adapters = ", ".join(f"{key}: adapter({type_.text})" for key, type_ in entries)
    names = return_type.names.union(*(type_.names for _, type_ in entries))
    return return_type, Code("{" + adapters + "}", names | {"adapter"})


def _pager_view(op: ir.Operation, page: ir.Pagination, signature: _Signature) -> PagerView:
    paging = {page.offset_param, page.limit_param, _OPTIONS.name}
    limit = next(arg for arg in signature.keyword if arg.name == page.limit_param)
    kept = [arg for arg in signature.keyword if arg.name not in paging]
    doc = docstring(
        f"Iterate over every item of `{op.py_name}`, fetching pages as needed.",
        f"`{page.limit_param}` sets the page size; `max_items` stops after that many items.",
    )
    return PagerView(
        name=page.method_name,
        doc=doc,
        keyword=[*kept, limit, _MAX_ITEMS, _OPTIONS],
        passed=kept,
        item_type=annotation(page.item_type, "models"),
        items_field=page.items_field,
        limit=limit,
    )
