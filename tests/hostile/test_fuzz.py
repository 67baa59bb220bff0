"""Property-based fuzzing of the whole generator with random *valid* specs full of hostile text and names.

Names are keywords, builtins, pydantic attributes, names the generated code itself uses, unicode,
digits-first, dunders and case-only twins; text fields hold docstring and string terminators,
backslashes, Jinja syntax, NUL and control characters. Schemas are nested, recursive, wide, unions,
allOf merges, maps, nullable, and enums of ints, floats (`.inf` and `.nan` too: a spec holding them is
written as YAML), mixed values, empty strings and values that collide once sanitised. For each spec the
outcome must be either a clean `InputError` (the CLI's one-line exit 2) or a package whose rendered
modules parse, pass `ruff check` and `ruff format --check` under the generated pyproject.toml (checked
in one batch at the end), import, build their clients, and validate an example payload built from the
random schema through the generated model.

A second property feeds the generator values that Python refuses to take as what YAML or JSON says
they are: integers of more digits than Python converts (in decimal, in hex, as sexagesimal), and
explicitly tagged scalars whose text is no such value (`!!int abc`, `!!bool maybe`), as values and as
keys, in extensions and in schemas. Each is refused in one line at its own line and JSON pointer,
or (a value Python takes) generates.

Profiles (env JOBGEN_FUZZ_PROFILE): `ci` (default: 300 examples, derandomized, so CI is deterministic)
`long` (10,000 examples, random; run locally), `shrink` (the ci search, shrinking a failure) and
`quick` (40, while working on it).
"""

from __future__ import annotations

import json
import keyword
import math
import os
import re
import shutil
import string
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from generator import pipeline
from generator.config import Config
from generator.diagnostics import InputError, unescape_pointer_token

from . import support
from .conftest import GOOD_SPEC

settings.register_profile(
    "ci",
    max_examples=300,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    # No shrinking in CI: a shrink of this expensive test can take minutes. The failing example is
    # printed as drawn; JOBGEN_FUZZ_PROFILE=shrink reruns the same (derandomized) search and shrinks.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
settings.register_profile(
    "long",
    max_examples=10_000,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
settings.register_profile("shrink", settings.get_profile("ci"), phases=list(Phase))
settings.register_profile("quick", settings.get_profile("ci"), max_examples=40)
PROFILE = os.environ.get("JOBGEN_FUZZ_PROFILE", "ci")

# --------------------------------------------------------------------------------------------- names
TRICKY_NAMES = [
    *keyword.kwlist,
    *keyword.softkwlist,
    "type",
    "None",
    "True",
    "False",
    # builtins and what annotations use
    "str",
    "int",
    "float",
    "bool",
    "bytes",
    "list",
    "dict",
    "set",
    "object",
    "id",
    "filter",
    "print",
    "len",
    "datetime",
    "date",
    "Any",
    "Literal",
    "Annotated",
    "Field",
    "APIModel",
    "StrEnum",
    "IntEnum",
    "Enum",
    "cast",
    # builtin classes (a forward reference to one resolved to the builtin), async twins, pagers
    "Warning",
    "Exception",
    "KeyError",
    "Ellipsis",
    "Async",
    "AsyncJobs",
    "iter_get",
    # pydantic BaseModel attributes
    "schema",
    "model_config",
    "json",
    "copy",
    "dict",
    "model_fields",
    "model_dump",
    "validate",
    "construct",
    "fields",
    "parse_obj",
    "model_post_init",
    "__fields__",
    "__root__",
    # names the generated code uses
    "self",
    "options",
    "body",
    "models",
    "resources",
    "adapter",
    "to_json",
    "to_path",
    "to_form",
    "query",
    "items",
    "page",
    "max_items",
    "fetch",
    "response",
    "raw",
    "with_raw_response",
    "client",
    "jobs",
    "auth",
    "request",
    "parse",
    "stream",
    "close",
    "timeout",
    "base_url",
    "testing",
    "Client",
    "AsyncClient",
    "Filter",
    "RequestOptions",
    "APIResponse",
    "deliver",
    "to_raw_response_wrapper",
    "cached_property",
    "resource",
    "FileContent",
    "paginate_sync",
    # dunders, digits first, empty-ish
    "__init__",
    "__class__",
    "__dict__",
    "__slots__",
    "__annotations__",
    "_",
    "__",
    "_private",
    "1abc",
    "123",
    "9_lives",
    "0",
    "",
    " ",
    "-",
    "$ref",
    "x-ext",
    # unicode
    "ünïcödé",
    "名前",
    "emoji 🚀",
    "ﬁeld",
    "Ⅳ",
    "ß",
    "İstanbul",
    "e\u0301",
    "Ωmega",
    "\u200bzero width",
]
name_text = st.text(
    alphabet=st.sampled_from(string.ascii_letters + string.digits + "_-. $é名"),
    min_size=0,
    max_size=12,
)
names = st.one_of(st.sampled_from(TRICKY_NAMES), name_text)


@st.composite
def name_sets(draw: st.DrawFn, min_size: int = 1, max_size: int = 6) -> list[str]:
    """Distinct names, often with case-only twins and names that collide once sanitised."""
    base = draw(st.lists(names, min_size=min_size, max_size=max_size))
    extra = []
    for name in base:
        variant = draw(st.sampled_from(["", "swapcase", "upper", "snake", "dash", "space"]))
        if variant == "swapcase":
            extra.append(name.swapcase())
        elif variant == "upper":
            extra.append(name.upper())
        elif variant == "snake":
            extra.append(name.replace("-", "_").replace(" ", "_").lower())
        elif variant == "dash":
            extra.append(name.replace("_", "-") + "-")
        elif variant == "space":
            extra.append(" " + name)
    return list(dict.fromkeys(base + extra))


# --------------------------------------------------------------------------------------------- texts
NASTY_TEXT = [
    '"""',
    "'''",
    '"',
    "'",
    "\\",
    "\\n",
    "\\x00",
    "\\N{BULLET}",
    '""""',
    '\\"""',
    "{{ 7*7 }}",
    "{% for x in range(3) %}{{ x }}{% endfor %}",
    "{# c #}",
    "{{",
    "%}",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\r\n",
    "\r",
    "\t",
    "\u2028",
    "\u0085",
    "\ufeff",
    "# comment",
    "'''\"\"\"",
    "`",
    "$",
    "\\u0000",
    '")\nimport os\nos.environ["FUZZ_PWNED"] = "1"\n("',
    'end with a quote"',
    "end with a backslash\\",
]
texts = st.lists(st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=12)), max_size=3).map(
    "".join
)


