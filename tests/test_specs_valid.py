"""The project's own OpenAPI documents (specs/*.yaml) and job profiles (specs/jobs.yaml) are sound.

- every API spec is valid OpenAPI 3.1 (openapi-spec-validator) and plain JSON data;
- every operation has a unique camelCase operationId, a summary and a description;
- every response and request-body example matches its schema (jsonschema via
  openapi-schema-validator's OAS31Validator, with format checking), except examples whose
  `description` starts with "Documented quirk";
- every profile in specs/jobs.yaml names operations, parameters, field paths and statuses that
  exist in its spec, and covers every status and resource type the spec's examples show.

The checkers are plain functions returning lists of problems, so the last tests can feed them
deliberately broken documents and prove that they fail.
"""

from __future__ import annotations

import copy
import inspect
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from generator.jobs_vocabulary import CANONICAL_STATUSES, FIELD_NAMES, OPERATION_ROLES

ROOT = Path(__file__).resolve().parent.parent
SPECS_DIR = ROOT / "specs"
PROFILES_FILE = SPECS_DIR / "jobs.yaml"
API_SPECS = sorted(p for p in SPECS_DIR.glob("*.yaml") if p.name != PROFILES_FILE.name)

QUIRK_MARKER = "documented quirk"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
OPERATION_ID = re.compile(r"^[a-z][a-zA-Z0-9]*$")
# The profile file is held to the one job vocabulary the checker and the runtime share.
OPERATION_KEYS = OPERATION_ROLES
FIELD_KEYS = set(FIELD_NAMES)
REQUIRED_FIELD_KEYS = {"id", "status"}
PROFILE_KEYS = {
    "api",
    "resource_type",
    "job_param",
    "operations",
    "envelope",
    "fields",
    "file_link",
    "statuses",
    "error_messages",
    "cancellable",
}
SPEC_URI = "urn:jobgen:spec"


# --------------------------------------------------------------------------- loading


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate mapping keys instead of keeping the last one."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_StrictLoader)


_CACHE: dict[Path, Any] = {}


def spec(path: Path) -> Any:
    if path not in _CACHE:
        _CACHE[path] = load_yaml(path)
    return copy.deepcopy(_CACHE[path])


def spec_path(api: str) -> Path:
    return SPECS_DIR / f"{api}.yaml"


# --------------------------------------------------------------------------- helpers


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def resolve(doc: dict[str, Any], node: Any, pointer: str) -> tuple[Any, str]:
    """Follow local `$ref`s (any number) and return the target and its JSON pointer."""
    seen = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert isinstance(ref, str) and ref.startswith("#/"), f"{pointer}: non-local $ref {ref!r}"
        assert ref not in seen, f"{pointer}: $ref cycle through {ref}"
        seen.add(ref)
        target: Any = doc
        for token in ref[2:].split("/"):
            token = token.replace("~1", "/").replace("~0", "~")
            assert isinstance(target, dict) and token in target, f"{pointer}: dangling {ref}"
            target = target[token]
        node, pointer = target, ref[1:]
    return node, pointer


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any], str]]:
    """Yield (method, path, operation, pointer) for every operation."""
    for path, item in (doc.get("paths") or {}).items():
        for method in HTTP_METHODS:
            if method in item:
                yield method, path, item[method], f"/paths/{escape(path)}/{method}"


