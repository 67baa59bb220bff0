"""The intermediate representation: the generator's own model of an API, free of OpenAPI and Jinja.

`parse` builds it from an OpenAPI document, `normalise` adds job families to it, and `render` reads it.
Everything is a frozen dataclass made of tuples, so an IR can be hashed, compared and snapshotted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from .diagnostics import Location

# ---------------------------------------------------------------------------------------------- types
Primitive: TypeAlias = Literal[
    "str", "int", "float", "bool", "any", "none", "date", "datetime", "bytes"
]


@dataclass(frozen=True)
class PrimitiveType:
    """A scalar, `Any`, `None`, a date or a time, or bytes."""

    name: Primitive


@dataclass(frozen=True)
class ModelRef:
    """A reference to a model class of the same API."""

    name: str  # a Model's class name in the same API


@dataclass(frozen=True)
class EnumRef:
    """A reference to an enum class of the same API."""

    name: str  # an Enum's class name in the same API


@dataclass(frozen=True)
class TupleType:
    """A JSON Schema 2020-12 tuple (`prefixItems`): an item of each type in turn, then any number of
    `rest` (the schema's `items`; Any when it gives none), or none at all when `rest` is None
    (`items: false`)."""

    items: tuple[TypeRef, ...]
    rest: TypeRef | None


@dataclass(frozen=True)
class ListType:
    """`list[item]`; an array with `prefixItems` also carries them as `as_tuple`, for a client that
    types it as a tuple (`item` is then the type of the items after them, Any when not given)."""

    item: TypeRef
    as_tuple: TupleType | None = None


@dataclass(frozen=True)
class DictType:
    """`dict[str, value]` (an object with typed `additionalProperties`)."""

    value: TypeRef


@dataclass(frozen=True)
class LiteralType:
    """`Literal[...]` of JSON scalars (`const`, or an enum that is not a class)."""

    values: tuple[str | int | float | bool | None, ...]


@dataclass(frozen=True)
class Discriminator:
    """The property whose value tells a union's options apart (OpenAPI's `discriminator`)."""

    wire_name: str  # the property as the schema names it (`propertyName`)
    # The field's Python name in every option, when pydantic can use it to choose the option: every
    # option is a model whose property is required and a literal (see `settle_discriminators`).
    # None otherwise: pydantic's smart mode then tries the options in turn.
    py_name: str | None = None
    # Which option each value of the property stands for: (value, the option's class name), from
    # the schema's `mapping`, then the implicit one (an option's component schema name), then the
    # options' literal fields; in that order of precedence, each value once. With it a client can
    # choose the option by the value even where the field is not a literal (`py_name` None).
    mapping: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class UnionType:
    """One of several types (`oneOf`/`anyOf`, type arrays)."""

    options: tuple[TypeRef, ...]
    discriminator: Discriminator | None = None  # given only when every option is a model


@dataclass(frozen=True)
class NullableType:
    """The inner type or `None`."""

    inner: TypeRef


TypeRef: TypeAlias = (
    PrimitiveType
    | ModelRef
    | EnumRef
    | ListType
    | DictType
    | LiteralType
    | UnionType
    | NullableType
)

ANY = PrimitiveType("any")

# A JSON value as the IR holds it: arrays as tuples, objects as `JsonObject`s (hashable, frozen).
JsonValue: TypeAlias = "str | int | float | bool | tuple[JsonValue, ...] | JsonObject | None"


@dataclass(frozen=True)
class JsonObject:
    """A JSON object value, its members in the document's order."""

    items: tuple[tuple[str, JsonValue], ...]


@dataclass(frozen=True)
class Default:
    """A schema's `default`, checked against the schema (its type, `enum`, `const` and the formats
    `uuid`, `date`, `date-time`); an invalid one is dropped with a warning, never carried."""

    value: JsonValue


def iter_types(type_: TypeRef) -> Iterator[TypeRef]:
    """The type and every type nested in it, outermost first (a list's tuple form included)."""
    yield type_
    if isinstance(type_, ListType):
        yield from iter_types(type_.item)
        if type_.as_tuple is not None:
            for item in type_.as_tuple.items:
                yield from iter_types(item)
            if type_.as_tuple.rest is not None:
                yield from iter_types(type_.as_tuple.rest)
    elif isinstance(type_, DictType):
        yield from iter_types(type_.value)
    elif isinstance(type_, NullableType):
        yield from iter_types(type_.inner)
    elif isinstance(type_, UnionType):
        for option in type_.options:
            yield from iter_types(option)


# --------------------------------------------------------------------------------------------- models
@dataclass(frozen=True)
class Field:
    """A model field: wire and Python names, type, whether required."""

    wire_name: str
    py_name: str
    type: TypeRef
    required: bool  # listed in the schema's `required` (whatever readOnly/writeOnly say)
    description: str = ""
    deprecated: bool = False
    # `readOnly`: sent by the server only (a request need not, and should not, carry it);
    # `writeOnly`: sent by the client only (a response need not carry it, even when required).
    read_only: bool = False
    write_only: bool = False
    default: Default | None = None