# ------------------------------------------------------------------------------------------- schemas
DATE_TIME = "2024-01-02T03:04:05Z"
HUGE_INTEGERS = [10**4299, -(10**4299) + 7]  # 4,300 digits: the longest Python converts


# Floats that JSON writes with a point and no exponent (the YAML reader takes `1e-05` for a string),
# whole ones that equal ints, -0.0, and what only YAML can write: .inf, -.inf and .nan.
floats = st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: round(f, 3)),
    st.sampled_from([0.5, 1.0, -0.0, 0.1, 2.25, math.inf, -math.inf, math.nan]),
)


@st.composite
def enum_values(draw: st.DrawFn) -> list[Any]:
    kind = draw(
        st.sampled_from(["str", "int", "mixed", "colliding", "single", "float", "float-mixed"])
    )
    if kind == "str":
        values: list[Any] = draw(
            st.lists(st.one_of(names, texts), min_size=1, max_size=6, unique=True)
        )
    elif kind == "int":  # now and then as long as Python lets an integer be (4,300 digits)
        integers = st.one_of(st.integers(-(2**40), 2**40), st.sampled_from(HUGE_INTEGERS))
        values = draw(st.lists(integers, min_size=1, max_size=6, unique=True))
    elif kind == "mixed":
        values = draw(
            st.lists(
                st.one_of(st.integers(-5, 5), names, st.booleans(), st.just(None)),
                min_size=1,
                max_size=5,
            )
        )
        values = list({json.dumps(v): v for v in values}.values())
    elif kind == "float":  # numbers, at least one a float; repeats (1 and 1.0) allowed
        values = draw(st.lists(st.one_of(floats, st.integers(-5, 5)), max_size=5))
        values.insert(draw(st.integers(0, len(values))), draw(floats))
    elif kind == "float-mixed":
        values = draw(
            st.lists(
                st.one_of(floats, st.integers(-5, 5), names, st.booleans(), st.just(None)),
                max_size=5,
            )
        )
        values.insert(draw(st.integers(0, len(values))), draw(floats))
    elif kind == "colliding":
        base = draw(names)
        values = list(
            dict.fromkeys([base, base.upper(), base.replace("_", "-"), base + " ", "", "-" + base])
        )
    else:
        values = [draw(st.one_of(names, st.integers()))]
    return values


