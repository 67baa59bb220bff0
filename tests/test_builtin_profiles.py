"""The built-in job profiles: the published specs get normalised jobs without a profile of the user's.

Each published spec is configured under a file name of its own (so the API names are not the ones
the built-ins were written against): it is recognised by its content, its families get the
configured API's name (or their own), a user's family of the same name replaces a built-in, and the
price book import's creator is there exactly when the Price Books spec is configured. Every job
example the specs document is normalised to the canonical status it means, and the jobs of every
family run through the generated package's fake, sync and async.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from generator import ir
from generator.cli import cli
from generator.config import Config
from generator.output import write_output
from generator.pipeline import build_project, run

from .conftest import REAL_SPECS, ROOT, SPECS, write_spec

# The published specs, and the file names they are configured under here.
CONFIGURED = {
    "exporter": "orders_out",
    "pim": "catalogue",
    "promotions": "deals",
    "subscriptions": "subs",
    "pricebooks": "prices",
}
PACKAGE = "builtinpkg"


def _copies(folder: Path, names: list[str]) -> tuple[Path, ...]:
    paths = [REAL_SPECS / f"{name}.yaml" for name in names]
    if not all(path.is_file() for path in paths):
        pytest.skip(f"real specs not found in {REAL_SPECS}")
    copies = []
    for name, path in zip(names, paths, strict=True):
        copy = folder / f"{CONFIGURED[name]}.yaml"
        shutil.copyfile(path, copy)
        copies.append(copy)
    return tuple(copies)


def _families(folder: Path, names: list[str], profiles: tuple[Path, ...] = ()) -> dict[str, Any]:
    config = Config(
        specs=_copies(folder, names), output=folder / "out", package="p", profiles=profiles
    )
    project, reports = build_project(config)
    found = {family.name: family for api in project.apis for family in api.jobs}
    found["<notes>"] = [str(n) for r in reports for n in r.collector.notes]
    found["<warnings>"] = [w for r in reports for w in r.collector.warnings]
    return found


@pytest.fixture(scope="module")
def package_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("builtin")
    specs = _copies(folder, list(CONFIGURED))
    out = folder / "out"
    result = run(Config(specs=specs, output=out, package=PACKAGE), concurrent_validation=False)
    codes = {w.code for w in result.warnings}
    assert "no-job-profile" not in codes and "builtin-profile" not in codes, codes
    assert not {"unmapped-status", "unknown-status-word", "profile"} & codes, codes
    write_output(result.files, out)
    return out


@pytest.fixture(scope="module")
def pkg(package_dir: Path) -> Iterator[Any]:
    sys.path.insert(0, str(package_dir))
    importlib.invalidate_caches()
    module = importlib.import_module(PACKAGE)
    importlib.import_module(f"{PACKAGE}.testing")
    importlib.import_module(f"{PACKAGE}._job_model")
    yield module
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    sys.path.remove(str(package_dir))


# -- recognised by content, named after the configured API ------------------------------------------


def test_every_published_job_api_gets_its_families_under_the_configured_names(pkg: Any) -> None:
    profiles = pkg._profiles.PROFILES
    assert {name: profile.api for name, profile in profiles.items()} == {
        "orders_out": "orders_out",
        "catalogue": "catalogue",
        "deals": "deals",
        "subscription_jobs": "subs",
        "subscription_imports": "subs",
    }
    assert profiles["catalogue"].resource_type == "pim-job"
    assert profiles["subscription_jobs"].cancel.removes_job  # a DELETE removes the job
    assert profiles["subscription_imports"].create.media_type == "multipart/form-data"


def test_the_price_book_import_is_a_creator_of_the_pcm_jobs_with_a_multipart_body(
    pkg: Any, package_dir: Path
) -> None:
    creators = pkg._profiles.PROFILES["catalogue"].creators
    assert list(creators) == [
        "product_import",
        "product_export",
        "child_products",
        "hierarchy_duplicate",
        "pricebook_import",
    ]
    assert (creators["pricebook_import"].path, creators["pricebook_import"].media_type) == (
        "/pcm/pricebooks/import",
        "multipart/form-data",
    )
    # The published operation documents no body; the profile's body is the operation's too.
    resources = (package_dir / PACKAGE / "prices" / "resources.py").read_text("utf-8")
    assert "def import_pricebook(\n        self, *, file: FileContent," in resources


def test_without_the_price_book_spec_the_pcm_jobs_come_without_its_creator(
    tmp_path: Path,
) -> None:
    families = _families(tmp_path, ["pim"])
    creators = [op.name for op in families["catalogue"].creators]
    assert creators == ["product_import", "product_export", "child_products", "hierarchy_duplicate"]
    codes = {w.code for w in families["<warnings>"]}
    assert not codes & {"builtin-profile", "no-job-profile", "unmapped-status"}, codes


def test_the_price_book_spec_alone_has_no_job_family(tmp_path: Path) -> None:
    families = _families(tmp_path, ["pricebooks"])
    assert [name for name in families if not name.startswith("<")] == []


def test_a_spec_is_recognised_by_content_not_by_its_file_name(tmp_path: Path) -> None:
    if not (REAL_SPECS / "exporter.yaml").is_file():
        pytest.skip(f"real specs not found in {REAL_SPECS}")
    text = (REAL_SPECS / "exporter.yaml").read_text("utf-8")
    renamed = write_spec(tmp_path, text.replace("title: Exporter Service API", "title: Other"))
    project, _ = build_project(Config(specs=(renamed,), output=tmp_path / "o", package="p"))
    assert [api.jobs for api in project.apis] == [()]
    loud = write_spec(
        tmp_path, text.replace("Exporter Service API", "EXPORTER service api"), "x.yaml"
    )
    project, _ = build_project(Config(specs=(loud,), output=tmp_path / "o", package="p"))
    assert [family.name for api in project.apis for family in api.jobs] == ["x"]


# -- a user's profile overrides a built-in -----------------------------------------------------------

USER_PROFILE = """
version: 2
jobs:
  - name: subscription_jobs
    api: subs
    job_param: job_uuid
    envelope: data
    operations:
      get: GET /subscriptions/jobs/{job_uuid}
    fields: {id: id, status: attributes.status}
    statuses:
      pending: [pending]
      running: [started]
      succeeded: [success]
      failed: [failed]
