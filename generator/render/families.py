"""The typed job accessors (`<package>/_job_families.py`): one class per job family, sync and async.

Each creator of a family becomes a method with the signature of the operation it calls (the same
arguments as `client.<api>.<resource>.<operation>`), documented with that operation's text, and
calling that operation's raw form: any body kind (JSON, multipart, form) takes the normal request
path, and the response becomes a `Job` through the family's profile.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .. import ir, naming
from .operations import operation_view
from .pysource import Code, code, docstring, py_str, string_body
from .views import Argument, CreatorView, FamilyView

_MODELS = re.compile(r"\bmodels\.")


def family_views(project: ir.Project) -> list[FamilyView]:
    apis = {api.name: api for api in project.apis}
    families = [family for api in project.apis for family in api.jobs]
    taken = {"ClientJobs"}
    views = []
    for family in families:
        class_name = naming.class_name(family.name)
        if not class_name.endswith("Jobs"):
            class_name += "Jobs"
        if class_name in taken:
            class_name = naming.class_name(family.name) + "FamilyJobs"
        taken.add(class_name)
        views.append(_family_view(apis, family, class_name))
    return views


def _find(apis: Mapping[str, ir.Api], op: ir.JobOperation) -> ir.Operation:
    return next(o for o in apis[op.api].operations if o.method == op.method and o.path == op.path)


def _path_names(operation: ir.Operation) -> dict[str, str]:
    """The operation's path parameters: wire name -> the method's argument name."""
    return {p.wire_name: p.py_name for p in operation.params if p.where == "path"}


def _rebased(value: Code, api: str) -> Code:
    """An annotation written for `<api>/resources.py` (`models.X`), as `_job_families.py` reads it."""
    if "models" not in value.names:
        return value
    text = _MODELS.sub(f"{api}_models.", value.text)
    return Code(text, (value.names - {"models"}) | {f"{api}_models"}, value.none_last)


def _family_view(apis: Mapping[str, ir.Api], family: ir.JobFamily, class_name: str) -> FamilyView:
    reading = family.operation("get") or family.operation("list")
    read_names = _path_names(_find(apis, reading)) if reading is not None else {}
    parents = [
        Argument(read_names.get(parent, naming.param_name(parent)), code("str"))
        for parent in family.parent_params
    ]
    passed = "".join(
        f", {parent}={argument.name}"
        for parent, argument in zip(family.parent_params, parents, strict=True)
    )
    api = apis[family.api]
    routes = ", ".join(
        f"`{op.method} {op.path}`" for op in family.operations if op.role in ("get", "list")
    )
    creators = [_creator_view(apis, family, op) for op in family.creators]
    started = ", ".join(f"`{c.method}(...)`" for c in creators)
    doc = docstring(
        f"Jobs of the `{family.name}` family: `client.jobs.{family.name}`.",
        f"Read through the {api.title} ({routes})"
        + (f"; started with {started}" if started else "")
        + (". `get` and `list` read them" if family.operation("list") else ". `get` reads them")
        + "; `wait`, `watch`, `cancel`, `errors`, `download` and `resume` work as on "
        "`client.jobs`.",
        indent="    ",
    )
    can_list = family.operation("list") is not None
    return FamilyView(family.name, family.api, class_name, doc, creators, parents, passed, can_list)


def _creator_view(
    apis: Mapping[str, ir.Api], family: ir.JobFamily, job_op: ir.JobOperation
) -> CreatorView:
    api = apis[job_op.api]
    operation = _find(apis, job_op)
    view = operation_view(operation)
    positional = [
        Argument(a.name, _rebased(a.annotation, api.name), a.default) for a in view.positional
    ]
    keyword = [
        Argument(
            a.name,
            _rebased(a.annotation, api.name),
            None if a.default is None else _rebased(a.default, api.name),
        )
        for a in view.keyword
    ]
    resource = next(r for r in api.resources if r.tag == operation.resource)
    arguments = ", ".join([a.name for a in positional] + [f"{a.name}={a.name}" for a in keyword])
    names = _path_names(operation)
    parents = (
        "{"
        + ", ".join(f"{py_str(parent)}: {names[parent]}" for parent in family.parent_params)
        + "}"
    )
    method = "create" if job_op.name == "create" else f"create_{job_op.name}"
    where = f"`{operation.method} {operation.path}`" + (
        f" of the {api.title}" if api.name != family.api else ""
    )
    doc = docstring(
        f"Start a job of the `{family.name}` family: {operation.summary or operation.py_name}.",
        operation.description if operation.description.strip() != operation.summary.strip() else "",
        *_body_doc(operation, api.name),
        f"Calls {where} (`client.{api.name}.{resource.attr}.{operation.py_name}`) and returns "
        "the started job; wait for it with `wait`.",
        indent="        ",
    )
    return CreatorView(
        method=method,
        route=f"{operation.method} {string_body(operation.path)}",
        doc=doc,
        positional=positional,
        keyword=keyword,
        operation=f"{api.name}.{resource.attr}.with_raw_response.{operation.py_name}",
        arguments=arguments,
        parents=parents,
    )


def _body_doc(operation: ir.Operation, api: str) -> list[str]:
    """What the request body is, where the user passes it."""
    body = operation.body
    if body is None:
        return []
    if body.kind == "json":
        shape = (
            f"a `{api}_models.{body.type.name}` or a dict of the same shape"
            if isinstance(body.type, ir.ModelRef)
            else "JSON data"
        )
        return [f"`body`: {shape}, sent as {body.content_type}. {body.description}".strip()]
    if body.kind in ("binary", "text"):
        return [f"`body`: the {body.content_type} content. {body.description}".strip()]
    lines = [f"The {body.content_type} body, one argument per field:"]
    for part in body.parts:
        what = "a file (bytes, a binary file, or `(name, content[, type])`)" if part.is_file else ""
        need = "required" if part.required else "optional"
        lines.append(
            f"`{part.py_name}` ({need}{', ' + what if what else ''}): {part.description}".rstrip(
                ": "
            )
        )
    return lines


def family_names(families: list[FamilyView]) -> str:
    if not families:
        return "Never"
    return "Literal[" + ", ".join(py_str(f.name) for f in families) + "]"