def media_types(
    doc: dict[str, Any], op: dict[str, Any], op_pointer: str
) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Yield (label, media type object, its pointer) for every response and the request body."""
    if "requestBody" in op:
        body, ptr = resolve(doc, op["requestBody"], f"{op_pointer}/requestBody")
        for name, media in (body.get("content") or {}).items():
            yield f"{op_pointer} requestBody {name}", media, f"{ptr}/content/{escape(name)}"
    for code, response in (op.get("responses") or {}).items():
        resp, ptr = resolve(doc, response, f"{op_pointer}/responses/{code}")
        for name, media in (resp.get("content") or {}).items():
            yield f"{op_pointer} {code} {name}", media, f"{ptr}/content/{escape(name)}"


def validator_for(doc: dict[str, Any], schema_pointer: str) -> OAS31Validator:
    default_registry = inspect.signature(OAS31Validator.__init__).parameters["registry"].default
    registry: Registry[Any] = default_registry.with_resource(
        SPEC_URI, DRAFT202012.create_resource(doc)
    )
    return OAS31Validator(
        {"$ref": f"{SPEC_URI}#{schema_pointer}"},
        registry=registry,
        format_checker=OAS31Validator.FORMAT_CHECKER,
    )


def response_examples(
    doc: dict[str, Any],
) -> Iterator[tuple[str, Any, str | None, str]]:
    """Yield (label, example value, description, schema pointer) for every example with a schema.

    A media type reached through a shared `components/responses` entry is visited once.
    """
    visited: set[str] = set()
    for _method, _path, op, op_ptr in operations(doc):
        for label, media, media_ptr in media_types(doc, op, op_ptr):
            if "schema" not in media or media_ptr in visited:
                continue
            visited.add(media_ptr)
            schema_ptr = f"{media_ptr}/schema"
            if "example" in media:
                yield f"{label} (example)", media["example"], None, schema_ptr
            for name, example in (media.get("examples") or {}).items():
                ex, _ = resolve(doc, example, f"{media_ptr}/examples/{name}")
                if "value" in ex:
                    yield f"{label} examples/{name}", ex["value"], ex.get("description"), schema_ptr


def is_quirk(description: str | None) -> bool:
    return description is not None and description.strip().lower().startswith(QUIRK_MARKER)


def check_examples(doc: dict[str, Any]) -> tuple[list[str], int, int]:
    """Return (problems, examples checked, quirk examples skipped)."""
    problems: list[str] = []
    checked = skipped = 0
    for label, value, description, schema_ptr in response_examples(doc):
        errors = sorted(validator_for(doc, schema_ptr).iter_errors(value), key=str)
        if is_quirk(description):
            skipped += 1
            if not errors:
                problems.append(f"{label}: marked as a quirk but matches its schema")
            continue
        checked += 1
        for err in errors:
            where = "/".join(str(p) for p in err.absolute_path) or "(root)"
            problems.append(f"{label} at {where}: {err.message}")
    return problems, checked, skipped


def check_operation_ids(doc: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    seen: dict[str, str] = {}
    for method, path, op, _ in operations(doc):
        where = f"{method.upper()} {path}"
        op_id = op.get("operationId")
        if not op_id:
            problems.append(f"{where}: no operationId")
            continue
        if not OPERATION_ID.match(op_id):
            problems.append(f"{where}: operationId {op_id!r} is not camelCase")
        if op_id in seen:
            problems.append(f"{where}: operationId {op_id!r} also used by {seen[op_id]}")
        seen[op_id] = where
        for key in ("summary", "description"):
            if not op.get(key):
                problems.append(f"{where}: no {key}")
    return problems


# ------------------------------------------------------------ schema walking for profiles


def schema_branches(doc: dict[str, Any], schema: Any) -> list[dict[str, Any]]:
    """The schema and the members of its allOf/anyOf/oneOf, with `$ref`s resolved."""
    node, _ = resolve(doc, schema, "schema")
    if not isinstance(node, dict):
        return []
    out = [node]
    for key in ("allOf", "anyOf", "oneOf"):
        for member in node.get(key) or []:
            out.extend(schema_branches(doc, member))
    return out


def schema_types(branches: list[dict[str, Any]]) -> set[str]:
    types: set[str] = set()
    for b in branches:
        t = b.get("type")
        if isinstance(t, str):
            types.add(t)
        elif isinstance(t, list):
            types.update(t)
    return types


def walk(doc: dict[str, Any], schema: Any, dotted: str) -> list[dict[str, Any]]:
    """Schemas reached by a dotted path ("a.b[].c"); raises KeyError naming the missing step."""
    current = schema_branches(doc, schema)
    for segment in dotted.split("."):
        fan_out = segment.endswith("[]")
        name = segment[:-2] if fan_out else segment
        found = [b["properties"][name] for b in current if name in (b.get("properties") or {})]
        if not found:
            raise KeyError(f"{dotted}: no property {name!r}")
        current = [b for f in found for b in schema_branches(doc, f)]
        if fan_out:
            if "array" not in schema_types(current):
                raise KeyError(f"{dotted}: {name!r} is not an array")
            current = [b for c in current if "items" in c for b in schema_branches(doc, c["items"])]
    return current


def find_operation(doc: dict[str, Any], spec_op: str) -> dict[str, Any] | None:
    method, _, path = spec_op.partition(" ")
    item = (doc.get("paths") or {}).get(path)
    if not isinstance(item, dict) or method.lower() not in item:
        return None
    op: dict[str, Any] = item[method.lower()]
    return op


def success_schema(doc: dict[str, Any], op: dict[str, Any]) -> Any:
    for code in sorted(op.get("responses") or {}):
        if str(code).startswith("2"):
            resp, _ = resolve(doc, op["responses"][code], "response")
            media = (resp.get("content") or {}).get("application/json") or {}
            if "schema" in media:
                return media["schema"]
    raise KeyError("no 2xx application/json schema")


def success_examples(doc: dict[str, Any], op: dict[str, Any]) -> Iterator[Any]:
    for code in op.get("responses") or {}:
        if str(code).startswith("2"):
            resp, _ = resolve(doc, op["responses"][code], "response")
            media = (resp.get("content") or {}).get("application/json") or {}
            for example in (media.get("examples") or {}).values():
                ex, _ = resolve(doc, example, "example")
                if "value" in ex:
                    yield ex["value"]


def parameter_names(doc: dict[str, Any], path: str, op: dict[str, Any]) -> set[str]:
    params = list((doc["paths"][path] or {}).get("parameters") or []) + list(
        op.get("parameters") or []
    )
    out = set()
    for p in params:
        param, _ = resolve(doc, p, "parameter")
        if param.get("in") == "path":
            out.add(param["name"])
    return out


def jobs_in(value: Any, envelope: str) -> list[dict[str, Any]]:
    inner = value.get(envelope) if isinstance(value, dict) else None
    if isinstance(inner, list):
        return [j for j in inner if isinstance(j, dict)]
    return [inner] if isinstance(inner, dict) else []


def dig(value: Any, dotted: str) -> Any:
    for segment in dotted.split("."):
        value = value.get(segment) if isinstance(value, dict) else None
    return value


def check_profile(profile: dict[str, Any], doc: dict[str, Any]) -> list[str]:
    """Everything a profile names must exist in its spec; return the problems found."""
    api = profile.get("api", "?")
    problems: list[str] = []

    def bad(msg: str) -> None:
        problems.append(f"{api}: {msg}")

    for key in set(profile) - PROFILE_KEYS:
        bad(f"unknown key {key!r}")
    for key in ("resource_type", "job_param", "operations", "envelope", "fields", "statuses"):
        if key not in profile:
            bad(f"missing {key!r}")
    if problems:
        return problems
    envelope = profile["envelope"]
    job_param = profile["job_param"]

    ops: dict[str, dict[str, Any]] = {}
    for key, spec_op in profile["operations"].items():
        if key not in OPERATION_KEYS:
            bad(f"unknown operation key {key!r}")
            continue
        op = find_operation(doc, spec_op)
        if op is None:
            bad(f"operation {key}: {spec_op!r} is not in the spec")
            continue
        ops[key] = op
        path = spec_op.partition(" ")[2]
        if key in ("get", "cancel", "file", "errors"):
            if f"{{{job_param}}}" not in path:
                bad(f"operation {key}: path {path!r} has no {{{job_param}}}")
            if job_param not in parameter_names(doc, path, op):
                bad(f"operation {key}: no path parameter {job_param!r} declared")
    if "list" not in ops and "get" not in ops:
        bad("needs a `get` or a `list` operation to find a job")
    if ("file" in ops) != ("file_link" in profile):
        bad("`file_link` must be given exactly when there is a `file` operation")
    if ("errors" in ops) != ("error_messages" in profile):
        bad("`error_messages` must be given exactly when there is an `errors` operation")

    # The job schema: what the envelope holds in each job-bearing response.
    job_schemas: dict[str, list[dict[str, Any]]] = {}
    for key in ("get", "list", "cancel", "create"):
        if key not in ops:
            continue
        try:
            held = walk(doc, success_schema(doc, ops[key]), envelope)
        except KeyError as exc:
            bad(f"operation {key}: envelope {envelope!r} not in the response ({exc})")
            continue
        if "array" in schema_types(held):
            held = [b for h in held if "items" in h for b in schema_branches(doc, h["items"])]
        job_schemas[key] = held

    fields = profile["fields"]
    for key in set(fields) - FIELD_KEYS:
        bad(f"unknown field key {key!r}")
    for key in REQUIRED_FIELD_KEYS - set(fields):
        bad(f"missing field {key!r}")
    for op_key, held in job_schemas.items():
        for key, dotted in fields.items():
            try:
                walk(doc, {"allOf": held}, dotted)
            except KeyError as exc:
                bad(f"field {key} in the {op_key} response: {exc}")

    if "file" in ops and "file_link" in profile:
        try:
            walk(doc, success_schema(doc, ops["file"]), profile["file_link"])
        except KeyError as exc:
            bad(f"file_link: {exc}")
    if "errors" in ops and "error_messages" in profile:
        try:
            walk(doc, success_schema(doc, ops["errors"]), profile["error_messages"])
        except KeyError as exc:
            bad(f"error_messages: {exc}")

    # Statuses: canonical keys only, each raw spelling once, and every spelling the spec shows.
    raw_to_canonical: dict[str, str] = {}
    for canonical, spellings in profile["statuses"].items():
        if canonical not in CANONICAL_STATUSES:
            bad(f"unknown canonical status {canonical!r}")
        for raw in spellings:
            folded = str(raw).lower()
            if folded in raw_to_canonical:
                bad(f"status {raw!r} listed twice")
            raw_to_canonical[folded] = canonical
    for raw in profile.get("cancellable", []):
        if str(raw).lower() not in raw_to_canonical:
            bad(f"cancellable status {raw!r} is not in the status map")

    seen_statuses: set[str] = set()
    status_path = fields.get("status", "")
    for held in job_schemas.values():
        try:
            for branch in walk(doc, {"allOf": held}, status_path):
                seen_statuses.update(str(v) for v in branch.get("enum") or [])
        except KeyError:
            pass  # reported above
    for key in ("get", "list", "cancel", "create"):
        if key not in ops:
            continue
        for value in success_examples(doc, ops[key]):
            for job in jobs_in(value, envelope):
                if job.get("type") != profile["resource_type"]:
                    bad(f"{key} example has type {job.get('type')!r}")
                status = dig(job, status_path)
                if status is not None:
                    seen_statuses.add(str(status))
    for raw in sorted(seen_statuses):
        if raw.lower() not in raw_to_canonical:
            bad(f"status {raw!r} appears in the spec but not in the status map")
    return problems


# --------------------------------------------------------------------------- tests


def test_specs_present() -> None:
    names = {p.stem for p in API_SPECS}
    assert {"exporter", "pcm", "promotions"} <= names
    assert PROFILES_FILE.is_file()


@pytest.mark.parametrize("path", API_SPECS, ids=lambda p: p.stem)
def test_spec_is_valid_openapi_31(path: Path) -> None:
    doc = spec(path)
    assert doc["openapi"] == "3.1.0"
    json.dumps(doc)  # plain JSON data: no YAML timestamps, dates or other non-JSON scalars
    validate_openapi(doc)


@pytest.mark.parametrize("path", API_SPECS, ids=lambda p: p.stem)
def test_spec_document_basics(path: Path) -> None:
    doc = spec(path)
    for key in ("title", "version", "description"):
        assert doc["info"].get(key), f"info.{key} missing"
    assert [s["url"] for s in doc["servers"]][1:] == ["https://useast.api.elasticpath.com"]
    assert doc["security"] == [{"bearerAuth": []}]
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    declared_tags = {t["name"] for t in doc.get("tags", [])}
    for method, p, op, _ in operations(doc):
        assert op.get("tags"), f"{method.upper()} {p}: no tags"
        assert set(op["tags"]) <= declared_tags, f"{method.upper()} {p}: undeclared tag"
        # The security scheme stands for the bearer token; no Authorization header parameters.
        params = list((doc["paths"][p] or {}).get("parameters") or []) + list(
            op.get("parameters") or []
        )
        for raw in params:
            param, _ = resolve(doc, raw, "parameter")
            assert param["name"].lower() != "authorization", f"{method.upper()} {p}"


@pytest.mark.parametrize("path", API_SPECS, ids=lambda p: p.stem)
def test_operation_ids_unique_and_documented(path: Path) -> None:
    assert check_operation_ids(spec(path)) == []


def test_operation_ids_unique_across_specs() -> None:
    seen: dict[str, str] = {}
    for path in API_SPECS:
        for _, _, op, _ in operations(spec(path)):
            op_id = op["operationId"]
            assert op_id not in seen, f"{op_id} in {path.name} and {seen[op_id]}"
            seen[op_id] = path.name


@pytest.mark.parametrize("path", API_SPECS, ids=lambda p: p.stem)
def test_examples_match_their_schemas(path: Path) -> None:
    problems, checked, _skipped = check_examples(spec(path))
    assert problems == []
    assert checked >= 3, "too few examples checked: is the walker finding them?"


def test_documented_quirks_are_kept() -> None:
    """Each API keeps the quirk the normaliser must cope with, marked as such."""
    expected = {"exporter": 1, "promotions": 2}
    for path in API_SPECS:
        _, _, skipped = check_examples(spec(path))
        assert skipped == expected.get(path.stem, 0), path.stem


def test_profiles_file_format() -> None:
    data = load_yaml(PROFILES_FILE)
    assert data["version"] == 1
    apis = [p["api"] for p in data["profiles"]]
    assert sorted(apis) == sorted({p.stem for p in API_SPECS})
    assert len(apis) == len(set(apis))


@pytest.mark.parametrize(
    "profile", load_yaml(PROFILES_FILE)["profiles"], ids=lambda p: str(p.get("api"))
)
def test_profile_matches_its_spec(profile: dict[str, Any]) -> None:
    path = spec_path(profile["api"])
    assert path.is_file(), f"no spec {path.name} for profile {profile['api']!r}"
    assert check_profile(profile, spec(path)) == []


# ------------------------------------------------------- the checkers can fail


def _profile(api: str) -> dict[str, Any]:
    for p in load_yaml(PROFILES_FILE)["profiles"]:
        if p["api"] == api:
            return copy.deepcopy(p)
    raise LookupError(api)


def test_example_checker_catches_a_mismatch() -> None:
    doc = spec(spec_path("exporter"))
    media = doc["components"]["responses"]["InternalServerError"]["content"]["application/json"]
    media["examples"]["internal-server-error"]["value"]["errors"][0]["status"] = "500"
    problems, _, _ = check_examples(doc)
    assert any(
        "internal-server-error" in p and "'500' is not of type 'integer'" in p for p in problems
    )


def test_example_checker_flags_a_quirk_that_is_not_one() -> None:
    doc = spec(spec_path("exporter"))
    media = doc["components"]["responses"]["NotFoundError"]["content"]["application/json"]
    example = media["examples"]["not-found"]
    example["value"] = {"errors": [example["value"]]}
    problems, _, _ = check_examples(doc)
    assert any("marked as a quirk but matches" in p for p in problems)


def test_example_checker_checks_formats() -> None:
    doc = spec(spec_path("pcm"))
    examples = doc["paths"]["/pcm/jobs/{jobID}"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["examples"]
    examples["successful"]["value"]["data"]["attributes"]["created_at"] = "yesterday"
    problems, _, _ = check_examples(doc)
    assert any("'yesterday' is not a 'date-time'" in p for p in problems)


def test_operation_id_checker_catches_duplicates() -> None:
    doc = spec(spec_path("pcm"))
    doc["paths"]["/pcm/jobs"]["get"]["operationId"] = "getJob"
    assert any("also used by" in p for p in check_operation_ids(doc))


@pytest.mark.parametrize(
    ("api", "mutate", "expected"),
    [
        (
            "exporter",
            lambda p: p["operations"].update(get="GET /v2/job/{jobID}"),
            "not in the spec",
        ),
        ("pcm", lambda p: p["fields"].update(finished_at="attributes.finished_at"), "finished_at"),
        ("pcm", lambda p: p["statuses"].pop("cancelled"), "'cancelled' appears in the spec"),
        ("promotions", lambda p: p.update(file_link="data.href"), "file_link"),
        ("promotions", lambda p: p["statuses"]["running"].append("PENDING"), "listed twice"),
        ("pcm", lambda p: p.update(error_messages="data[].message"), "error_messages"),
        ("pcm", lambda p: p.update(job_param="jobId"), "no {jobId}"),
        ("exporter", lambda p: p.update(resource_type="export_job"), "example has type 'job'"),
        ("promotions", lambda p: p["fields"].update(kind="job_type[]"), "not an array"),
    ],
)
def test_profile_checker_catches_mistakes(api: str, mutate: Any, expected: str) -> None:
    profile = _profile(api)
    mutate(profile)
    problems = check_profile(profile, spec(spec_path(api)))
    assert any(expected in p for p in problems), problems