"""


def test_a_users_family_of_the_same_name_replaces_the_built_in_and_verbose_says_so(
    tmp_path: Path,
) -> None:
    profile = write_spec(tmp_path, USER_PROFILE, "mine.yaml")
    families = _families(tmp_path, ["subscriptions"], (profile,))
    mine = families["subscription_jobs"]
    assert [op.role for op in mine.operations] == ["get"] and mine.cancel is None
    assert mine.location.file == str(profile)
    # The other built-in family of the spec still applies.
    assert families["subscription_imports"].location.file == "jobgen/profiles/subscriptions.yaml"
    assert any(
        "job family 'subscription_jobs' of " in note and "replaces jobgen's built-in" in note
        for note in families["<notes>"]
    )
    runner = CliRunner()
    args = ["validate", str(tmp_path / "subs.yaml"), "--profile", str(profile)]
    quiet = runner.invoke(cli, args)
    loud = runner.invoke(cli, [*args, "--verbose"])
    assert quiet.exit_code == loud.exit_code == 0, loud.output
    assert "replaces jobgen's built-in" not in quiet.stderr
    assert "note: job family 'subscription_jobs' of" in loud.stderr
    assert (
        "replaces jobgen's built-in family 'subscription_jobs' (jobgen/profiles/subscriptions.yaml)"
        in loud.stderr
    )


def test_a_users_family_reading_the_same_jobs_under_another_name_replaces_the_built_in(
    tmp_path: Path,
) -> None:
    profile = write_spec(
        tmp_path, USER_PROFILE.replace("name: subscription_jobs", "name: billing_runs"), "mine.yaml"
    )
    families = _families(tmp_path, ["subscriptions"], (profile,))
    assert "subscription_jobs" not in families
    assert families["billing_runs"].location.file == str(profile)
    assert "subscription_imports" in families
    assert any(
        "job family 'billing_runs' of " in note
        and "replaces jobgen's built-in family 'subscription_jobs' (named 'billing_runs': it "
        "reads the same jobs)"
        in note
        for note in families["<notes>"]
    ), families["<notes>"]


def test_the_projects_specs_get_from_the_built_ins_what_their_profile_file_gives(
    tmp_path: Path,
) -> None:
    specs = tuple(SPECS / f"{name}.yaml" for name in ("exporter", "pcm", "promotions"))
    with_file = run(
        Config(specs, tmp_path / "a", "ep_jobs", (SPECS / "jobs.yaml",)),
        concurrent_validation=False,
    )
    built_in = run(Config(specs, tmp_path / "a", "ep_jobs"), concurrent_validation=False)
    surface = "api-surface.json"
    assert {**built_in.files, surface: ""} == {**with_file.files, surface: ""}
    # The same API; only where each job symbol comes from differs (the built-in's file, not jobs.yaml).
    assert _without_places(built_in.files[surface]) == _without_places(with_file.files[surface])
    assert built_in.files["ep_jobs/_profiles.py"] == (
        ROOT / "generated" / "ep_jobs" / "_profiles.py"
    ).read_text("utf-8")


def _without_places(surface_text: str) -> dict[str, Any]:
    surface = json.loads(surface_text)
    for symbol in surface["symbols"].values():
        symbol.pop("at", None)
    return surface


# -- every documented job example means what the built-in says -------------------------------------

# (family, the API's word) -> the canonical status it must mean.
EXPECTED_STATUS = {
    ("orders_out", "pending"): "pending",
    ("orders_out", "started"): "running",
    ("orders_out", "success"): "succeeded",
    ("orders_out", "failed"): "failed",
    ("catalogue", "pending"): "pending",
    ("catalogue", "started"): "running",
    ("catalogue", "success"): "succeeded",
    ("catalogue", "failed"): "failed",
    ("catalogue", "cancelled"): "cancelled",
    ("deals", "pending"): "pending",
    ("deals", "processing"): "running",
    ("deals", "completed"): "succeeded",
    ("deals", "failed"): "failed",
    ("deals", "cancelling"): "cancelling",
    ("deals", "cancelled"): "cancelled",
    ("subscription_jobs", "pending"): "pending",
    ("subscription_jobs", "started"): "running",
    ("subscription_jobs", "success"): "succeeded",
    ("subscription_jobs", "failed"): "failed",
    ("subscription_imports", "pending"): "pending",
    ("subscription_imports", "started"): "running",
    ("subscription_imports", "success"): "succeeded",
    ("subscription_imports", "failed"): "failed",
}
SPEC_OF = {CONFIGURED[name]: name for name in CONFIGURED}


def _resolve(doc: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        target: Any = doc
        for token in node["$ref"].lstrip("#/").split("/"):
            target = target[token.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _at(value: Any, path: str) -> Any:
    for segment in path.split("."):
        value = value.get(segment) if isinstance(value, dict) else None
    return value


class _Documented:
    """What a spec documents for one family's responses: job objects in examples, and the words
    the status property gives (its enum, its own example)."""

    def __init__(self, doc: dict[str, Any], envelope: str, status_path: str) -> None:
        self.doc = doc
        self.envelope = envelope
        self.status_path = status_path.split(".")
        self.objects: list[dict[str, Any]] = []
        self.words: set[str] = set()

    def example(self, value: Any) -> None:
        found = value.get(self.envelope) if isinstance(value, dict) else None
        for obj in found if isinstance(found, list) else [found]:
            if isinstance(obj, dict):
                self.objects.append(obj)

    def description(self, text: str) -> None:
        """Responses shown as JSON in an operation's Markdown description."""
        for block in re.findall(r"```json\s*(.*?)```", text, re.DOTALL):
            self.example(json.loads(block))

    def response(self, response: Any) -> None:
        response = _resolve(self.doc, response)
        for media in (response.get("content") or {}).values():
            if "example" in media:
                self.example(media["example"])
            for example in (media.get("examples") or {}).values():
                self.example(_resolve(self.doc, example).get("value"))
            self.schema(media.get("schema"), [self.envelope, *self.status_path], 0)

    def schema(self, node: Any, path: list[str], depth: int) -> None:
        node = _resolve(self.doc, node)
        if not isinstance(node, dict) or depth > 30:
            return
        for key in ("allOf", "oneOf", "anyOf"):
            for option in node.get(key) or []:
                self.schema(option, path, depth + 1)
        if "items" in node:
            self.schema(node["items"], path, depth + 1)
        if not path:
            self.words.update(node.get("enum") or [])
            if isinstance(node.get("example"), str):
                self.words.add(node["example"])
            return
        prop = (node.get("properties") or {}).get(path[0])
        if prop is not None:
            self.schema(prop, path[1:], depth + 1)


