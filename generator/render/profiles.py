"""Each job family as the `JobProfile(...)` literal `_profiles.py` holds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .. import ir
from .pysource import Code, py_str, py_value

_READING_ROLES = ("list", "get")
_OTHER_ROLES = ("errors", "logs", "file")


def creator_media_type(apis: Mapping[str, ir.Api], op: ir.JobOperation) -> str | None:
    """The media type of a creator's request body when it is not JSON (else None)."""
    found = next(o for o in apis[op.api].operations if o.method == op.method and o.path == op.path)
    if found.body is None or found.body.kind == "json":
        return None
    return found.body.content_type


def profile_literal(apis: Mapping[str, ir.Api], family: ir.JobFamily) -> Code:
    """`JobProfile(...)` for one job family, with the names it reads."""
    names = {"JobProfile"}

    def endpoint(op: ir.JobOperation | None, media_type: str | None = None) -> str:
        if op is None:
            return "None"
        names.add("Endpoint")
        extra = f", {py_str(media_type)}" if media_type else ""
        return f"Endpoint({py_str(op.method)}, {py_str(op.path)}{extra})"

    def tuple_of(values: Iterable[str]) -> str:
        items = [py_str(v) for v in values]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"

    def statuses_set(values: Iterable[str]) -> str:
        names.add("JobStatus")
        return "frozenset({" + ", ".join(f"JobStatus.{v.upper()}" for v in values) + "})"

    def field_value(rule: ir.JobField) -> str:
        if rule.when is None:
            return py_str(rule.path)
        names.add("FieldRule")
        return f"FieldRule({py_str(rule.path)}, {statuses_set(rule.when)})"

    def cancel_literal(cancel: ir.JobCancel | None) -> str:
        if cancel is None:
            return "None"
        names.add("Cancel")
        arguments = [endpoint(cancel.operation)]
        if cancel.removes_job:
            arguments.append("removes_job=True")
        if cancel.from_statuses:
            arguments.append(f"from_statuses={tuple_of(cancel.from_statuses)}")
        return "Cancel(" + ", ".join(arguments) + ")"

    creators = family.creators
    media = {op: creator_media_type(apis, op) for op in creators}
    parts = []
    if family.name != family.api:
        parts.append(f"name={py_str(family.name)}")
    parts += [
        f"api={py_str(family.api)}",
        f"resource_type={py_str(family.resource_type) if family.resource_type else 'None'}",
        f"job_param={py_str(family.job_param)}",
        f"parent_params={tuple_of(family.parent_params)}",
        f"envelope={py_str(family.envelope)}",
        f"create={endpoint(creators[0], media[creators[0]]) if creators else 'None'}",
        *(f"{role}={endpoint(family.operation(role))}" for role in _READING_ROLES),
        f"cancel={cancel_literal(family.cancel)}",
        *(
            f"{role}={endpoint(family.operation(role))}"
            for role in _OTHER_ROLES
            if role != "logs" or family.operation("logs") is not None
        ),
        "fields={" + ", ".join(f"{py_str(f.name)}: {field_value(f)}" for f in family.fields) + "}",
        f"file_link={py_str(family.file_link) if family.file_link else 'None'}",
        f"error_messages={py_str(family.error_messages) if family.error_messages else 'None'}",
    ]
    if family.log_messages:
        parts.append(f"log_messages={py_str(family.log_messages)}")
    if family.statuses:
        names.add("JobStatus")
        parts.append(
            "statuses={"
            + ", ".join(f"{py_str(s.word)}: JobStatus.{s.status.upper()}" for s in family.statuses)
            + "}"
        )
    if family.state:
        parts.append("state=(" + "".join(f"{_rule(r, names)}, " for r in family.state) + ")")
    if len(creators) > 1 or any(op.name != "create" for op in creators):
        parts.append(
            "creators={"
            + ", ".join(f"{py_str(op.name)}: {endpoint(op, media[op])}" for op in creators)
            + "}"
        )
    models_module = f"{family.api}_models"
    if family.model:
        names.add(models_module)
    parts.append(f"model={models_module}.{family.model}" if family.model else "model=None")
    return Code("JobProfile(" + ", ".join(parts) + ")", frozenset(names))


def _rule(rule: ir.JobStateRule, names: set[str]) -> str:
    names.update(("StateRule", "JobStatus"))
    status = f"JobStatus.{rule.status.upper()}"
    condition = rule.condition
    if condition is None:
        return f"StateRule({status})"
    names.add("Condition")
    arguments = [py_str(condition.kind)]
    if condition.path:
        arguments.append(py_str(condition.path))
    if condition.values:
        values = [py_value(v) for v in condition.values]
        arguments.append("values=(" + ", ".join(values) + ("," if len(values) == 1 else "") + ")")
    return f"StateRule({status}, Condition({', '.join(arguments)}))"
