"""The discriminator pass: which unions pydantic can tell apart by a property, and by which field."""

from __future__ import annotations

from .. import ir
from .walk import map_types


def settle_discriminators(api: ir.Api) -> ir.Api:
    """Give each union's discriminator its Python name where pydantic can use it.

    Every option must be a model whose discriminating property is required and a literal, under one
    Python name; otherwise the union is validated by pydantic's smart mode, which needs none.
    """
    models = {m.name: m for m in api.models}

    def settle(type_: ir.TypeRef) -> ir.TypeRef:
        if not isinstance(type_, ir.UnionType) or type_.discriminator is None:
            return type_
        wire_name = type_.discriminator.wire_name
        names: set[str] = set()
        for option in type_.options:
            model = models.get(option.name) if isinstance(option, ir.ModelRef) else None
            field = (
                next((f for f in model.fields if f.wire_name == wire_name), None) if model else None
            )
            if field is None or not field.required or not isinstance(field.type, ir.LiteralType):
                return type_
            names.add(field.py_name)
        if len(names) != 1:
            return type_
        return ir.UnionType(type_.options, ir.Discriminator(wire_name, names.pop()))

    return map_types(api, settle)
