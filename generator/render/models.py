"""The views of an API's models and enums (`<api>/models.py`)."""

from __future__ import annotations

from .. import ir
from .pysource import Code, code, docstring, py_str, py_value
from .typehints import NONE, annotation, optional
from .views import EnumMemberView, EnumView, FieldView, ModelView


def model_view(model: ir.Model) -> ModelView:
    fields: list[FieldView] = []
    for f in model.fields:
        type_ = annotation(f.type)
        alias = f"alias={py_str(f.wire_name)}" if f.py_name != f.wire_name else ""
        default: Code | None
        if f.required:
            default = code(f"Field({alias})", "Field") if alias else None
        else:
            type_ = optional(type_)
            default = code(f"Field(default=None, {alias})", "Field") if alias else NONE
        doc = f.description + (" (deprecated)" if f.deprecated else "")
        # A field's docstring stands in the class body, where the formatter does not indent it.
        fields.append(FieldView(f.py_name, type_, default, docstring(doc, indent="    ")))
    extra = annotation(model.additional) if model.additional is not None else None
    return ModelView(model.name, docstring(model.description) or model.name, fields, extra)


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