@dataclass(frozen=True)
class Model:
    """A pydantic model: an object schema with properties (merged through `allOf`)."""

    name: str
    fields: tuple[Field, ...]
    location: Location
    description: str = ""
    additional: TypeRef | None = None  # type of additionalProperties values, when typed


@dataclass(frozen=True)
class EnumMember:
    """An enum member: its Python name and its value."""

    py_name: str
    value: str | int | float


@dataclass(frozen=True)
class Enum:
    """An enum class (str, int or float values)."""

    name: str
    members: tuple[EnumMember, ...]
    value_kind: Literal["str", "int", "float"]
    location: Location
    description: str = ""


# ----------------------------------------------------------------------------------------- operations
ParamIn: TypeAlias = Literal["path", "query", "header", "cookie"]


@dataclass(frozen=True)
class Param:
    """An operation parameter (path, query, header or cookie)."""

    wire_name: str
    py_name: str
    where: ParamIn
    type: TypeRef
    required: bool
    description: str = ""
    is_filter: bool = False  # an Elastic Path `filter` query parameter: accepts the Filter builder
    # How the value is serialised, as the spec declares it (None/False: not given, so the
    # location's default: `form` exploded for query and cookie, `simple` for path and header).
    style: str | None = None
    explode: bool | None = None
    allow_reserved: bool = False
    # A parameter declared with `content` instead of `schema`: its media type (the value is sent
    # as that media type's text, JSON for a JSON type); `type` is its schema's type.
    media_type: str | None = None
    deprecated: bool = False
    default: Default | None = None  # the schema's valid `default` (a signature's default value)


@dataclass(frozen=True)
class Encoding:
    """The spec's Encoding Object for one field of a form or multipart body (None: not given)."""

    content_type: str | None = None  # multipart: the part's Content-Type (form: a `content` field)
    style: str | None = None  # form bodies: as a query parameter's
    explode: bool | None = None
    allow_reserved: bool = False


@dataclass(frozen=True)
class BodyPart:
    """One field of a multipart or form body, passed as a keyword argument."""

    wire_name: str
    py_name: str
    type: TypeRef
    required: bool
    is_file: bool
    description: str = ""
    encoding: Encoding | None = None  # the media type's `encoding` entry for this field
    default: Default | None = None
    read_only: bool = False  # a readOnly property: a request does not send it


BodyKind: TypeAlias = Literal["json", "multipart", "form", "binary", "text"]


@dataclass(frozen=True)
class Body:
    """An operation's request body (JSON, form, multipart or raw)."""

    content_type: str
    kind: BodyKind
    type: (
        TypeRef  # json: the body's type; binary: bytes; text: str; multipart/form: Any (see parts)
    )
    required: bool
    parts: tuple[BodyPart, ...] = ()  # multipart/form: the fields, each a keyword argument
    description: str = ""


ContentKind: TypeAlias = Literal["json", "binary", "text"]


@dataclass(frozen=True)
class ResponseContent:
    """One media type a response documents: JSON (`application/json`, any `+json`) typed by its
    schema; `text/*` as str; anything else (octet-stream, PDF, images, ...) as bytes."""

    media_type: str  # as declared
    kind: ContentKind
    type: TypeRef


@dataclass(frozen=True)
class Response:
    """One documented response of an operation: status, media type, body type."""

    status: str  # "200", "2XX" or "default"
    description: str
    type: TypeRef | None  # None: no JSON body (the first JSON media type's type)
    content_type: str | None = None
    # Every media type documented, in document order (() for a response without a body).
    contents: tuple[ResponseContent, ...] = ()

    @property
    def is_error(self) -> bool:
        """A 4XX or 5XX response, or `default` (which stands for any status not documented)."""
        return self.status[:1] in ("4", "5") or self.status == "default"


@dataclass(frozen=True)
class Pagination:
    """How an operation pages: by its `page[offset]` and `page[limit]` query parameters, the items of
    each page in a list field of the response model."""

    offset_param: str  # the Python names of the two parameters
    limit_param: str
    item_type: TypeRef
    items_field: str  # the Python name of the response model's list field (`data`)
    # The method that yields every item, fetching pages as needed: `iter_<the operation's method>`,
    # unique among the methods of the operation's resource.
    method_name: str


@dataclass(frozen=True)
class Operation:
    """One HTTP operation of an API."""

    operation_id: str
    py_name: str
    method: str  # upper case
    path: str
    resource: str  # its group, as given: the first tag, else the path's first segment (`jobs`)
    summary: str
    description: str
    params: tuple[Param, ...]
    body: Body | None  # the default request body: the first JSON one (see `bodies`)
    responses: tuple[Response, ...]
    location: Location
    deprecated: bool = False
    pagination: Pagination | None = None
    # Every request body media type the operation accepts, in document order; `body` is one of
    # them (the same object).
    bodies: tuple[Body, ...] = ()

    @property
    def success_responses(self) -> tuple[Response, ...]:
        return tuple(r for r in self.responses if r.status.startswith("2"))


