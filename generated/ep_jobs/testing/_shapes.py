"""What a job profile cannot say about its API: an `ApiShape` per API, given in `SHAPES` or read
from the package's typed models (see the package docstring)."""

from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
import pkgutil
import re
import sys
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import pydantic

from .._job_model import JobProfile


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiShape:
    """The quirks of one API that its profile cannot express. `None` means: read it from the API's
    typed models if the package has them, else the default in brackets.

    - `create_status`: the status of a successful create.
    - `create_array`: the create response holds the job in a one-element array (no).
    - `paginated`: the list pages with `page[offset]`/`page[limit]` and answers `links` (no).
    - `list_meta`: the list answers `meta.results.total` (no).
    - `error_status`: whether error objects give `status` as `"int"` or `"str"` (int).
    - `errors_as_object`: `errors` holds one error object instead of an array.
    - `bare_not_found`: a 404 answers the error object itself, not wrapped in `errors`.
    - `parent_fields`: parent path parameter -> field of the job object that repeats it.
    - `timestamp_digits`: fractional second digits of timestamps.
    - `error_type`: `type` of the objects of the errors endpoint (`<resource_type>-error`).
    - `default_kind`: the job kind when the create body or `add_job` names none.
    """

    create_status: int = 201
    create_array: bool | None = None
    paginated: bool | None = None
    list_meta: bool | None = None
    error_status: Literal["int", "str"] | None = None
    errors_as_object: bool = False
    bare_not_found: bool = False
    parent_fields: Mapping[str, str] = field(default_factory=dict)
    timestamp_digits: int = 3
    error_type: str | None = None
    default_kind: str | None = None


#: The known APIs' quirks (see the package docstring); an API not named here gets `ApiShape()`.
SHAPES: Final[Mapping[str, ApiShape]] = {
    "exporter": ApiShape(
        create_status=202, bare_not_found=True, timestamp_digits=9, default_kind="order_export"
    ),
    "pcm": ApiShape(error_type="pim-job-error", default_kind="product-import"),
    "promotions": ApiShape(
        errors_as_object=True,
        parent_fields={"promotionID": "promotion_id"},
        default_kind="code_generate",
    ),
}


# -- reading what the typed models say -------------------------------------------------------------

_OPERATION_LINE: Final = re.compile(r"`([A-Z]+) (/\S*)`")


def response_models(profile: JobProfile) -> dict[tuple[str, str], type[pydantic.BaseModel] | None]:
    """(method, path) -> the typed response model of each operation of the package's APIs, those of
    the profile's own API first (a creator may be another API's operation); None for an operation
    that documents no body (its method returns None). Operations answering anything else are left
    out.

    Read from the generated resources modules (each operation method's docstring ends with its
    `` `METHOD /path` ``); empty when the profile has no typed model.
    """
    if profile.model is None:
        return {}
    own = profile.model.__module__.rpartition(".")[0]
    found: dict[tuple[str, str], type[pydantic.BaseModel] | None] = {}
    for api in [own, *(name for name in _api_packages(own.partition(".")[0]) if name != own)]:
        for key, model in _resources_models(api).items():
            found.setdefault(key, model)
    return found


@functools.cache
def _api_packages(root: str) -> tuple[str, ...]:
    """The API subpackages of the generated package `root` (those with a resources module)."""
    try:
        package = importlib.import_module(root)
    except ImportError:
        return ()
    return tuple(
        f"{root}.{info.name}"
        for info in pkgutil.iter_modules(getattr(package, "__path__", []))
        if info.ispkg and importlib.util.find_spec(f"{root}.{info.name}.resources") is not None
    )


@functools.cache
def _resources_models(api: str) -> dict[tuple[str, str], type[pydantic.BaseModel] | None]:
    found: dict[tuple[str, str], type[pydantic.BaseModel] | None] = {}
    for key, function in _resources_methods(api).items():
        try:
            returned = typing.get_type_hints(function).get("return")
        except Exception:  # an annotation that does not resolve: no information
            continue
        if isinstance(returned, type) and issubclass(returned, pydantic.BaseModel):
            found[key] = returned
        elif returned is type(None):
            found[key] = None
    return found


def required_fields(profile: JobProfile, method: str, path: str) -> tuple[str, ...] | None:
    """The fields an operation's body must have, read from its generated method (its keyword
    arguments without a default, but `options`; a trailing `_` is the generator's, not the
    wire's); None when the method is not found."""
    if profile.model is None:
        return None
    own = profile.model.__module__.rpartition(".")[0]
    for api in [own, *(name for name in _api_packages(own.partition(".")[0]) if name != own)]:
        function = _resources_methods(api).get((method.upper(), path))
        if function is not None:
            parameters = inspect.signature(function).parameters.values()
            return tuple(
                parameter.name.removesuffix("_")
                for parameter in parameters
                if parameter.kind is inspect.Parameter.KEYWORD_ONLY
                and parameter.default is inspect.Parameter.empty
                and parameter.name != "options"
            )
    return None


@functools.cache
def _resources_methods(api: str) -> dict[tuple[str, str], Any]:
    """(method, path) -> the sync method of the generated resources module that calls it."""
    try:
        module = importlib.import_module(f"{api}.resources")
    except ImportError:
        return {}
    found: dict[tuple[str, str], Any] = {}
    for owner in vars(module).values():
        if not isinstance(owner, type) or owner.__module__ != module.__name__:
            continue
        for function in vars(owner).values():
            doc = getattr(function, "__doc__", None)
            if not callable(function) or not isinstance(doc, str) or not doc.strip():
                continue
            match = _OPERATION_LINE.fullmatch(doc.strip().splitlines()[-1].strip())
            if match is not None and not inspect.iscoroutinefunction(function):
                found.setdefault((match[1], match[2]), function)
    return found


def model_field(model: type[pydantic.BaseModel] | None, key: str) -> Any:
    """The annotation of the field sent as `key` (its alias or name), or `ABSENT`."""
    if model is None:
        return ABSENT
    for name, info in model.model_fields.items():
        if (info.alias or name) == key:
            return info.annotation
    return ABSENT


ABSENT: Final = object()


def is_list(annotation: object) -> bool:
    origin = typing.get_origin(annotation)
    if origin is list:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(is_list(arg) for arg in typing.get_args(annotation))
    return False


def error_status_type(profile: JobProfile) -> Literal["int", "str"] | None:
    """Whether the API's typed error model gives `status` as an integer or a string."""
    module = sys.modules.get(profile.model.__module__) if profile.model is not None else None
    if module is None:
        return None
    candidates = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, pydantic.BaseModel)
        and {"status", "title"} <= set(value.model_fields)
    ]
    candidates.sort(key=lambda model: model.__name__ != "Error")
    for model in candidates:
        annotation = model.model_fields["status"].annotation
        if annotation is int:
            return "int"
        if annotation is str:
            return "str"
    return None
