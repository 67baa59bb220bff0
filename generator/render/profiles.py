"""Each job profile as the `JobProfile(...)` literal `_profiles.py` holds."""

from __future__ import annotations

from collections.abc import Iterable

from .. import ir
from .pysource import Code, py_str

_ROLES = ("create", "list", "get", "cancel", "errors", "file")


def profile_literal(api: ir.Api, family: ir.JobFamily) -> Code:
    """`JobProfile(...)` for one API's job family, with the names it reads."""

    def endpoint(role: str) -> str:
        found = (
            family.cancel.operation
            if role == "cancel" and family.cancel
            else family.operation(role)
        )
        return f"Endpoint({py_str(found.method)}, {py_str(found.path)})" if found else "None"

    def tuple_of(values: Iterable[str]) -> str:
        items = [py_str(v) for v in values]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"

    fields = (
        "{"
        + ", ".join(
            f"{py_str(k)}: {py_str(v)}" for k, v in ((f.name, f.path) for f in family.fields)
        )
        + "}"
    )
    statuses = (
        "{"
        + ", ".join(
            f"{py_str(raw)}: JobStatus.{canonical.upper()}"
            for raw, canonical in ((s.word, s.status) for s in family.statuses)
        )
        + "}"
    )
    models_module = f"{api.name}_models"
    model = f"{models_module}.{family.model}" if family.model else "None"
    parts = [
        f"api={py_str(family.name)}",
        f"resource_type={py_str(family.resource_type or '')}",
        f"job_param={py_str(family.job_param)}",
        f"parent_params={tuple_of(family.parent_params)}",
        f"envelope={py_str(family.envelope)}",
        *(f"{role}={endpoint(role)}" for role in _ROLES),
        f"fields={fields}",
        f"file_link={py_str(family.file_link) if family.file_link else 'None'}",
        f"error_messages={py_str(family.error_messages) if family.error_messages else 'None'}",
        f"cancellable={tuple_of(family.cancel.from_statuses if family.cancel else ())}",
        f"statuses={statuses}",
        f"model={model}",
    ]
    names = {"JobProfile"}
    if family.operations or family.cancel:
        names.add("Endpoint")
    if family.statuses:
        names.add("JobStatus")
    if family.model:
        names.add(models_module)
    return Code("JobProfile(" + ", ".join(parts) + ")", frozenset(names))
