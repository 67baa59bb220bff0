"""What the contract tests call, read from the OpenAPI documents themselves.

Every operation of a spec becomes an `Operation` with the arguments a call needs (path parameters as
strings, required query parameters, the request body from the spec's own request example) and the
responses it documents, each with its named examples. The tests turn those into calls of the
generated client against Prism, so an operation added to a spec is covered without touching them.

Also here: what Prism says about a call (`sl-violations`, its own problem+json errors), how a parsed
model is compared with the example it came from, and which typed error a status must raise.
"""

from __future__ import annotations

import datetime
import enum
import functools
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pydantic
import yaml

from generator import naming

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
PRISM_ERROR_TYPE = "https://stoplight.io/prism/errors#"
# Marks an example the spec itself says does not match its schema (see specs/*.yaml).
QUIRK_MARKER = "documented quirk"
FALLBACK_UUID = "00000000-0000-4000-8000-000000000000"


# -- the spec, as the tests see it -----------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    name: str | None  # None: a lone `example`, which Prism serves without being asked by name
    value: Any
    description: str = ""

    @property
    def is_documented_quirk(self) -> bool:
        return QUIRK_MARKER in self.description.lower()


@dataclass(frozen=True)
class Response:
    status: int
    examples: tuple[Example, ...]  # empty: no JSON example (Prism builds one from the schema)
    schema_ref: str | None  # the component name when the JSON schema is a plain `$ref`
    has_json: bool


@dataclass(frozen=True)
class Param:
    wire_name: str
    py_name: str
    where: str
    required: bool
    sample: str  # a valid value, as a string, taken from the spec's examples where it has one


@dataclass(frozen=True)
class Body:
    required: bool
    examples: tuple[Example, ...]


@dataclass(frozen=True)
class Operation:
    spec: Path
    api: str  # the API's attribute on the client (`client.<api>`)
    method: str  # upper case
    path: str
    operation_id: str
    py_name: str  # the generated method's name
    params: tuple[Param, ...]
    body: Body | None
    responses: tuple[Response, ...]

    @property
    def label(self) -> str:
        return f"{self.api}.{self.py_name}"

    @property
    def success(self) -> Response:
        """The documented success response Prism answers with when not asked for another."""
        return min((r for r in self.responses if 200 <= r.status < 300), key=lambda r: r.status)

    @property
    def errors(self) -> tuple[Response, ...]:
        return tuple(r for r in self.responses if r.status >= 400)

    def arguments(self, body_example: Example | None = None) -> dict[str, Any]:
        """Keyword arguments for the generated method: required parameters, and a body when the
        operation requires one or documents an example of one (`body_example`, else the first)."""
        kwargs: dict[str, Any] = {p.py_name: p.sample for p in self.params if p.required}
        if self.body is not None:
            example = body_example or (self.body.examples[0] if self.body.examples else None)
            if example is not None:
                kwargs["body"] = example.value
            elif self.body.required:
                raise AssertionError(
                    f"{self.spec.name} {self.method} {self.path}: a required request body with no "
                    "example; give the spec a request example so the contract test can send it"
                )
        return kwargs


@functools.cache
def load_spec(path: Path) -> dict[str, Any]:
    """The parsed document (cached: callers must not change it)."""
    with path.open(encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    assert isinstance(data, dict), f"{path}: not an OpenAPI document"
    return data


def resolve(doc: Mapping[str, Any], node: Any, *, depth: int = 0) -> Any:
    """`node` with local `$ref`s followed (sibling keywords of a `$ref` are ignored)."""
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        assert ref.startswith("#/") and depth < 50, f"unsupported or cyclic $ref {ref!r}"
        target: Any = doc
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node, depth = target, depth + 1
    return node


def operations(spec: Path, api: str) -> list[Operation]:
    """Every operation of `spec`, in document order, named as the generator names them."""
    doc = load_spec(spec)
    found: list[Operation] = []
    taken: dict[str, naming.Scope] = {}
    for path, item in (doc.get("paths") or {}).items():
        item = resolve(doc, item)
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, Mapping):
                continue
            op_id = op.get("operationId")
            assert op_id, f"{spec.name} {method.upper()} {path}: no operationId"
            # Method names are unique per resource (first tag), first come first served.
            resource = naming.snake((op.get("tags") or ["default"])[0])
            py_name = taken.setdefault(resource, naming.Scope()).claim(naming.method_name(op_id))
            found.append(
                Operation(
                    spec=spec,
                    api=api,
                    method=method.upper(),
                    path=path,
                    operation_id=op_id,
                    py_name=py_name,
                    params=_params(doc, item.get("parameters"), op.get("parameters")),
                    body=_body(doc, op.get("requestBody")),
                    responses=_responses(doc, op.get("responses") or {}),
                )
            )
    return found


