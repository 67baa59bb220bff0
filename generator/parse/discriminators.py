"""The discriminator pass: which unions pydantic can tell apart by a property, and by which field."""

from __future__ import annotations

from .. import ir
from .walk import map_types


def settle_discriminators(api: ir.Api) -> ir.Api:
    """Give each union's discriminator its Python name where pydantic can use it, and complete its
    mapping with the values of the options' literal fields.

    Every option must be a model whose discriminating property is required and a literal, under one
    Python name; otherwise the union is validated by pydantic's smart mode, which needs none (or,
    with the mapping, by a client that reads the property's value and picks the option it names).
    """
    models = {m.name: m for m in api.models}

    def settle(type_: ir.TypeRef) -> ir.TypeRef:
        if not isinstance(type_, ir.UnionType) or type_.discriminator is None:
            return type_
        given = type_.discriminator
        wire_name = given.wire_name
        # Values an option's literal field cannot take never choose it: an implicit value (the
        # schema's name) is left out for an option whose field says which values it takes.
        allowed: dict[str, tuple[object, ...]] = {}
        names: set[str] = set()
        literal = True
        for option in type_.options:
            model = models.get(option.name) if isinstance(option, ir.ModelRef) else None
            field = (
                next((f for f in model.fields if f.wire_name == wire_name), None) if model else None
            )
            if field is not None and isinstance(field.type, ir.LiteralType) and model is not None:
                allowed[model.name] = field.type.values
            if field is None or not field.required or not isinstance(field.type, ir.LiteralType):
                literal = False
                continue
            names.add(field.py_name)
        mapping = {
            value: name
            for value, name in given.mapping
            if name not in allowed or value in allowed[name]
        }
        for name, values in allowed.items():
            for value in values:
                if isinstance(value, str):
                    mapping.setdefault(value, name)
        py_name = names.pop() if literal and len(names) == 1 else None
        settled = ir.Discriminator(wire_name, py_name, tuple(mapping.items()))
        return type_ if settled == given else ir.UnionType(type_.options, settled)

    return map_types(api, settle)
