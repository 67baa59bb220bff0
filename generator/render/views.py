"""The view objects templates receive: plain frozen dataclasses of text, `Code` and lists.

Every decision (type annotations, argument lists, names, imports, escaping) is made while they are
built (`models`, `operations`, `package`), so the templates only lay text out. Code the templates
write (annotations, defaults, request arguments) is `Code`: its text, and the names it reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .pysource import Code


@dataclass(frozen=True)
class Argument:
    """A parameter of a generated method: `name: annotation` or `name: annotation = default`."""

    name: str
    annotation: Code
    default: Code | None = None  # None: the caller must pass it

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class FieldView:
    """A model field as the template writes it."""

    py_name: str
    annotation: Code
    default: Code | None  # None for a required field; else the right-hand side
    doc: str


@dataclass(frozen=True)
class ModelView:
    """A model class as the template writes it."""

    name: str
    doc: str
    fields: list[FieldView]
    extra_annotation: Code | None = None  # typed additionalProperties


@dataclass(frozen=True)
class EnumMemberView:
    """An enum member as the template writes it."""

    name: str
    value: str


@dataclass(frozen=True)
class EnumView:
    """An enum class as the template writes it."""

    name: str
    bases: Code
    doc: str
    members: list[EnumMemberView]


@dataclass(frozen=True)
class OperationView:
    """An operation's method as the template writes it (its raw form wraps it)."""

    name: str
    doc: str
    route: str  # `METHOD /path` as the README shows it (the path escaped as in a string literal)
    positional: list[Argument]  # before `*`
    keyword: list[Argument]  # after `*`: required ones first
    method: str
    path: Code  # the path template, a string literal
    path_params: Code | None  # the request's arguments; None: not given
    query: Code | None
    headers: Code | None
    json_body: Code | None
    form_data: Code | None
    files: Code | None
    content: Code | None  # a raw (bytes or text) body
    return_type: Code
    returns_value: bool  # False: the return type is None
    adapters: Code
    deprecated: bool
    pager: PagerView | None = None


@dataclass(frozen=True)
class PagerView:
    """The auto-paging method of a list operation."""

    name: str
    doc: str
    keyword: list[Argument]
    passed: list[Argument]  # keyword arguments passed on to the operation (not paging, options)
    item_type: Code
    items_field: str
    limit: Argument  # the page-size argument, sent as the pager's page size


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
    attribute_doc: str  # `doc` as the docstring of the clients' attribute, indented like it
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
    """One job family's profile, as a `JobProfile(...)` literal."""

    name: str  # the family's name, its key in PROFILES
    api: str  # the API whose models module the literal may read
    literal: Code  # the JobProfile(...) expression


@dataclass(frozen=True)
class CreatorView:
    """A typed accessor's method that starts a job through one operation."""

    method: str  # `create`, or `create_<creator name>`
    route: str  # `METHOD /path` as the README shows it
    doc: str
    positional: list[Argument]
    keyword: list[Argument]
    operation: (
        str  # the raw form of the operation's method: `<api>.<resource>.with_raw_response.<op>`
    )
    arguments: str  # what the method passes on to it
    parents: str  # the job's parents, as a dict literal of the family's path parameters


@dataclass(frozen=True)
class FamilyView:
    """One job family's typed accessor (`client.jobs.<name>`), sync and async."""

    name: str
    api: str  # the API whose operations read the jobs
    class_name: str  # the sync class; the async one is `Async` + it
    doc: str
    creators: list[CreatorView]
    parents: list[Argument]  # keyword arguments of get and list: the parent path parameters
    parents_passed: str  # `, promotionID=promotion_id` as get and list pass them on
    can_list: bool  # the family has a list operation


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
    families: list[FamilyView]
    family_names: str  # the `Literal[...]` (or `Never`) of the family names
    family_imports: str  # the import block of `_job_families.py`
    example_api: str
    example_resource: str
    example_call: str
    # Imports whose order depends on the API modules' names, as `ruff check --select I` orders them.
    module_imports: str = ""  # __init__.py: `from . import <every API module>`
    client_imports: list[str] = field(default_factory=list)  # _client.py: the API group classes
    profile_imports: list[str] = field(default_factory=list)  # _profiles.py: the models modules
