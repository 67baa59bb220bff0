"""The pagination pass: find the operations that page by `page[offset]` and `page[limit]`.

Such an operation takes both query parameters and answers with a model whose `data` field is a list:
the client gets an auto-paging method for it, which yields the items of every page.
"""

from __future__ import annotations

import dataclasses

from .. import ir


def add_pagination(api: ir.Api) -> ir.Api:
    """`api` with a `Pagination` on every operation that pages."""
    models = {m.name: m for m in api.models}
    operations = tuple(_with_pagination(op, models) for op in api.operations)
    if all(new is old for new, old in zip(operations, api.operations, strict=True)):
        return api
    return dataclasses.replace(api, operations=operations)


def _with_pagination(operation: ir.Operation, models: dict[str, ir.Model]) -> ir.Operation:
    query = {p.wire_name: p for p in operation.params if p.where == "query"}
    if "page[offset]" not in query or "page[limit]" not in query:
        return operation
    for response in operation.success_responses:
        if isinstance(response.type, ir.ModelRef) and response.type.name in models:
            for field in models[response.type.name].fields:
                if field.wire_name == "data" and isinstance(field.type, ir.ListType):
                    pagination = ir.Pagination(
                        offset_param=query["page[offset]"].py_name,
                        limit_param=query["page[limit]"].py_name,
                        item_type=field.type.item,
                        items_field=field.py_name,
                    )
                    return dataclasses.replace(operation, pagination=pagination)
    return operation