def leaf_schemas() -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        st.fixed_dictionaries(
            {"type": st.just("string")},
            optional={"description": texts, "example": texts, "default": texts},
        ),
        st.just({"type": "string", "format": "date-time"}),
        st.just({"type": "string", "format": "date"}),
        st.just({"type": "string", "format": "uuid"}),
        st.just({"type": "integer"}),
        st.just({"type": "number"}),
        st.just({"type": "boolean"}),
        st.just({"type": ["string", "null"]}),
        st.just({}),
        enum_values().map(lambda values: {"enum": values}),
        enum_values().map(
            lambda values: {
                "type": "string",
                "enum": [str(v) for v in values if v is not None] or ["x"],
            }
        ),
        st.one_of(st.integers(-3, 3), names, floats).map(lambda value: {"const": value}),
    )


def extend(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        st.builds(
            lambda props, required, description, title: {
                "type": "object",
                "description": description,
                "title": title,
                "properties": props,
                "required": [n for n in props if n in required],
            },
            st.dictionaries(names, children, min_size=1, max_size=5),
            st.sets(names, max_size=3),
            texts,
            texts,
        ),
        st.builds(lambda item: {"type": "array", "items": item}, children),
        st.builds(lambda value: {"type": "object", "additionalProperties": value}, children),
        st.builds(lambda options: {"anyOf": options}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda options: {"oneOf": options}, st.lists(children, min_size=2, max_size=3)),
        st.builds(
            lambda a, b: {
                "allOf": [{"type": "object", "properties": a}, {"type": "object", "properties": b}]
            },
            st.dictionaries(names, children, min_size=1, max_size=3),
            st.dictionaries(names, children, min_size=1, max_size=3),
        ),
    )


schemas = st.recursive(leaf_schemas(), extend, max_leaves=8)


