"""The import block of each generated module: exactly what it uses.

What a module uses is the union of the names its views' `Code` reads (annotations, defaults, request
arguments), gathered as they were built, plus what the template's own text uses (named here). The
order within a block is ruff's: `format.py` runs `ruff check --select I --fix` on every module.
tests/hostile (fuzz) and the golden test run `ruff check` on the output.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import naming
from .pysource import names_of
from .views import ApiView, Argument, EnumView, FamilyView, ModelView, ProfileView, ResourceView

_TYPING = ("Annotated", "Any", "Literal")
_TYPES = (".._types", ("PrefixItems", "UTCDateTime", "by_property"))
_StdImports = list[tuple[str, tuple[str, ...]]]  # (module, names; () for `import module`)
_MODEL_IMPORTS: list[_StdImports] = [
    [("datetime", ()), ("enum", ("Enum", "IntEnum", "StrEnum")), ("typing", _TYPING)],
    [("pydantic", ()), ("pydantic", ("Field",))],
    [(".._models", ("APIModel", "APIRequestModel")), _TYPES],
]
_RESOURCE_IMPORTS: list[_StdImports] = [
    [
        ("datetime", ()),
        ("collections.abc", ("AsyncIterator", "Iterator", "Mapping")),
        ("contextlib", ("AbstractAsyncContextManager", "AbstractContextManager")),
        ("functools", ("cached_property",)),
        ("typing", ("IO", "Annotated", "Any", "Final", "Literal")),
    ],
    [("pydantic", ()), ("pydantic", ("Field",))],
    [
        (".._base_client", ("AsyncAPIClient", "RequestOptions", "SyncAPIClient")),
        (".._filters", ("Filter",)),
        (".._models", naming.MODELS_HELPERS),
        (".._operation", ("Body", "Content", "Encoding", "Operation", "Param")),
        (".._pagination", naming.PAGINATION_HELPERS),
        (".._raw_response", naming.RESPONSE_HELPERS),
        (".._response", ("APIResponse", "AsyncStreamedResponse", "StreamedResponse")),
        _TYPES,
        (".", ("models",)),
    ],
]


_FAMILY_IMPORTS: list[_StdImports] = [
    [
        ("builtins", ()),
        ("datetime", ()),
        ("collections.abc", ("Mapping",)),
        ("functools", ("cached_property",)),
        ("typing", ("TYPE_CHECKING", *_TYPING, "cast")),
    ],
    [("pydantic", ("Field",))],
    [
        ("._base_client", ("RequestOptions",)),
        ("._filters", ("Filter",)),
        ("._jobs", ("AsyncFamilyJobs", "AsyncJobs", "FamilyJobs", "Job", "Jobs")),
        ("._models", ("FileContent",)),
        ("._profiles", ("JobFamilyName",)),
    ],
]


def _import_block(sections: list[_StdImports], used: set[str]) -> str:
    blocks: list[str] = []
    for section in sections:
        lines: list[str] = []
        for module, names in section:
            if not names:
                if module in used:
                    lines.append(f"import {module}")
                continue
            kept = [name for name in names if name in used]
            if kept:
                lines.append(f"from {module} import {', '.join(kept)}")
        if lines:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def model_imports(models: list[ModelView], enums: list[EnumView]) -> str:
    """The import block of `<api>/models.py`."""
    used = names_of(enum.bases for enum in enums)
    for model in models:
        if model.extra_annotation is not None:
            used |= model.extra_annotation.names
        for f in model.fields:
            used |= f.annotation.names
            if f.default is not None:
                used |= f.default.names
    used.update(model.base for model in models)
    if any(model.extra_annotation for model in models):
        used.add("Field")  # `__pydantic_extra__: ... = Field(init=False)`
    return _import_block(_MODEL_IMPORTS, used)


def _argument_names(arguments: Iterable[Argument]) -> set[str]:
    used: set[str] = set()
    for argument in arguments:
        used |= argument.annotation.names
        if argument.default is not None:
            used |= argument.default.names
    return used


def resource_imports(resources: list[ResourceView]) -> str:
    """The import block of `<api>/resources.py`."""
    used = {"AsyncAPIClient", "SyncAPIClient"}  # the API group's __init__
    if resources:  # `with_raw_response`, and its class's wrappers
        used.update(("cached_property", "to_raw_response_wrapper", "async_to_raw_response_wrapper"))
    for op in (op for resource in resources for op in resource.operations):
        used.update(("deliver", "Final"))
        used |= _argument_names(op.positional) | _argument_names(op.keyword)
        used |= names_of([op.return_type, op.descriptor_type, op.descriptor_value, op.call])
        if op.streams:
            used.update(("AbstractContextManager", "AbstractAsyncContextManager"))
            used.update(("StreamedResponse", "AsyncStreamedResponse"))
        if op.pager is not None:
            used.update(("APIResponse", "AsyncIterator", "Iterator", "with_query", "to_page_size"))
            used.update(naming.PAGINATION_HELPERS)
            used |= _argument_names(op.pager.keyword) | op.pager.item_type.names
    return _import_block(_RESOURCE_IMPORTS, used)


def group_import(group_class: str) -> str:
    """`<api>/__init__.py`'s import of the API's sync and async group classes."""
    return f"from .resources import {_group_names(group_class)}"


def _group_names(group_class: str) -> str:
    """The sync and async group classes of an API, as one `import` lists them."""
    return ", ".join(sorted([group_class, "Async" + group_class]))


def module_imports(apis: list[ApiView]) -> str:
    """The package `__init__.py`'s import of its API modules (not of `testing`: users' tests import
    that themselves, and nothing else should pay for loading the fake)."""
    return "from . import " + ", ".join(sorted(api.module for api in apis))


def client_imports(apis: list[ApiView]) -> list[str]:
    """`_client.py`'s imports of every API's group classes."""
    by_module = {f"{api.module}.resources": api for api in apis}
    return [
        f"from .{module} import {_group_names(by_module[module].group_class)}"
        for module in sorted(by_module)
    ]


def profile_imports(profiles: list[ProfileView]) -> list[str]:
    """`_profiles.py`'s imports: typing, the jobs runtime's names its literals use, and the models
    modules."""
    used = names_of(profile.literal for profile in profiles)
    runtime = ("Cancel", "Condition", "Endpoint", "FieldRule", "JobStatus", "StateRule")
    jobs_names = ["JobProfile", *(n for n in runtime if n in used)]
    # An untyped job object (`model=None`) reads no models module.
    modules = {profile.api for profile in profiles if f"{profile.api}_models" in used}
    typing_names = "Literal, TypeAlias" if profiles else "Never, TypeAlias"
    return [
        f"from typing import {typing_names}",
        "",
        "from ._jobs import " + ", ".join(sorted(jobs_names)),
        *(f"from .{module} import models as {module}_models" for module in sorted(modules)),
    ]


def family_imports(families: list[FamilyView]) -> str:
    """The import block of `_job_families.py`: the runtime's names, and the models modules the
    creators' arguments read (`<api>_models`)."""
    used = {"Jobs", "AsyncJobs", "JobFamilyName"}
    if families:
        used.update(("FamilyJobs", "AsyncFamilyJobs", "Job", "builtins", "Mapping"))
        used.add("cached_property")
    for family in families:
        if family.creators:
            used.update(("cast", "TYPE_CHECKING"))
        for creator in family.creators:
            used |= _argument_names(creator.positional) | _argument_names(creator.keyword)
    modules = [name.removesuffix("_models") for name in used if name.endswith("_models")]
    block = _import_block(_FAMILY_IMPORTS, used)
    models = [f"from .{m} import models as {m}_models" for m in sorted(modules)]
    return "\n".join([block, *models])
