"""The names this stage settles itself, all in one pass: `claim_names(project)`.

The parser names models, fields, operations and parameters; the classes and attributes that group
operations are named here: each API's group class (`ExporterAPI`, `client.<api>`'s type), each
resource's attribute and class (`client.<api>.<attr>`, `JobsResource`), and each list operation's
auto-pager (`iter_<operation>`). Collisions are settled in document order, as the parser settles its
own, so the output is the same on every run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .. import ir, naming

# The attribute of every resource that holds its raw-response twin.
RAW_RESPONSE_ATTR = "with_raw_response"


@dataclass(frozen=True)
class ResourceNames:
    """One resource (the operations of one tag): its attribute, its class, its pagers."""

    attr: str
    class_name: str
    pagers: dict[str, str]  # operation method name -> its auto-pager's method name


@dataclass(frozen=True)
class ApiNames:
    """One API's group class and its resources (by the IR's `Operation.resource`)."""

    group_class: str
    resources: dict[str, ResourceNames]


def claim_names(project: ir.Project) -> dict[str, ApiNames]:
    """The names of every API's group class and resources, by the API's module name."""
    groups: set[str] = set()
    result: dict[str, ApiNames] = {}
    for api in project.apis:
        # `_client.py` imports every API's group class: modules `foo_2` and `foo2` both make `Foo2API`.
        group = _claim_with_async(groups, naming.class_name(api.name, empty="Api"), "API")
        result[api.name] = ApiNames(group, _resource_names(api.operations))
    return result


def _resource_names(operations: Iterable[ir.Operation]) -> dict[str, ResourceNames]:
    groups: dict[str, list[ir.Operation]] = {}
    for op in operations:
        groups.setdefault(op.resource, []).append(op)
    attrs = naming.Scope({RAW_RESPONSE_ATTR})
    classes: set[str] = set()
    result: dict[str, ResourceNames] = {}
    for resource, ops in groups.items():
        attr = attrs.claim(naming.snake(resource, empty="default"))
        cls = _claim_with_async(classes, naming.class_name(resource, empty="Default"), "Resource")
        # A pager (`iter_<method>`) must not take the name of another operation's method.
        methods = naming.Scope({op.py_name for op in ops} | {RAW_RESPONSE_ATTR})
        pagers = {op.py_name: methods.claim(f"iter_{op.py_name}") for op in ops if op.pagination}
        result[resource] = ResourceNames(attr, cls, pagers)
    return result


def _claim_with_async(taken: set[str], base: str, suffix: str) -> str:
    """`{base}{suffix}`, or with 2, 3, ... before the suffix, such that neither it nor its async twin
    (`Async` + it) is taken: resources "Jobs" and "Async Jobs" must not both make `AsyncJobsResource`."""
    name, n = base + suffix, 1
    while name in taken or "Async" + name in taken:
        n += 1
        name = f"{base}{n}{suffix}"
    taken.update((name, "Async" + name))
    return name