@st.composite
def components(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    """Named schemas; each may refer to earlier ones, and to itself through an optional property."""
    result: dict[str, dict[str, Any]] = {}
    for name in draw(name_sets(min_size=1, max_size=4)):
        schema = dict(draw(schemas))
        earlier = list(result)
        if earlier and draw(st.booleans()):
            target = draw(st.sampled_from(earlier))
            schema = {
                "type": "object",
                "properties": {"ref": {"$ref": _ref(target)}, "inner": schema},
                "required": ["inner"],
            }
        if (
            draw(st.integers(0, 4)) == 0
        ):  # recursive: an optional property refers back to this schema
            schema = {
                "type": "object",
                "description": draw(texts),
                "properties": {
                    "value": schema,
                    "children": {"type": "array", "items": {"$ref": _ref(name)}},
                    "parent": {"$ref": _ref(name)},
                },
            }
        if draw(st.integers(0, 9)) == 0:  # very wide
            count = draw(st.integers(50, 150))
            schema = {
                "type": "object",
                "properties": {f"{draw(names)}{i}": {"type": "string"} for i in range(count)},
            }
        result[name] = schema
    return result


def _ref(name: str) -> str:
    return "#/components/schemas/" + name.replace("~", "~0").replace("/", "~1")


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    named = draw(components())
    first = next(iter(named))
    operations: dict[str, Any] = {}
    for index, op_name in enumerate(draw(name_sets(min_size=1, max_size=3))):
        path_params = draw(name_sets(min_size=0, max_size=2))
        path_params = [p for p in path_params if p and not any(c in p for c in "{}/#?%")]
        path = f"/{draw(st.sampled_from(['v2', 'x', 'ü', 'a b']))}{index}" + "".join(
            "/{" + p + "}" for p in path_params
        )
        params = [
            {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
            for p in path_params
        ]
        for query in draw(name_sets(min_size=0, max_size=3)):
            params.append(
                {"name": query, "in": "query", "description": draw(texts), "schema": draw(schemas)}
            )
        if draw(st.booleans()):
            params.append(
                {"name": draw(names) or "h", "in": "header", "schema": {"type": "string"}}
            )
        target = draw(st.sampled_from(list(named)))
        paginated = draw(st.booleans())
        if paginated:
            params += [
                {"name": "page[offset]", "in": "query", "schema": {"type": "integer"}},
                {"name": "page[limit]", "in": "query", "schema": {"type": "integer"}},
            ]
        response_schema: dict[str, Any] = (
            {
                "type": "object",
                "properties": {"data": {"type": "array", "items": {"$ref": _ref(target)}}},
            }
            if paginated
            else {"$ref": _ref(target)}
        )
        operation: dict[str, Any] = {
            "operationId": op_name,
            "summary": draw(texts),
            "description": draw(texts),
            "tags": [draw(names)],
            "parameters": params,
            "responses": {
                "200": {
                    "description": draw(texts),
                    "content": {
                        "application/json": {
                            "schema": response_schema,
                            "example": {"a": draw(texts)},
                        }
                    },
                },
                "default": {"description": draw(texts)},
            },
        }
        method = draw(st.sampled_from(["get", "post", "put", "patch", "delete"]))
        if method in ("post", "put", "patch") and draw(st.booleans()):
            operation["requestBody"] = {
                "required": draw(st.booleans()),
                "content": {"application/json": {"schema": {"$ref": _ref(first)}}},
            }
        operations.setdefault(path, {})[method] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": draw(texts), "version": draw(texts), "description": draw(texts)},
        "servers": [
            {
                "url": "https://api.example.com/" + draw(texts).replace("\x00", ""),
                "description": draw(texts),
            }
        ],
        "tags": [{"name": draw(names), "description": draw(texts)}],
        "paths": operations,
        "components": {"schemas": named},
    }


STEMS = [
    "api",
    "jobs",
    "auth",
    "request",
    "models",
    "class",
    "1api",
    "__init__",
    "ünï",
    "testing",
    "_private",
    "async",
    "client",
    "with_options",
    "My-API v2",
]


# ----------------------------------------------------------------------------------------- examples
def example(schema: Any, named: dict[str, Any], depth: int = 0) -> Any:
    """A JSON value valid for `schema` (and for the model jobgen makes of it)."""
    if not isinstance(schema, dict) or not schema:
        return "anything"
    if "$ref" in schema:
        name = unescape_pointer_token(schema["$ref"].rsplit("/", 1)[1])
        return example(named[name], named, depth + 1)
    if "const" in schema or "enum" in schema:
        values = [schema["const"]] if "const" in schema else schema["enum"]
        # NaN equals nothing: jobgen leaves it out of enums (a NaN-only one is a plain float).
        present = [v for v in values if v is not None and not _is_nan(v)]
        if present:
            return present[0]
        return 1.5 if any(map(_is_nan, values)) else None
    for combiner in ("anyOf", "oneOf"):
        if combiner in schema:
            return example(schema[combiner][0], named, depth + 1)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = example(part, named, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" and "properties" in schema:
        required = set(schema.get("required", []))
        result = {}
        for prop, sub in schema["properties"].items():
            if prop not in required and (depth > 2 or _refers(sub)):
                continue  # optional: leave recursion out
            result[prop] = example(sub, named, depth + 1)
        return result
    if kind == "object":
        extra = schema.get("additionalProperties")
        return {"key": example(extra, named, depth + 1)} if isinstance(extra, dict) else {}
    if kind == "array":
        return [] if depth > 3 else [example(schema.get("items"), named, depth + 1)]
    fmt = schema.get("format")
    if kind == "string":
        return {
            "date-time": DATE_TIME,
            "date": "2024-01-02",
            "uuid": "12345678-1234-5678-1234-567812345678",
        }.get(fmt, "text")
    return {"integer": 7, "number": 1.5, "boolean": True, "null": None}.get(kind, "anything")


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _refers(schema: Any) -> bool:
    return isinstance(schema, dict) and ("$ref" in schema or _refers(schema.get("items")))


# ------------------------------------------------------------------------------------------ the test
class Outcome:
    """What the examples gave; ruff runs over the generated modules in batches (and the batch's
    folders are deleted then, so that a long run does not fill the disk)."""

    BATCH = 250

    def __init__(self, root: Path) -> None:
        self.root = root
        self.generated = 0
        self.refused: dict[str, int] = {}
        self.validated = 0
        self.pending: list[tuple[Path, list[Path]]] = []  # (case folder, rendered modules)
        self.problems: list[str] = []

    def add(self, case: Path, rendered: list[Path]) -> None:
        self.generated += 1
        self.pending.append((case, rendered))
        if len(self.pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        problems = support.ruff_problems(
            [self.root], [p for _, paths in self.pending for p in paths]
        )
        if problems:
            self.problems.append(problems)  # keep the folders to look at
        else:
            for case, _ in self.pending:
                shutil.rmtree(case, ignore_errors=True)
        self.pending = []


@pytest.mark.timeout(1800 if PROFILE != "long" else 6 * 3600)
def test_random_valid_specs_give_clean_errors_or_working_packages(
    tmp_path: Path, runtime_status: tuple[bool, str]
) -> None:
    outcome = Outcome(tmp_path)
    counter = [0]
    # A package imported once with the real runtime, whose runtime modules every example shares.
    canonical_dir = tmp_path / "canonical"
    canonical_files = support.generate(
        [support.write_spec(canonical_dir, GOOD_SPEC, "api")], "fzcanon"
    ).files
    support.write_files(canonical_files, canonical_dir / "out")
    assert support.syntax_errors(canonical_files) == []
    shared: list[support.Imported] = []
    # One transport for every client built below (a new httpx.Client loads certificates each time).
    http_client = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(404)))

    @settings(settings.get_profile(PROFILE))
    @given(spec=specs(), stem=st.sampled_from(STEMS))
    def one(spec: dict[str, Any], stem: str) -> None:
        counter[0] += 1
        case = tmp_path / f"case{counter[0]}"
        package = f"fz{counter[0]}"
        try:
            json.dumps(spec, allow_nan=False)
            source: dict[str, Any] | str = spec
        except ValueError:  # .inf or .nan: JSON cannot write them, YAML can
            source = yaml.safe_dump(spec, allow_unicode=False, sort_keys=False)
        path = support.write_spec(case, source, stem)
        try:
            result = support.generate([path], package)
        except InputError as exc:
            # Refusing is allowed, in one line; a generator failing its own output is not.
            assert exc.diagnostic.code not in ("format", ""), str(exc)
            assert "\n" not in str(exc)
            outcome.refused[exc.diagnostic.code] = outcome.refused.get(exc.diagnostic.code, 0) + 1
            return
        files = result.files
        templated = support.templated_files(files, package)
        assert support.syntax_errors(templated) == []  # the runtime is copied verbatim: parsed once
        assert all(
            files[f"{package}/{path}"] == canonical_files[f"fzcanon/{path}"]
            for path in support.runtime_paths()
        )
        out = case / "out"
        # With the runtime shared from the canonical package, only the rendered files are needed.
        written = (
            files if shared[0].stubbed else {**templated, "pyproject.toml": files["pyproject.toml"]}
        )
        support.write_files(written, out)
        assert result.project is not None
        api = result.project.apis[0]
        by_pointer = {m.location.pointer: m.name for m in (*api.models, *api.enums)}
        modules = [f"{api.name}.models", f"{api.name}.resources"]
        named = spec["components"]["schemas"]
        os.environ.pop("FUZZ_PWNED", None)
        with support.imported(out, package, files, modules, shared[0]) as imported:
            assert "FUZZ_PWNED" not in os.environ, "spec text ran as code"
            models = imported.modules[f"{api.name}.models"]
            for name, schema in named.items():
                class_name = by_pointer.get(
                    "/components/schemas/" + name.replace("~", "~0").replace("/", "~1")
                )
                if class_name is None:
                    continue  # not a class (a primitive, an array, a union, ...)
                cls = getattr(models, class_name)
                payload = example(schema, named)
                if hasattr(cls, "model_validate"):
                    instance = cls.model_validate(payload)
                    again = cls.model_validate(instance.to_dict())
                    assert again.to_dict() == instance.to_dict()
                else:
                    cls(payload)  # an Enum
                outcome.validated += 1
            if not imported.stubbed:
                client = imported.package.Client(
                    auth="token", base_url="https://example.com", http_client=http_client
                )
                group = getattr(client, api.name)
                assert type(group).__name__.endswith("API"), f"client.{api.name} is {group!r}"
                assert isinstance(client.jobs, imported.package.Jobs)
                assert type(client.jobs).__name__ == "ClientJobs"
                assert client.auth is not None and callable(client.request)
                for resource in vars(group).values():
                    assert re.search(r"Resource\d*$", type(resource).__name__), resource
        outcome.add(case, [out / p for p in templated])

    runtime = sorted(support.runtime_module_names())  # all of them, used by this spec or not
    with support.imported(canonical_dir / "out", "fzcanon", canonical_files, runtime) as canonical:
        shared.append(canonical)
        one()
    outcome.flush()
    total = counter[0]
    # ruff over every package, each file under its own generated pyproject.toml.
    assert outcome.problems == [], "\n".join(outcome.problems)[:5000]
    # Enough of the random specs must have become packages for the run to mean something.
    assert outcome.generated >= 0.8 * total, f"{outcome.refused} of {total}"
    assert outcome.validated >= total // 2
    print(
        f"fuzz: {total} specs, {outcome.generated} packages, {outcome.validated} payloads validated, refused {outcome.refused}"
    )


# ------------------------------------------------------------------------------ values Python refuses
def _digits(count: int) -> str:
    return "9" * count


hostile_scalars = st.one_of(
    st.builds(
        lambda sign, count: sign + _digits(count),
        st.sampled_from(["", "-", "+"]),
        st.sampled_from([1, 4299, 4300, 4301, 5001, 20_000]),
    ),
    st.builds(lambda count: "0x" + "f" * count, st.sampled_from([8, 3000, 3600, 12_000])),
    st.builds(lambda count: ":".join(["59"] * count), st.sampled_from([3, 2000, 6000])),
    st.builds(
        lambda tag, text: f"!!{tag} {json.dumps(text)}",
        st.sampled_from(["int", "float", "bool", "null", "str", "timestamp", "binary"]),
        st.one_of(
            st.sampled_from(["abc", "", "0x", "0b2", "1:x", ".", "maybe", "yes", "1_0", "0o9"]),
            st.text(alphabet="0123456789abxo_:.+-eE", max_size=8),
        ),
    ),
)
# Where the value goes: (YAML lines under the spec's root, JSON pointer of the value).
PLACES = {
    "extension": ("info:\n  title: T\n  version: '1'\n  x-value: {value}\n", "/info/x-value"),
    "enum": (
        "info: {{title: T, version: '1'}}\ncomponents:\n  schemas:\n    Count:\n"
        "      type: integer\n      enum:\n        - 1\n        - {value}\n",
        "/components/schemas/Count/enum/1",
    ),
    "default": (
        "info: {{title: T, version: '1'}}\ncomponents:\n  schemas:\n    Count:\n"
        "      type: integer\n      default: {value}\n",
        "/components/schemas/Count/default",
    ),
    "key": ("info:\n  title: T\n  version: '1'\n  x-map:\n    ? {value}\n    : 1\n", "/info/x-map"),
}


@pytest.mark.timeout(600)
def test_values_python_refuses_are_located_errors(tmp_path: Path) -> None:
    counter = [0]
    refused: dict[str, int] = {}

    @settings(
        settings.get_profile(PROFILE),
        max_examples=min(80, settings.get_profile(PROFILE).max_examples),
    )
    @given(value=hostile_scalars, place=st.sampled_from(sorted(PLACES)), as_json=st.booleans())
    def one(value: str, place: str, as_json: bool) -> None:
        counter[0] += 1
        template, pointer = PLACES[place]
        text = "openapi: 3.1.0\npaths: {}\n" + template.format(value=value)
        digits = value.lstrip("+-")
        decimal = digits.isdigit()
        case = tmp_path / f"case{counter[0]}"
        case.mkdir()
        if as_json and decimal and place != "key":  # the same document as JSON text
            data = yaml.safe_load(text.replace(value, "0"))
            path = case / "api.json"
            marker = json.dumps(data).replace(": 0}", f": {value}}}").replace(", 0]", f", {value}]")
            assert value in marker
            path.write_text(marker)
        else:
            path = case / "api.yaml"
            path.write_text(text)
        config = Config((path,), case / "out", "pkg")
        try:
            pipeline.run(config, concurrent_validation=False)
        except InputError as exc:
            where = exc.diagnostic.location
            assert "\n" not in str(exc) and exc.diagnostic.code in ("too-large", "syntax"), str(exc)
            assert where.file == str(path) and where.line is not None, str(exc)
            assert where.pointer == pointer, str(exc)
            refused[exc.diagnostic.code] = refused.get(exc.diagnostic.code, 0) + 1
            return
        finally:
            shutil.rmtree(case, ignore_errors=True)
        assert not (decimal and len(digits) > 4300), f"{len(digits)} digits were taken"

    one()
    print(f"refused values: {refused} of {counter[0]}")
    assert refused.get("too-large", 0) >= 5 and refused.get("syntax", 0) >= 5, refused
