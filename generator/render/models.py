"""The views of an API's models and enums (`<api>/models.py`).

One model per schema, used in both directions, with what differs between them decided by where the
API uses the model (`directions`):

- a `readOnly` field (only the server sends it) is left out of a model that only requests carry,
  and optional in one that both carry; a required `writeOnly` one (only the client sends it) is
  optional in a model that responses carry; read-only fields are marked (`json_schema_extra`) and
  the runtime leaves them out of requests;
- a model that only requests carry refuses unknown fields however given (`APIRequestModel`); one
  that responses carry keeps them (`APIModel`), and its constructor still refuses them.
"""

from __future__ import annotations

from collections import deque
from typing import Literal, TypeAlias

from .. import ir
from .pysource import Code, code, docstring, py_str, py_value
from .typehints import NONE, annotation, optional
from .views import EnumMemberView, EnumView, FieldView, ModelView

Direction: TypeAlias = Literal["request", "response", "both"]
_SCALARS = frozenset({"str", "int", "float", "bool", "any"})
_MARKS = {"readOnly": "read-only: the server sets it", "writeOnly": "write-only: never read back"}


def model_view(
    model: ir.Model, direction: Direction = "both", enums: dict[str, ir.Enum] | None = None
) -> ModelView:
    fields: list[FieldView] = []
    for f in model.fields:
        if f.read_only and direction == "request":
            continue  # only the server sends it, and this model only goes to the server
        type_ = annotation(f.type)
        options: list[str] = []
        if f.py_name != f.wire_name:
            options.append(f"alias={py_str(f.wire_name)}")
        mark = "readOnly" if f.read_only else "writeOnly" if f.write_only else None
        if mark is not None:
            options.append(f"json_schema_extra={{{py_str(mark)}: True}}")
        required = f.required and not (
            (f.read_only and direction != "response") or (f.write_only and direction != "request")
        )
        default: Code | None
        if required:
            default = code(f"Field({', '.join(options)})", "Field") if options else None
        else:
            type_ = optional(type_)
            value = default_value(f.default, f.type, None, enums or {}) or NONE
            default = value
            if options:
                text = f"Field({', '.join([f'default={value.text}', *options])})"
                default = Code(text, value.names | {"Field"})
        notes = [" (deprecated)" if f.deprecated else "", f" ({_MARKS[mark]})" if mark else ""]
        doc = f.description + "".join(notes)
        # A field's docstring stands in the class body, where the formatter does not indent it.
        fields.append(FieldView(f.py_name, type_, default, docstring(doc, indent="    ")))
    extra = annotation(model.additional) if model.additional is not None else None
    base = "APIRequestModel" if direction == "request" and extra is None else "APIModel"
    return ModelView(model.name, docstring(model.description) or model.name, fields, extra, base)


def default_value(
    default: ir.Default | None, type_: ir.TypeRef, module: str | None, enums: dict[str, ir.Enum]
) -> Code | None:
    """A schema's default as a Python value of the field's or argument's type: a number, string,
    boolean, null, literal or enum member (None for any other: arrays and objects, and dates, which
    the server applies itself when the value is not sent)."""
    if default is None:
        return None
    value = default.value
    if value is None:
        return NONE
    inner = type_.inner if isinstance(type_, ir.NullableType) else type_
    if isinstance(inner, ir.EnumRef) and inner.name in enums:
        for member in enums[inner.name].members:
            if member.value == value and not isinstance(value, bool):
                owner = f"{module}.{inner.name}" if module else inner.name
                return Code(f"{owner}.{member.py_name}", frozenset({module} if module else ()))
        return None
    if isinstance(inner, ir.LiteralType):
        return Code(py_value(value)) if value in inner.values else None
    if isinstance(inner, ir.PrimitiveType) and isinstance(value, str | int | float | bool):
        return Code(py_value(value)) if inner.name in _SCALARS else None
    return None


def directions(api: ir.Api) -> dict[str, Direction]:
    """Which way each model travels: in requests only, in responses only, or both (models that no
    operation reaches count as both)."""
    sent, read = sent_and_read(api)
    return {
        name: "request"
        if name in sent and name not in read
        else "response"
        if name in read and name not in sent
        else "both"
        for name in (m.name for m in api.models)
    }


def sent_and_read(api: ir.Api) -> tuple[set[str], set[str]]:
    """The models and enums requests carry, and those responses carry: what the operations take
    and return, and every class those reach through their fields."""
    models = {m.name: m for m in api.models}
    request: list[ir.TypeRef] = []
    response: list[ir.TypeRef] = []
    for op in api.operations:
        request += [p.type for p in op.params]
        for body in op.bodies:
            if body.type is not None:
                request.append(body.type)
            request += [part.type for part in body.parts]
        response += [content.type for r in op.responses for content in r.contents]
    # the jobs facade reads each family's job object from responses
    response += [ir.ModelRef(family.model) for family in api.jobs if family.model is not None]
    return _reached(request, models), _reached(response, models)


def _reached(roots: list[ir.TypeRef], models: dict[str, ir.Model]) -> set[str]:
    """The models and enums `roots` mention, and those their fields mention, and so on."""
    seen: set[str] = set()
    queue = deque(roots)
    while queue:
        for type_ in ir.iter_types(queue.popleft()):
            if isinstance(type_, ir.ModelRef | ir.EnumRef) and type_.name not in seen:
                seen.add(type_.name)
                model = models.get(type_.name)
                if model is not None:
                    queue.extend(f.type for f in model.fields)
                    if model.additional is not None:
                        queue.append(model.additional)
    return seen


_ENUM_BASES = {
    "str": code("StrEnum", "StrEnum"),
    "int": code("IntEnum", "IntEnum"),
    "float": code("float, Enum", "Enum"),
}


def enum_view(enum: ir.Enum) -> EnumView:
    members = [EnumMemberView(m.py_name, py_value(m.value)) for m in enum.members]
    bases = _ENUM_BASES[enum.value_kind]
    return EnumView(enum.name, bases, docstring(enum.description) or enum.name, members)


def forward_references(api: ir.Api) -> list[str]:
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