def operation_at(doc_path: Path, method: str, path: str, py_name: str, api: str) -> Operation:
    """One operation found by method and path (for specs whose operationIds the generator repairs),
    with the method name the generator gave it."""
    doc = load_spec(doc_path)
    item = resolve(doc, doc["paths"][path])
    op = item[method.lower()]
    return Operation(
        spec=doc_path,
        api=api,
        method=method.upper(),
        path=path,
        operation_id=str(op.get("operationId") or py_name),
        py_name=py_name,
        params=_params(doc, item.get("parameters"), op.get("parameters")),
        body=_body(doc, op.get("requestBody")),
        responses=_responses(doc, op.get("responses") or {}),
    )


def _params(doc: Mapping[str, Any], *layers: Any) -> tuple[Param, ...]:
    by_key: dict[tuple[str, str], Mapping[str, Any]] = {}
    for layer in layers:
        for raw in layer or []:
            param = resolve(doc, raw)
            by_key[(param["name"], param["in"])] = param  # operation level overrides path level
    scope = naming.Scope({"self", "options", "body"})
    params = []
    for (name, where), param in by_key.items():
        if where == "header" and name.lower() in {"authorization", "accept", "content-type"}:
            continue  # set by the client itself, not an argument
        params.append(
            Param(
                wire_name=name,
                py_name=scope.claim(naming.param_name(name)),
                where=where,
                required=bool(param.get("required")) or where == "path",
                sample=_sample(doc, param, name),
            )
        )
    return tuple(params)


def _sample(doc: Mapping[str, Any], param: Mapping[str, Any], name: str) -> str:
    schema = resolve(doc, param.get("schema") or {})
    candidates: list[Any] = [param.get("example")]
    candidates += [resolve(doc, e).get("value") for e in (param.get("examples") or {}).values()]
    candidates += [schema.get("example"), *(schema.get("examples") or [])[:1]]
    candidates += [(schema.get("enum") or [None])[0], schema.get("default")]
    for value in candidates:
        if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value):
            return str(value)
    kind = schema.get("type")
    if kind in ("integer", "number"):
        return "1"
    if schema.get("format") == "uuid" or name.lower().endswith("id"):
        return FALLBACK_UUID
    return f"test-{naming.snake(name).replace('_', '-')}"


