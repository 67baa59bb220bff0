"""Safe Python names, made once at the edge (parse) and trusted everywhere after.

Rules (documented in README, "Naming"):
- Names are folded to ASCII (NFKD; other characters dropped), split into words at non-alphanumerics
  and at lower-to-upper case changes, then joined as snake_case (attributes, parameters, methods),
  PascalCase (classes) or UPPER_SNAKE (enum members).
- A name that starts with a digit gets a prefix (`n_`, `Model`, `VALUE_`); a Python keyword, soft keyword,
  or a name that shadows a pydantic `BaseModel` attribute gets a trailing underscore; an empty name
  becomes a placeholder (`field`, `Model`, `EMPTY`). The ambiguous `l`, `O` and `I` count as keywords.
- Generated code must not shadow its own names, so these also get a trailing underscore: a field named
  like a type its annotations use (`str`, `int`, `list`, `datetime`, ...), a parameter named like
  something a generated method body uses (`models`, `deliver`, `to_json`, `max_items`, ...), and an API
  module named like an attribute of the client (`jobs`, `auth`, `request`, ...). Class names that the
  generated modules import (`APIModel`, `Field`, `Any`, `Literal`, ...) and the builtins' class names
  (`Warning`, `Exception`, ...) count as taken, so a schema named `Field` becomes `Field2`.
- Collisions inside one scope are resolved in the order the spec declares things: the first keeps its
  name, later ones get `_2`, `_3`, ... (classes: `2`, `3`, ...). The order is the document order, so the
  result is the same on every run and machine. Classes the client has twice, `X` and `AsyncX` (resource
  and API group classes), take no name that is another's twin.
- The parser applies these rules (`generator/parse/`); everything after it reads the names from the IR.
"""

from __future__ import annotations

import functools
import keyword
import re
import unicodedata

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z]+[0-9]*|[A-Z]+[0-9]*|[0-9]+[a-z]*")
# Python 3.11's soft keywords, pinned: 3.12 adds `type`, which would rename every `type` field and make
# the output depend on the Python that runs jobgen.
_SOFT_KEYWORDS = frozenset({"_", "case", "match"})
# `l`, `O` and `I` are valid but ambiguous names: pycodestyle (E741-E743) and so ruff refuse them.
_RESERVED = frozenset(keyword.kwlist) | _SOFT_KEYWORDS | {"None", "True", "False", "l", "O", "I"}
# Attributes of BaseModel (`json`, `schema`, `copy`, `model_config`, ...) that a field must not shadow.
# Pinned (pydantic 2.14's non-dunder attributes) so that names do not depend on the pydantic that
# runs jobgen; tests/hostile/test_naming.py fails when an installed pydantic adds one.
_MODEL_RESERVED = frozenset(
    [
        "_abc_impl",
        "_calculate_keys",
        "_copy_and_set_values",
        "_get_value",
        "_iter",
        "_setattr_handler",
        "construct",
        "copy",
        "dict",
        "from_orm",
        "json",
        "model_computed_fields",
        "model_config",
        "model_construct",
        "model_copy",
        "model_dump",
        "model_dump_json",
        "model_extra",
        "model_fields",
        "model_fields_set",
        "model_json_schema",
        "model_parametrized_name",
        "model_post_init",
        "model_rebuild",
        "model_validate",
        "model_validate_json",
        "model_validate_strings",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
    ]
)
# API modules become attributes of the clients, beside these (templates/runtime/_base_client.py).
_MODULE_RESERVED = frozenset(
    {"models", "resources", "testing"}
    | {"jobs", "auth", "timeout", "max_retries", "base_url", "default_headers", "is_closed"}
    | {"with_options", "parse", "request", "stream", "astream", "close", "aclose"}
)
# Names that annotations in a model's class body use: a field of the same name would shadow the type.
_ANNOTATION_NAMES = frozenset(
    {"str", "int", "float", "bool", "bytes", "list", "dict", "datetime", "pydantic", "by_property"}
)
# What generated resource modules may import from the runtime's `_models` and `_pagination`: their
# `__all__` but the model bases (a test holds the two to it), in the order isort writes them.
MODELS_HELPERS = ("FileContent", "to_json", "to_page_size", "with_query")
PAGINATION_HELPERS = ("paginate_async", "paginate_sync")
# And from `_raw_response`: all of its `__all__` (the same test holds it to it), and `APIResponse`.
RESPONSE_HELPERS = ("async_to_raw_response_wrapper", "deliver", "to_raw_response_wrapper")
# Names a generated method body reads (resources.py.jinja): a parameter must not shadow them.
_METHOD_NAMES = (
    _ANNOTATION_NAMES
    | set(MODELS_HELPERS)
    | set(PAGINATION_HELPERS)
    | set(RESPONSE_HELPERS)
    | {
        "APIResponse",
        "self",
        "options",
        "body",
        "models",
        "fetch",
        "items",
        "page",
        "query",
        "max_items",
    }
)
# Builtins with class-like names: a model named `Warning` that an earlier class refers to would
# resolve to the builtin while that class is built (pydantic then fails at import). Pinned (Python
# 3.11's, and 3.13's addition) so that the output does not depend on the Python running jobgen.
_BUILTIN_CLASSES = frozenset(
    [
        "ArithmeticError",
        "AssertionError",
        "AttributeError",
        "BaseException",
        "BaseExceptionGroup",
        "BlockingIOError",
        "BrokenPipeError",
        "BufferError",
        "BytesWarning",
        "ChildProcessError",
        "ConnectionAbortedError",
        "ConnectionError",
        "ConnectionRefusedError",
        "ConnectionResetError",
        "DeprecationWarning",
        "EOFError",
        "Ellipsis",
        "EncodingWarning",
        "EnvironmentError",
        "Exception",
        "ExceptionGroup",
        "FileExistsError",
        "FileNotFoundError",
        "FloatingPointError",
        "FutureWarning",
        "GeneratorExit",
        "IOError",
        "ImportError",
        "ImportWarning",
        "IndentationError",
        "IndexError",
        "InterruptedError",
        "IsADirectoryError",
        "KeyError",
        "KeyboardInterrupt",
        "LookupError",
        "MemoryError",
        "ModuleNotFoundError",
        "NameError",
        "NotADirectoryError",
        "NotImplemented",
        "NotImplementedError",
        "OSError",
        "OverflowError",
        "PendingDeprecationWarning",
        "PermissionError",
        "ProcessLookupError",
        "PythonFinalizationError",
        "RecursionError",
        "ReferenceError",
        "ResourceWarning",
        "RuntimeError",
        "RuntimeWarning",
        "StopAsyncIteration",
        "StopIteration",
        "SyntaxError",
        "SyntaxWarning",
        "SystemError",
        "SystemExit",
        "TabError",
        "TimeoutError",
        "TypeError",
        "UnboundLocalError",
        "UnicodeDecodeError",
        "UnicodeEncodeError",
        "UnicodeError",
        "UnicodeTranslateError",
        "UnicodeWarning",
        "UserWarning",
        "ValueError",
        "Warning",
        "ZeroDivisionError",
    ]
)
# Class names the generated modules import or define at module level (models.py, resources.py).
MODULE_LEVEL_NAMES = (
    frozenset(
        {"APIModel", "APIRequestModel", "Annotated", "Any", "Enum", "Field", "IntEnum", "Literal"}
        | {"PrefixItems", "StrEnum", "UTCDateTime"}
    )
    | _BUILTIN_CLASSES
)


