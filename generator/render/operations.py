"""The views of an API's operations, grouped by resource (`<api>/resources.py`).

Each operation is described once to the runtime, by a module-level `Operation` (its descriptor:
parameters with their styles, request bodies with their encodings, every documented response);
its method passes the argument values to `client._call` with it, and returns the parsed body.
"""

from __future__ import annotations

from .. import ir
from .models import default_value
from .pysource import Code, code, docstring, names_of, py_str, string_body
from .typehints import ANY, NONE, annotation, optional, union
from .views import Argument, OperationView, PagerView, ResourceView

_OPTIONS = Argument("options", optional(code("RequestOptions", "RequestOptions")), NONE)
_MAX_ITEMS = Argument("max_items", optional(code("int")), NONE)
_FILTER = code("Filter", "Filter")
_JSON_OBJECT = code("dict[str, Any]", "Any")
_FILE = code("FileContent", "FileContent")
_BYTES = ir.PrimitiveType("bytes")
_RAW = code("bytes | IO[bytes]", "IO")
_FIELDS = code("Mapping[str, object]", "Mapping")
_JSON = "application/json"
# The defaults of each location (`Param.<location>(...)` holds them): style, and explode for it.
_STYLE_DEFAULTS = {"path": "simple", "query": "form", "header": "simple", "cookie": "form"}


