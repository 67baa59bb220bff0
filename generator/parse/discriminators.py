"""The discriminator pass: keep a union's discriminator only where pydantic can use it."""

from __future__ import annotations

from .. import ir
from .walk import map_types


def settle_discriminators(api: ir.Api) -> ir.Api:
    """Keep a union's discriminator only where pydantic can use it, as the field's Python name.

    Every option must be a model whose discriminating property is required and a literal; otherwise
    the union is validated by pydantic's smart mode, which needs no discriminator.
    """
    models = {m.name: m for m in api.models}

    def settle(type_: ir.TypeRef) -> ir.TypeRef:
        if not isinstance(type_, ir.UnionType) or type_.discriminator is None:
            return type_
        names: set[str] = set()
        for option in type_.options:
            model = models.get(option.name) if isinstance(option, ir.ModelRef) else None
            field = (
                next((f for f in model.fields if f.wire_name == type_.discriminator), None)
                if model
                else None
            )
            if field is None or not field.required or not isinstance(field.type, ir.LiteralType):
                return ir.UnionType(type_.options, None)
            names.add(field.py_name)
        return (
            ir.UnionType(type_.options, names.pop())
            if len(names) == 1
            else ir.UnionType(type_.options, None)
        )

    return map_types(api, settle)
