"""The pagination pass: find the operations that page by `page[offset]` and `page[limit]`, and name
their pager methods.

Such an operation takes both query parameters and answers with a model whose `data` field is a list:
the client gets a method for it, `iter_<method>`, that yields the items of every page. The name must
not be taken by another method of the same resource (an operation may be called `iter_list_jobs`):
then it gets `_2`, `_3`, ...
"""

from __future__ import annotations

import dataclasses

from .. import ir, naming
from .names import RAW_RESPONSE_ATTR


def add_pagination(api: ir.Api) -> ir.Api:
    """`api` with a `Pagination` on every operation that pages."""
    models = {m.name: m for m in api.models}
    taken: dict[str, set[str]] = {}  # by resource: its operations' method names
    for op in api.operations:
        taken.setdefault(op.resource, {RAW_RESPONSE_ATTR}).add(op.py_name)
    methods = {resource: naming.Scope(names) for resource, names in taken.items()}
    operations = tuple(_with_pagination(op, models, methods[op.resource]) for op in api.operations)
    if all(new is old for new, old in zip(operations, api.operations, strict=True)):
        return api
    return dataclasses.replace(api, operations=operations)


def _with_pagination(
    operation: ir.Operation, models: dict[str, ir.Model], methods: naming.Scope
) -> ir.Operation:
    query = {p.wire_name: p for p in operation.params if p.where == "query"}
    if "page[offset]" not in query or "page[limit]" not in query:
        return operation
    for response in operation.success_responses:
        type_ = response.json_type
        if isinstance(type_, ir.ModelRef) and type_.name in models:
            for field in models[type_.name].fields:
                if field.wire_name == "data" and isinstance(field.type, ir.ListType):
                    pagination = ir.Pagination(
                        offset_param=query["page[offset]"].py_name,
                        limit_param=query["page[limit]"].py_name,
                        item_type=field.type.item,
                        items_field=field.py_name,
                        method_name=methods.claim(f"iter_{operation.py_name}"),
                    )
                    return dataclasses.replace(operation, pagination=pagination)
    return operation