def resource_views(api: ir.Api) -> list[ResourceView]:
    """The resources of an API (operations grouped by tag, in document order), as the IR names them."""
    groups: dict[str, list[ir.Operation]] = {}
    for op in api.operations:
        groups.setdefault(op.resource, []).append(op)
    enums = {e.name: e for e in api.enums}
    return [
        ResourceView(
            resource.class_name,
            resource.attr,
            [operation_view(op, enums) for op in groups[resource.tag]],
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

    def add(
        self,
        name: str,
        type_: Code,
        *,
        required: bool,
        first: bool = False,
        default: Code | None = None,
    ) -> None:
        """A keyword argument: required ones before optional ones (`first`: before all others).
        A `default` makes an argument optional, with that default."""
        if default is not None and default != NONE:
            self.keyword.append(Argument(name, type_, default))
        elif required:
            at = 0 if first else sum(1 for known in self.keyword if known.required)
            self.keyword.insert(at, Argument(name, type_))
        else:
            self.keyword.append(Argument(name, optional(type_), NONE))


def operation_view(op: ir.Operation, enums: dict[str, ir.Enum] | None = None) -> OperationView:
    enums = enums or {}
    signature = _Signature()
    passed: list[tuple[str, Code]] = []  # `args`: each parameter's Python name and value
    for p in op.params:
        type_ = _param_annotation(p)
        passed.append((p.py_name, code(p.py_name)))
        if p.where == "path":
            signature.add_path(p.py_name, type_)
        else:
            default = default_value(p.default, p.type, "models", enums)
            signature.add(p.py_name, type_, required=p.required, default=default)
    body, content_type = _body_arguments(op, signature, enums)
    signature.keyword.append(_OPTIONS)
    return_type = _return_type(op)
    deprecated = [p.py_name for p in op.params if p.deprecated]
    doc = docstring(
        op.summary,
        op.description if op.description.strip() != op.summary.strip() else "",
        "Deprecated: " + ", ".join(f"`{name}`" for name in deprecated) + "." if deprecated else "",
        f"`{op.method} {op.path}`" + (" (deprecated)" if op.deprecated else ""),
    )
    pager = _pager_view(op, op.pagination, signature) if op.pagination is not None else None
    arguments = [code(op.descriptor)]
    if passed:
        arguments.append(_dict_of(passed))
    if body is not None:
        arguments.append(Code(f"body={body.text}", body.names))
    if content_type:
        arguments.append(code("content_type=content_type"))
    arguments.append(code("options=options"))
    return OperationView(
        name=op.py_name,
        doc=doc,
        route=f"{op.method} {string_body(op.path)}",
        positional=signature.positional,
        keyword=signature.keyword,
        method=op.method,
        path=code(py_str(op.path)),
        return_type=return_type,
        returns_value=return_type != NONE,
        deprecated=op.deprecated,
        pager=pager,
        descriptor=op.descriptor,
        descriptor_type=Code(f"Operation[{return_type.text}]", return_type.names | {"Operation"}),
        descriptor_value=_descriptor(op),
        call=Code(", ".join(a.text for a in arguments), frozenset(names_of(arguments))),
        streams=any(
            content.kind != "json"
            for response in op.responses
            if not response.is_error
            for content in response.contents
        ),
    )


def _dict_of(entries: list[tuple[str, Code]]) -> Code:
    text = "{" + ", ".join(f"{py_str(key)}: {value.text}" for key, value in entries) + "}"
    return Code(text, frozenset(names_of(value for _, value in entries)))


def _param_annotation(param: ir.Param) -> Code:
    type_ = annotation(param.type, "models", validated=False)
    if param.is_filter and type_.text == "str":
        return union(type_, _FILTER)
    return type_


# -- the request body ------------------------------------------------------------------------------


def _bodies(op: ir.Operation) -> list[ir.Body]:
    """The operation's request bodies, the default (`op.body`) first, then in document order."""
    if op.body is None:
        return list(op.bodies)
    return [op.body, *(b for b in op.bodies if b is not op.body)]


def _body_arguments(
    op: ir.Operation, signature: _Signature, enums: dict[str, ir.Enum]
) -> tuple[Code | None, bool]:
    """The body's arguments, added to `signature`: the value passed as `body=` (None: no body),
    and whether a `content_type` argument chooses among several media types."""
    bodies = _bodies(op)
    if not bodies:
        return None, False
    if len(bodies) == 1 and bodies[0].kind in ("form", "multipart"):
        # One form or multipart body: its fields are the method's arguments, passed by wire name.
        fields: list[tuple[str, Code]] = []
        for part in bodies[0].parts:
            if part.read_only:  # sent by the server only
                continue
            type_ = file_annotation(part) if bodies[0].kind == "multipart" else None
            type_ = type_ or annotation(part.type, "models", validated=False)
            default = default_value(part.default, part.type, "models", enums)
            signature.add(part.py_name, type_, required=part.required, first=True, default=default)
            fields.append((part.wire_name, code(part.py_name)))
        return _dict_of(fields), False
    types: list[Code] = []
    for body in bodies:
        for type_ in _body_annotation(body):
            if type_.text not in (seen.text for seen in types):
                types.append(type_)
    required = any(body.required for body in bodies)
    signature.add("body", union(*types), required=required, first=True)
    if len(bodies) > 1:
        media_types = ", ".join(py_str(_sent_media_type(body)) for body in bodies)
        choice = code(f"Literal[{media_types}]", "Literal")
        signature.add(
            "content_type",
            choice,
            required=False,
            default=code(py_str(_sent_media_type(bodies[0]))),
        )
    return code("body"), len(bodies) > 1


def file_annotation(part: ir.BodyPart) -> Code | None:
    """A multipart field that holds a file, or an array of them (`format: binary`, also through
    a `$ref`): what a file argument takes; None for any other field."""
    type_ = part.type.inner if isinstance(part.type, ir.NullableType) else part.type
    if type_ == _BYTES:
        return _FILE
    if isinstance(type_, ir.ListType) and type_.as_tuple is None and type_.item == _BYTES:
        return Code(f"list[{_FILE.text}]", _FILE.names)
    return None


def _body_annotation(body: ir.Body) -> list[Code]:
    """What a `body` argument takes for one media type."""
    if body.kind in ("form", "multipart"):
        return [_FIELDS]  # the fields by wire name
    if body.kind == "binary":
        return [_RAW]
    if body.kind == "text":
        return [code("str")]
    type_ = body.type if body.type is not None else ir.ANY
    if isinstance(type_, ir.NullableType):  # None is no body; JSON null is not sent
        type_ = type_.inner
    found = annotation(type_, "models", validated=False)
    return [found, _JSON_OBJECT] if isinstance(type_, ir.ModelRef) else [found]


def _sent_media_type(body: ir.Body) -> str:
    """The media type a body is sent as: as declared, but JSON for a wildcard with a schema."""
    return _JSON if body.kind == "json" and "*" in body.content_type else body.content_type


# -- the descriptor --------------------------------------------------------------------------------


def _descriptor(op: ir.Operation) -> Code:
    """`Operation(method, path, params=..., body=..., responses=...)` for the operation."""
    parts = [code(py_str(op.method)), code(py_str(op.path))]
    if op.params:
        params = [_param(p) for p in op.params]
        listed = ", ".join(p.text for p in params) + ("," if len(params) == 1 else "")
        parts.append(Code(f"params=({listed})", frozenset(names_of(params))))
    bodies = [_body(b) for b in _bodies(op)]
    if len(bodies) == 1:
        parts.append(Code(f"body={bodies[0].text}", bodies[0].names))
    elif bodies:
        listed = ", ".join(b.text for b in bodies)
        parts.append(Code(f"body=({listed})", frozenset(names_of(bodies))))
    if op.responses:
        entries = [_response(r) for r in op.responses]
        listed = ", ".join(e.text for e in entries)
        parts.append(Code(f"responses={{{listed}}}", frozenset(names_of(entries))))
    if op.deprecated:
        parts.append(code("deprecated=True"))
    text = "Operation(" + ", ".join(p.text for p in parts) + ")"
    return Code(text, frozenset(names_of(parts)) | {"Operation"})


def _param(p: ir.Param) -> Code:
    """`Param.<location>(name[, arg], ...)` with what differs from the location's defaults."""
    arguments = [py_str(p.wire_name)]
    if p.py_name != p.wire_name:
        arguments.append(py_str(p.py_name))
    style = p.style or _STYLE_DEFAULTS[p.where]
    if style != _STYLE_DEFAULTS[p.where]:  # (header and cookie have one style each)
        arguments.append(f"style={py_str(style)}")
    if p.explode is not None and p.explode != (style == "form"):
        arguments.append(f"explode={p.explode}")
    if p.allow_reserved and p.where == "query":
        arguments.append("allow_reserved=True")
    if p.media_type is not None:
        arguments.append(f"media_type={py_str(p.media_type)}")
    if p.deprecated:
        arguments.append("deprecated=True")
    return code(f"Param.{p.where}({', '.join(arguments)})", "Param")


def _body(body: ir.Body) -> Code:
    """`Body(media_type[, {field: Encoding(...)}])`."""
    encodings: list[str] = []
    for part in body.parts:
        given = part.encoding
        if given is None:
            continue
        options = []
        if given.content_type is not None:
            options.append(f"content_type={py_str(given.content_type)}")
        if given.style is not None:
            options.append(f"style={py_str(given.style)}")
        if given.explode is not None:
            options.append(f"explode={given.explode}")
        if given.allow_reserved:
            options.append("allow_reserved=True")
        if options:
            encodings.append(f"{py_str(part.wire_name)}: Encoding({', '.join(options)})")
    media_type = py_str(_sent_media_type(body))
    if not encodings:
        return code(f"Body({media_type})", "Body")
    return code(f"Body({media_type}, {{{', '.join(encodings)}}})", "Body", "Encoding")


def _response(response: ir.Response) -> Code:
    """`status: type`, `status: Content(type, media_type)`, a tuple of them, or `status: None`."""
    key = response.status if response.status.isdigit() else py_str(response.status)
    contents = [_content(c) for c in response.contents]
    if not contents:
        return Code(f"{key}: None")
    if len(contents) == 1:
        return Code(f"{key}: {contents[0].text}", contents[0].names)
    listed = ", ".join(c.text for c in contents)
    return Code(f"{key}: ({listed})", frozenset(names_of(contents)))


def _content(content: ir.ResponseContent) -> Code:
    type_ = annotation(content.type, "models")
    if content.kind == "json" and content.media_type == _JSON:
        return type_
    text = f"Content({type_.text}, {py_str(content.media_type)})"
    return Code(text, type_.names | {"Content"})


def _return_type(op: ir.Operation) -> Code:
    """What the method returns: the union of the bodies its success responses document (None for
    one without a body); without any, the `default` response's (which then covers successes)."""
    answers = [r for r in op.responses if not r.is_error]
    if not answers:
        answers = [r for r in op.responses if r.status == "default"]
    types: list[Code] = []
    for response in answers:
        found = [annotation(c.type, "models", validated=False) for c in response.contents]
        for type_ in found or [NONE]:
            if type_.text not in (seen.text for seen in types):
                types.append(type_)
    if not types or types == [NONE]:
        return NONE
    if ANY in types:
        return ANY
    types.sort(key=lambda type_: type_ == NONE)  # `X | None`
    return union(*types)


# -- the pager -------------------------------------------------------------------------------------


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
        item_type=annotation(page.item_type, "models", validated=False),
        items_field=page.items_field,
        limit=limit,
    )