def _ascii(text: str) -> str:
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def words(text: str) -> list[str]:
    return list(_words(text))


@functools.lru_cache(maxsize=1 << 16)
def _words(text: str) -> tuple[str, ...]:
    # Cached: a spec repeats its property names everywhere (each is also a hint for a class name).
    return tuple(_WORD.findall(_ascii(text)))


def snake(text: str, *, empty: str = "field") -> str:
    name = "_".join(w.lower() for w in _words(text))
    if not name:
        return empty
    if name[0].isdigit():
        name = "n_" + name
    return name + "_" if name in _RESERVED else name


def field_name(text: str) -> str:
    """A pydantic field name: snake_case that shadows nothing on BaseModel."""
    name = snake(text)
    if name in _MODEL_RESERVED or name in _ANNOTATION_NAMES or name.startswith("model_"):
        name += "_"
    return name


def param_name(text: str) -> str:
    name = snake(text, empty="param")
    return name + "_" if name in _METHOD_NAMES else name


def method_name(text: str) -> str:
    name = snake(text, empty="call")
    return name + "_" if name in {"with_raw_response", "with_streaming_response"} else name


def module_name(text: str) -> str:
    name = snake(text, empty="api")
    return name + "_" if name in _MODULE_RESERVED or name.startswith("_") else name


@functools.lru_cache(maxsize=1 << 16)
def class_name(text: str, *, empty: str = "Model") -> str:
    name = "".join(w[:1].upper() + w[1:] for w in _words(text))
    if not name:
        return empty
    if name[0].isdigit():
        name = empty + name
    return name + "_" if name in _RESERVED else name


def enum_member(value: object) -> str:
    text = (
        value
        if isinstance(value, str)
        else str(value).replace("-", "minus ").replace(".", " point ")
    )
    name = "_".join(w.upper() for w in words(text))
    if not name:
        return "EMPTY"
    if name[0].isdigit():
        name = "VALUE_" + name
    return name + "_" if name in _RESERVED or name in {"NAME", "VALUE"} else name


class Scope:
    """Hands out unique names in one namespace, first come first served."""

    def __init__(self, taken: frozenset[str] | set[str] = frozenset(), sep: str = "_") -> None:
        self._taken: set[str] = set(taken)
        self._sep = sep

    def claim(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self._taken:
            n += 1
            candidate = f"{name}{self._sep}{n}"
        self._taken.add(candidate)
        return candidate

    def __contains__(self, name: str) -> bool:
        return name in self._taken


class SyncAsyncScope:
    """Hands out the names of classes the client has twice, `X` and `AsyncX`: `{base}{suffix}`, or
    with 2, 3, ... before the suffix, such that neither it nor its async twin is taken (resources
    "Jobs" and "Async Jobs" must not both make `AsyncJobsResource`)."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def claim(self, base: str, suffix: str) -> str:
        name, n = base + suffix, 1
        while name in self._taken or "Async" + name in self._taken:
            n += 1
            name = f"{base}{n}{suffix}"
        self._taken.update((name, "Async" + name))
        return name