def _documented(profile: Any) -> _Documented:
    spec = REAL_SPECS / f"{SPEC_OF[profile.api]}.yaml"
    doc = yaml.load(spec.read_text("utf-8"), Loader=yaml.CSafeLoader)
    status_path = profile.fields["status"].path
    documented = _Documented(doc, profile.envelope, status_path)
    endpoints = [profile.get, profile.list, *profile.creators.values()]
    if profile.cancel is not None:
        endpoints.append(profile.cancel.endpoint)
    for endpoint in endpoints:
        if endpoint is None or endpoint.path not in doc["paths"]:
            continue  # a creator in another spec
        operation = _resolve(doc, doc["paths"][endpoint.path]).get(endpoint.method.lower()) or {}
        documented.description(operation.get("description") or "")
        for status, response in (operation.get("responses") or {}).items():
            if str(status).startswith("2"):
                documented.response(response)
    return documented


@pytest.mark.parametrize("family", sorted({family for family, _ in EXPECTED_STATUS}))
def test_every_documented_status_word_and_job_example_means_the_expected_status(
    pkg: Any, family: str
) -> None:
    profile = pkg._profiles.PROFILES[family]
    documented = _documented(profile)
    expected = {word: status for (name, word), status in EXPECTED_STATUS.items() if name == family}
    assert documented.words or documented.objects, "the walk found nothing: it would pass vacuously"
    for word in documented.words:
        assert word in expected, f"the spec documents {word!r}: add it to EXPECTED_STATUS"
        assert profile.statuses[word].value == expected[word], word
    for obj in documented.objects:
        job = pkg._job_model.job_from_payload(profile, obj)
        assert job.raw_status in expected, f"an example has {job.raw_status!r}: add it"
        assert job.status.value == expected[job.raw_status], (family, obj)
        assert job.api == family