def _json_media(content: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    for media_type, media in (content or {}).items():
        if media_type.split(";")[0].strip().lower() in (
            "application/json",
            "application/vnd.api+json",
        ):
            return media
    return None


def _examples(doc: Mapping[str, Any], media: Mapping[str, Any]) -> tuple[Example, ...]:
    named = media.get("examples")
    if isinstance(named, Mapping) and named:
        found = []
        for name, raw in named.items():
            example = resolve(doc, raw)
            if isinstance(example, Mapping) and "value" in example:
                found.append(
                    Example(str(name), example["value"], str(example.get("description") or ""))
                )
        return tuple(found)
    if "example" in media:
        return (Example(None, media["example"]),)
    return ()


def _body(doc: Mapping[str, Any], raw: Any) -> Body | None:
    if raw is None:
        return None
    body = resolve(doc, raw)
    media = _json_media(body.get("content"))
    if media is None:
        return Body(required=bool(body.get("required")), examples=())
    return Body(required=bool(body.get("required")), examples=_examples(doc, media))


def _responses(doc: Mapping[str, Any], raw: Mapping[str, Any]) -> tuple[Response, ...]:
    found = []
    for status, value in raw.items():
        if not str(status).isdigit():
            continue  # `default` and `4XX`: Prism cannot be asked for them by code
        response = resolve(doc, value)
        media = _json_media(response.get("content"))
        schema = (media or {}).get("schema") or {}
        ref = schema.get("$ref") if isinstance(schema, Mapping) else None
        found.append(
            Response(
                status=int(status),
                examples=_examples(doc, media) if media is not None else (),
                schema_ref=ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None,
                has_json=media is not None,
            )
        )
    return tuple(found)


# -- calling the generated client ------------------------------------------------------------------


def find_method(api_object: object, op: Operation, *, raw: bool) -> Any:
    """The generated method for `op` on `client.<api>`: the one resource that has it (by name, and
    by the `METHOD /path` line the generator puts in its docstring when names repeat)."""
    matches = []
    for attr in vars(api_object).values():
        holder = attr.with_raw_response if raw else attr
        method = getattr(holder, op.py_name, None)
        if callable(method):
            matches.append(method)
    if len(matches) > 1:
        line = f"`{op.method} {op.path}`"
        matches = [m for m in matches if line in (m.__doc__ or "")]
    assert len(matches) == 1, (
        f"expected one generated method {op.py_name}() for {op.method} {op.path} "
        f"on {type(api_object).__name__}, found {len(matches)}"
    )
    return matches[0]


def prefer(status: int, example: Example | None) -> dict[str, str]:
    """The `Prefer` header that makes Prism answer with `status` and that named example."""
    value = f"code={status}"
    if example is not None and example.name is not None:
        value += f", example={example.name}"
    return {"Prefer": value}


# -- what Prism says about a call ------------------------------------------------------------------


def violations(response: httpx.Response) -> list[dict[str, Any]]:
    header = response.headers.get("sl-violations")
    if not header:
        return []
    parsed = json.loads(header)
    return parsed if isinstance(parsed, list) else [parsed]


def _is_response_violation(violation: Mapping[str, Any]) -> bool:
    location = violation.get("location") or []
    return bool(location) and location[0] == "response"


def request_problems(response: httpx.Response) -> list[Any]:
    """Why Prism rejected the request: request violations in `sl-violations`, and Prism's own
    problem+json errors (it sends no header when it generates the 422 or 401 itself)."""
    problems: list[Any] = [v for v in violations(response) if not _is_response_violation(v)]
    if "problem+json" in response.headers.get("content-type", ""):
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, Mapping) and str(body.get("type", "")).startswith(PRISM_ERROR_TYPE):
            problems.append(body)
    return problems


def response_violations(response: httpx.Response) -> list[dict[str, Any]]:
    return [v for v in violations(response) if _is_response_violation(v)]


def describe_exchange(response: httpx.Response) -> str:
    request = response.request
    body = request.content.decode("utf-8", "replace") if request.content else ""
    lines = [f"> {request.method} {request.url}"]
    lines += [f"> {k}: {v}" for k, v in request.headers.items() if k.lower() != "authorization"]
    if body:
        lines.append(f"> {body}")
    lines.append(f"< {response.status_code} {response.reason_phrase}")
    lines += [f"< {k}: {v}" for k, v in response.headers.items() if k.lower().startswith("sl-")]
    lines.append(f"< {response.text[:2000]}")
    return "\n".join(lines)


def assert_request_accepted(response: httpx.Response) -> None:
    problems = request_problems(response)
    assert not problems, "Prism rejected the request the client sent:\n" + (
        json.dumps(problems, indent=2) + "\n" + describe_exchange(response)
    )


# -- comparing what the client parsed with what the spec's example says ----------------------------