@dataclass(frozen=True)
class Resource:
    """A group of an API's operations (those whose `resource` is `tag`) and its names in the client:
    `client.<api>.<attr>` is an instance of `class_name` (or of `Async` + it)."""

    tag: str  # as the operations give it (`Operation.resource`)
    attr: str  # unique among the API group's attributes
    class_name: str  # unique, with its `Async` twin, among the API's resource classes


@dataclass(frozen=True)
class Server:
    """A server URL of an API, with its region."""

    url: str
    description: str
    region: str  # a slug such as "eu-west", derived from the description


# ------------------------------------------------------------------------------------------------ api
@dataclass(frozen=True)
class JobOperation:
    """An operation of a job family: what it does for the family, and where it is."""

    role: str  # one of the vocabulary's OPERATION_ROLES
    api: str  # the API (module name) whose spec defines it: a creator may be in another API's
    method: str  # upper case
    path: str
    # A creator's name: the accessor's method is `create` when it is `create`, else `create_<name>`.
    name: str = ""


@dataclass(frozen=True)
class JobCancel:
    """How a job family's jobs are cancelled."""

    operation: JobOperation
    removes_job: bool  # a DELETE-style cancel: after a 2xx the job is gone (and reported cancelled)
    from_statuses: tuple[
        str, ...
    ]  # the API's words in which it accepts a cancel; (): any unfinished


@dataclass(frozen=True)
class JobField:
    """A canonical field of a job and where it is in the job object."""

    name: str  # one of the vocabulary's FIELD_NAMES
    path: str  # dotted; a segment ending in [] fans out over an array
    # The canonical statuses in which the field counts; None: the vocabulary's default for it
    # (`error` only when failed, `result_links` only when succeeded, the others always).
    when: tuple[str, ...] | None = None


@dataclass(frozen=True)
class StatusWord:
    """One of the API's status words (spelled as the profile gives it) and its canonical status."""

    word: str
    status: str


@dataclass(frozen=True)
class JobCondition:
    """When a state rule holds (see the vocabulary's CONDITION_KINDS)."""

    kind: str
    path: str = ""  # present, absent, equals
    values: tuple[str | int | float | bool | None, ...] = ()  # equals; http_status (ints)


@dataclass(frozen=True)
class JobStateRule:
    """A job with no status field has `status` when `condition` holds (None: always)."""

    status: str
    condition: JobCondition | None


@dataclass(frozen=True)
class JobFamily:
    """One kind of job, as its profile describes it, checked against the specs (see `normalise`)."""

    name: str  # unique in the project: `client.jobs.<name>`, `client.jobs.get("<name>", ...)`
    api: str  # the API whose operations read (list, get, cancel...) the jobs
    resource_type: str | None  # the job object's `type`; None: it has none
    job_param: str
    parent_params: tuple[str, ...]
    envelope: str
    operations: tuple[JobOperation, ...]  # creators first, then the roles in vocabulary order
    cancel: JobCancel | None
    fields: tuple[JobField, ...]
    statuses: tuple[StatusWord, ...]  # empty when `state` rules give the status
    state: tuple[JobStateRule, ...]
    file_link: str | None
    error_messages: str | None
    log_messages: str | None
    model: str | None  # the class of the job object in `api`'s models module
    location: Location

    def operation(self, role: str) -> JobOperation | None:
        """The family's operation in `role` (for `create`: the first creator)."""
        return next((op for op in self.operations if op.role == role), None)

    @property
    def creators(self) -> tuple[JobOperation, ...]:
        return tuple(op for op in self.operations if op.role == "create")


@dataclass(frozen=True)
class Api:
    """One spec's API: operations and their resources, models, enums, servers, auth, job families."""

    name: str  # the module name, from the spec file's stem, unique in the project
    # The class that holds the API's resources (`client.<name>`): unique, with its `Async` twin,
    # among the project's API group classes.
    group_class: str
    title: str
    version: str
    description: str
    source: str  # the spec file as given
    openapi_version: str
    servers: tuple[Server, ...]
    operations: tuple[Operation, ...]
    resources: tuple[Resource, ...]  # in the order of their first operations
    models: tuple[Model, ...]
    enums: tuple[Enum, ...]
    auth_schemes: tuple[str, ...] = ()
    jobs: tuple[JobFamily, ...] = ()  # the families whose jobs this API's operations read


@dataclass(frozen=True)
class Project:
    """Everything one run generates from: the APIs and the package settings."""

    package: str
    version: str
    apis: tuple[Api, ...] = field(default_factory=tuple)
