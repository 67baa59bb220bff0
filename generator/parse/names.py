"""The naming pass: the names by which the client reaches an API and its operations.

- per project (`ProjectNames`, run by the pipeline in the order of the specs): each API's module
  (`client.<module>`, from the spec file's stem) and its group class (`<Module>API`, unique with its
  `Async` twin across the project: modules `foo_2` and `foo2` would both make `Foo2API`);
- per API (`name_resources`): each resource group (the operations' first tag, or their path's first
  segment) gets an attribute of the API group (snake_case, unique) and a class (`<Tag>Resource`,
  unique with its `Async` twin).

Method names are made as operations are parsed; the pagination pass names the pager methods;
`name_descriptors` names the module-level constant that describes each operation to the runtime.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from .. import ir, naming

# The attribute of every API group and resource class that holds the raw-response variants.
RAW_RESPONSE_ATTR = "with_raw_response"


@dataclass(frozen=True)
class ApiNames:
    """The names one API gets in the client."""

    module: str  # `client.<module>`, and the sub-package of its models and resources
    group_class: str  # the class of `client.<module>`; `Async` + it for the async client


class ProjectNames:
    """Hands out the names of a project's APIs, first come first served (the order of the specs)."""

    def __init__(self) -> None:
        self._modules = naming.Scope(sep="_")
        self._group_classes = naming.SyncAsyncScope()

    def claim(self, stem: str) -> ApiNames:
        """The names of the API whose spec file has this stem."""
        module = self._modules.claim(naming.module_name(stem))
        group_class = self._group_classes.claim(naming.class_name(module, empty="Api"), "API")
        return ApiNames(module, group_class)


def name_resources(operations: Iterable[ir.Operation]) -> tuple[ir.Resource, ...]:
    """The resource groups of these operations, in the order of their first operations, named."""
    attrs = naming.Scope({RAW_RESPONSE_ATTR})
    classes = naming.SyncAsyncScope()
    resources: dict[str, ir.Resource] = {}
    for operation in operations:
        tag = operation.resource
        if tag not in resources:
            resources[tag] = ir.Resource(
                tag=tag,
                attr=attrs.claim(naming.snake(tag, empty="default")),
                class_name=classes.claim(naming.class_name(tag, empty="Default"), "Resource"),
            )
    return tuple(resources.values())


def name_descriptors(operations: Iterable[ir.Operation]) -> list[ir.Operation]:
    """The operations with the names of their descriptors: `_` and the method's name in upper case
    (`_GET_JOB`), unique among the API's operations (methods of different resources may share a
    name) in document order. No other module-level name of `resources.py` starts with `_`."""
    scope = naming.Scope()
    return [
        dataclasses.replace(operation, descriptor=scope.claim("_" + operation.py_name.upper()))
        for operation in operations
    ]