def test_the_walk_finds_the_documented_job_examples(pkg: Any) -> None:
    counts = {
        family: len(_documented(pkg._profiles.PROFILES[family]).objects)
        for family in ("orders_out", "catalogue", "deals")
    }
    # If the walk broke, the test above would pass on words alone.
    assert all(count > 0 for count in counts.values()), counts


# -- end to end through the fake ------------------------------------------------------------------

CREATES: list[Any] = [
    pytest.param(
        "orders_out", "create", {"body": {"data": {"type": "order_export"}}}, id="exporter"
    ),
    pytest.param("catalogue", "create_product_import", {"file": b"sku\nshoe\n"}, id="pim-import"),
    pytest.param("catalogue", "create_product_export", {"body": {}}, id="pim-export"),
    pytest.param(
        "catalogue",
        "create_pricebook_import",
        {"file": ("prices.jsonl", b"{}\n")},
        id="pricebook-import",
    ),
    pytest.param(
        "deals",
        "create",
        {"promotion_id": "promo-1", "body": {"job_type": "code_export"}},
        id="promotions",
    ),
    pytest.param(
        "subscription_jobs",
        "create",
        {"body": {"data": {"type": "subscription_job", "attributes": {"job_type": "billing-run"}}}},
        id="subscription-jobs",
    ),
    pytest.param(
        "subscription_imports",
        "create",
        {"import_file": b"{}\n"},
        id="subscription-imports",
    ),
]