def differences(parsed: Any, example: Any, *, strict: bool, where: str = "") -> Iterator[str]:
    """Where `parsed` (a model tree) disagrees with the JSON `example` it was parsed from.

    `strict` also reports JSON fields the models do not declare (kept only as `model_extra`).
    """
    here = where or "<body>"
    if isinstance(parsed, pydantic.BaseModel):
        if not isinstance(example, Mapping):
            yield f"{here}: parsed a {type(parsed).__name__} from {example!r}"
            return
        fields = type(parsed).model_fields
        seen = set()
        for name in parsed.model_fields_set:
            if name not in fields:
                continue
            wire = fields[name].alias or name
            seen.add(wire)
            if wire not in example:
                yield f"{here}.{wire}: set although the example has no such field"
                continue
            yield from differences(
                getattr(parsed, name), example[wire], strict=strict, where=f"{here}.{wire}"
            )
        extra = parsed.model_extra or {}
        if strict and extra:
            yield f"{here}: fields not in the model {sorted(extra)} (kept as model_extra)"
        for wire, value in extra.items():
            seen.add(wire)
            yield from differences(value, example.get(wire), strict=strict, where=f"{here}.{wire}")
        missing = set(example) - seen
        if missing:
            yield f"{here}: example fields lost in parsing: {sorted(missing)}"
    elif isinstance(parsed, Mapping):
        if not isinstance(example, Mapping) or set(parsed) != set(example):
            yield f"{here}: {dict(parsed)!r} != {example!r}"
            return
        for key in parsed:
            yield from differences(parsed[key], example[key], strict=strict, where=f"{here}.{key}")
    elif isinstance(parsed, list | tuple):
        if not isinstance(example, list) or len(parsed) != len(example):
            yield f"{here}: {len(parsed)} items parsed from {example!r}"
            return
        for i, (item, sample) in enumerate(zip(parsed, example, strict=True)):
            yield from differences(item, sample, strict=strict, where=f"{here}[{i}]")
    elif isinstance(parsed, enum.Enum):
        if parsed.value != example:
            yield f"{here}: {parsed!r} != {example!r}"
    elif isinstance(parsed, datetime.datetime | datetime.date):
        try:
            same = pydantic.TypeAdapter(type(parsed)).validate_python(example) == parsed
        except pydantic.ValidationError:
            same = False
        if not same:
            yield f"{here}: {parsed!r} != {example!r}"
    elif parsed != example or isinstance(parsed, bool) != isinstance(example, bool):
        yield f"{here}: {parsed!r} != {example!r}"


# -- errors ----------------------------------------------------------------------------------------

ERROR_CLASS_NAMES = {
    400: "BadRequestError",
    401: "AuthenticationError",
    403: "PermissionDeniedError",
    404: "NotFoundError",
    409: "ConflictError",
    422: "UnprocessableEntityError",
    429: "RateLimitError",
}


def error_class_name(status: int) -> str:
    """The typed error the runtime contract (docs/runtime-contract.md) names for `status`."""
    return (
        "InternalServerError" if status >= 500 else ERROR_CLASS_NAMES.get(status, "APIStatusError")
    )


@dataclass(frozen=True)
class ExpectedError:
    status: int
    title: str
    detail: str | None


def expected_errors(example: Any, status: int) -> list[ExpectedError]:
    """The error objects an example holds, in any of the envelopes the specs use: `errors` as an
    array or as one object, or a bare error object; `status` an int or a numeric string."""
    if isinstance(example, Mapping) and "errors" in example:
        items = example["errors"]
        items = items if isinstance(items, list) else [items]
    elif isinstance(example, Mapping) and ("title" in example or "detail" in example):
        items = [example]
    else:
        items = []
    found = []
    for item in items:
        raw_status = item.get("status", status)
        found.append(
            ExpectedError(
                status=int(raw_status),
                title=str(item.get("title") or item.get("detail")),
                detail=item.get("detail") if item.get("title") else None,
            )
        )
    return found


def case_id(*parts: object) -> str:
    return "-".join(str(p) for p in parts if p is not None and p != "")


def every_example(response: Response) -> Sequence[Example | None]:
    return response.examples or (None,)
