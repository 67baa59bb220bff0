"""The view objects templates receive: plain frozen dataclasses of strings, booleans and lists.

Every decision (type annotations, argument lists, names, escaping) is made while they are built
(`models`, `operations`, `package`), so the templates only lay text out.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldView:
    """A model field as the template writes it."""

    py_name: str
    annotation: str
    default: str  # "" for a required field; else the right-hand side
    doc: str


@dataclass(frozen=True)
class ModelView:
    """A model class as the template writes it."""

    name: str
    doc: str
    fields: list[FieldView]
    extra_annotation: str = ""  # typed additionalProperties


@dataclass(frozen=True)
class EnumMemberView:
    """An enum member as the template writes it."""

    name: str
    value: str


@dataclass(frozen=True)
class EnumView:
    """An enum class as the template writes it."""

    name: str
    base: str
    doc: str
    members: list[EnumMemberView]


@dataclass(frozen=True)
class OperationView:
    """An operation's methods (plain and raw) as the template writes them."""

    name: str
    doc: str
    positional: list[str]  # declarations before `*`
    keyword: list[str]  # declarations after `*`
    call_args: list[str]  # passed from the plain method to the raw one
    method: str
    path: str
    path_params: str  # "{...}" literal or ""
    query: str
    headers: str
    json_body: str
    form_data: str
    files: str
    content: str  # a raw (bytes or text) body
    return_type: str
    adapters: str
    deprecated: bool
    pager: PagerView | None = None


@dataclass(frozen=True)
class PagerView:
    """The auto-paging method of a list operation."""

    name: str
    doc: str
    keyword: list[str]
    call_args: list[str]  # to the raw method, without page params and options
    item_type: str
    items_field: str
    limit_param: str
    offset_param: str


@dataclass(frozen=True)
class ResourceView:
    """A resource class: the operations of one tag."""

    class_name: str
    attr: str
    operations: list[OperationView]


@dataclass(frozen=True)
class ApiView:
    """One API's modules: models, resources, imports."""

    module: str
    group_class: str
    title: str
    version: str
    doc: str
    source: str
    models: list[ModelView]
    enums: list[EnumView]
    resources: list[ResourceView]
    rebuild: list[str]
    model_imports: str = ""  # the import block of models.py (after `from __future__ ...`)
    resource_imports: str = ""  # and of resources.py
    group_import: str = ""  # __init__.py's import of the group classes


@dataclass(frozen=True)
class ProfileView:
    """One API's job profile, as a `JobProfile(...)` literal."""

    api: str
    literal: str  # the JobProfile(...) expression


@dataclass(frozen=True)
class PackageView:
    """Everything the package-level templates use."""

    package: str
    version: str
    env_prefix: str
    apis: list[ApiView]
    regions: list[tuple[str, str]]  # (region, url)
    default_region: str
    profiles: list[ProfileView]
    example_api: str
    example_resource: str
    example_call: str
    # Imports whose order depends on the API modules' names, as `ruff check --select I` orders them.
    module_imports: str = ""  # __init__.py: `from . import <every API module>, testing`
    client_imports: list[str] = field(default_factory=list)  # _client.py: the API group classes
    profile_imports: list[str] = field(default_factory=list)  # _profiles.py: the models modules