@pytest.mark.parametrize(("family", "method", "arguments"), CREATES)
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_each_published_job_api_runs_through_the_fake(
    pkg: Any, family: str, method: str, arguments: dict[str, Any], mode: str
) -> None:
    server = pkg.testing.FakeJobServer()
    if mode == "sync":
        with server.client() as client:
            job = getattr(getattr(client.jobs, family), method)(**arguments)
            done = client.jobs.wait(job, timeout=600)
    else:

        async def drive() -> Any:
            async with server.async_client() as client:
                job = await getattr(getattr(client.jobs, family), method)(**arguments)
                return await client.jobs.wait(job, timeout=600)

        done = asyncio.run(drive())
    assert done.api == family
    assert done.status is pkg.JobStatus.SUCCEEDED
    (created,) = server.requests_for(api=family, operation="create")
    creator = pkg._profiles.PROFILES[family].creators[method.removeprefix("create_")]
    assert (created.method, created.path) == (
        creator.method,
        creator.path.replace("{promotionID}", "promo-1"),
    )


# -- what a built-in cannot be, and a creator's body -------------------------------------------------

LOOKALIKE = """
openapi: 3.0.3
info: {title: Exporter Service API, version: '2'}
paths:
  /v2/jobs:
    get:
      operationId: listJobs
      responses:
        '200':
          description: jobs
          content:
            application/json:
              schema:
                type: object
                properties:
                  data: {type: array, items: {$ref: '#/components/schemas/Job'}}
  /v2/jobs/{jobID}:
    get:
      operationId: getJob
      parameters: [{name: jobID, in: path, required: true, schema: {type: string}}]
      responses:
        '200':
          description: a job
          content:
            application/json:
              schema:
                type: object
                properties:
                  data: {$ref: '#/components/schemas/Job'}
components:
  schemas:
    Job:
      type: object
      properties:
        id: {type: string}
        state: {type: string, enum: [queued, done]}
"""


def test_a_built_in_that_does_not_fit_the_spec_it_recognised_is_left_out_with_a_warning(
    tmp_path: Path,
) -> None:
    spec = write_spec(tmp_path, LOOKALIKE, "exports.yaml")
    project, reports = build_project(Config(specs=(spec,), output=tmp_path / "o", package="p"))
    assert [api.jobs for api in project.apis] == [()]
    (warning,) = [w for r in reports for w in r.collector.warnings if w.code == "builtin-profile"]
    assert "jobgen's built-in job profile 'exports' does not fit this spec" in warning.message
    assert "jobgen/profiles/exporter.yaml" in warning.message
    assert "`jobgen profiles suggest` drafts one" in warning.message
    assert str(warning.location).startswith(f"{spec}:")


IMPORTS = """
openapi: 3.0.3
info: {title: Imports, version: '1'}
paths:
  /things/import:
    post:
      operationId: importThings
      responses:
        '201':
          description: started
          content: {application/json: {schema: {$ref: '#/components/schemas/Envelope'}}}
  /things/export:
    post:
      operationId: exportThings
      requestBody:
        content: {application/json: {schema: {type: object}}}
      responses:
        '201':
          description: started
          content: {application/json: {schema: {$ref: '#/components/schemas/Envelope'}}}
  /things/jobs/{job_id}:
    get:
      operationId: getJob
      parameters: [{name: job_id, in: path, required: true, schema: {type: string}}]
      responses:
        '200':
          description: the job
          content: {application/json: {schema: {$ref: '#/components/schemas/Envelope'}}}
components:
  schemas:
    Envelope:
      type: object
      properties:
        data:
          type: object
          properties:
            id: {type: string}
            status: {type: string, enum: [pending, success, failed]}
"""


def _imports_profile(creators: str) -> str:
    return f"""
version: 2
jobs:
  - name: thing_jobs
    api: things
    job_param: job_id
    envelope: data
    operations:
      create:
{creators}
      get: GET /things/jobs/{{job_id}}
    fields: {{id: id, status: status}}
    statuses: {{pending: [pending], succeeded: [success], failed: [failed]}}
"""


def test_a_creator_gives_the_body_its_operation_does_not_document(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, IMPORTS, "things.yaml")
    profile = write_spec(
        tmp_path,
        _imports_profile(
            "        upload:\n"
            "          operation: POST /things/import\n"
            "          body: {media_type: multipart/form-data, files: [file], fields: [note]}"
        ),
        "jobs.yaml",
    )
    project, _ = build_project(
        Config(specs=(spec,), output=tmp_path / "o", package="p", profiles=(profile,))
    )
    (api,) = project.apis
    operation = next(op for op in api.operations if op.path == "/things/import")
    assert operation.body is not None and operation.body.content_type == "multipart/form-data"
    assert [(p.wire_name, p.type, p.required) for p in operation.body.parts] == [
        ("file", ir.PrimitiveType("bytes"), True),
        ("note", ir.PrimitiveType("str"), False),
    ]


@pytest.mark.parametrize(
    ("creator", "message"),
    [
        (
            "          operation: POST /things/export\n"
            "          body: {media_type: multipart/form-data, files: [file]}",
            "POST /things/export documents its request body (application/json); hint: remove",
        ),
        (
            "          operation: POST /things/import\n          body: {media_type: text/csv}",
            "`media_type` 'text/csv' is not one a creator's body can say; hint: one of "
            "multipart/form-data, application/x-www-form-urlencoded, application/json",
        ),
        (
            "          operation: POST /things/import\n"
            "          body: {media_type: application/x-www-form-urlencoded, files: [file]}",
            "a form body cannot hold files; hint: use multipart/form-data",
        ),
    ],
)
def test_a_creators_body_that_cannot_be_is_a_located_error(
    tmp_path: Path, creator: str, message: str
) -> None:
    spec = write_spec(tmp_path, IMPORTS, "things.yaml")
    profile = write_spec(tmp_path, _imports_profile(f"        upload:\n{creator}"), "jobs.yaml")
    result = CliRunner().invoke(cli, ["validate", str(spec), "--profile", str(profile)])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"jobgen: error: {profile}:")
    assert "#/jobs/0/operations/create/upload/body" in line
    assert message in line


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_pending_pcm_job_is_cancelled_through_its_cancel_endpoint(pkg: Any, mode: str) -> None:
    server = pkg.testing.FakeJobServer()
    server.script_next("catalogue", ["pending", "started", "success"])
    if mode == "sync":
        with server.client() as client:
            job = client.jobs.catalogue.create_product_import(file=b"sku\nshoe\n")
            cancelled = client.jobs.catalogue.cancel(job)
    else:

        async def drive() -> tuple[Any, Any]:
            async with server.async_client() as client:
                job = await client.jobs.catalogue.create_product_import(file=b"sku\nshoe\n")
                return job, await client.jobs.catalogue.cancel(job)

        job, cancelled = asyncio.run(drive())
    assert job.raw_status == "pending"
    assert (cancelled.status, cancelled.raw_status) == (pkg.JobStatus.CANCELLED, "cancelled")
    (sent,) = server.requests_for(api="catalogue", operation="cancel")
    assert (sent.method, sent.path) == ("POST", f"/pcm/jobs/{job.id}/cancel")


def test_verbose_names_the_built_ins_that_apply_also_when_the_result_is_cached(
    tmp_path: Path,
) -> None:
    (spec,) = _copies(tmp_path, ["exporter"])
    args = ["generate", str(spec), "-o", str(tmp_path / "out"), "-p", "orders", "-v"]
    first = CliRunner().invoke(cli, args)
    again = CliRunner().invoke(cli, args)
    assert first.exit_code == again.exit_code == 0, first.output
    assert "(cached)" in again.stderr and "(cached)" not in first.stderr
    note = (
        "jobgen: jobgen/profiles/exporter.yaml:8 #/jobs/0: note: job family 'orders_out' from "
        "jobgen's built-in profile jobgen/profiles/exporter.yaml"
    )
    assert note in first.stderr.splitlines() and note in again.stderr.splitlines()
    quiet = CliRunner().invoke(cli, args[:-1])
    assert "note:" not in quiet.stderr
