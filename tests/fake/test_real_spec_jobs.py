"""The job APIs of the published specs (exporter, PIM's PCM jobs with their creators in PIM and in
the price books spec, promotions, subscription jobs and imports) through the generated package's own
fake, sync and async: every job object the fake answers validates against the spec's own models,
status words are the spec's, a DELETE cancel removes the job, an upload endpoint refuses JSON, and
many jobs at once take one list call per family and round. The profile below describes them (the
published specs need no edit)."""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from generator.config import Config
from generator.output import write_output
from generator.pipeline import run

from ..conftest import REAL_SPECS, write_spec

pytestmark = pytest.mark.timeout(120)

SPECS = ("exporter", "pim", "promotions", "subscriptions", "pricebooks")
PACKAGE = "realjobs"
PROFILE = """
version: 2
jobs:
  - name: exports
    api: exporter
    resource_type: job
    job_param: jobID
    envelope: data
    operations:
      create: POST /v2/jobs
      list: GET /v2/jobs
      get: GET /v2/jobs/{jobID}
      file: GET /v2/jobs/{jobID}/file
    file_link: data.href
    fields:
      id: id
      kind: job_type
      status: status
      created_at: timestamps.created_at
      updated_at: timestamps.updated_at
      error: error
      result_links: link.href
    statuses:
      pending: [pending]
      running: [started]
      succeeded: [success]
      failed: [failed]

  - name: pcm_jobs
    api: pim
    resource_type: pim-job
    job_param: jobID
    envelope: data
    operations:
      create:
        product_import: POST /pcm/products/import
        product_export: POST /pcm/products/export
        pricebook_import: {api: pricebooks, operation: POST /pcm/pricebooks/import}
      list: GET /pcm/jobs
      get: GET /pcm/jobs/{jobID}
      errors: GET /pcm/jobs/{jobID}/errors
    error_messages: data[].attributes.message
    cancel: {operation: "POST /pcm/jobs/{jobID}/cancel", from: [pending]}
    fields:
      id: id
      kind: attributes.type
      status: attributes.status
      created_at: attributes.created_at
      updated_at: attributes.updated_at
      started_at: attributes.started_at
      finished_at: attributes.completed_at
      result_links: meta.file_locations[]
    statuses:
      pending: [pending]
      running: [started]
      succeeded: [success]
      failed: [failed]
      cancelled: [cancelled]

  - name: promotion_jobs
    api: promotions
    resource_type: promotion_job
    job_param: jobID
    envelope: data
    operations:
      create: POST /v2/promotions/{promotionID}/jobs
      list: GET /v2/promotions/{promotionID}/jobs
      file: GET /v2/promotions/{promotionID}/jobs/{jobID}/file
    file_link: href
    cancel: {operation: "POST /v2/promotions/{promotionID}/jobs/{jobID}/cancel", from: [pending, processing]}
    fields:
      id: id
      kind: job_type
      status: status
      created_at: meta.timestamps.created_at
      updated_at: meta.timestamps.updated_at
    statuses:
      pending: [pending]
      running: [processing]
      succeeded: [completed, complete]
      failed: [failed]
      cancelling: [cancelling]
      cancelled: [cancelled]

  - name: subscription_jobs
    api: subscriptions
    resource_type: subscription_job
    job_param: job_uuid
    envelope: data
    operations:
      create: POST /subscriptions/jobs
      list: GET /subscriptions/jobs
      get: GET /subscriptions/jobs/{job_uuid}
    cancel: DELETE /subscriptions/jobs/{job_uuid}
    fields:
      id: id
      kind: attributes.job_type
      status: attributes.status
      created_at: meta.timestamps.created_at
      updated_at: meta.timestamps.updated_at
      started_at: meta.timestamps.started_at
      finished_at: meta.timestamps.finished_at
    statuses:
      pending: [pending]
      running: [started]
      succeeded: [success]
      failed: [failed]

  - name: subscription_imports
    api: subscriptions
    resource_type: subscription_import
    job_param: import_uuid
    envelope: data
    operations:
      create: POST /subscriptions/imports
      list: GET /subscriptions/imports
      get: GET /subscriptions/imports/{import_uuid}
    fields:
      id: id
      status: attributes.status
      created_at: meta.timestamps.created_at
      updated_at: meta.timestamps.updated_at
      started_at: meta.timestamps.started_at
      finished_at: meta.timestamps.finished_at
    statuses:
      pending: [pending]
      running: [started]
      succeeded: [success]
      failed: [failed]
"""
EXPORT = {"data": {"type": "job", "job_type": "order_export", "filter": "eq(status,paid)"}}
PROMOTION_JOB = {"type": "promotion_job", "job_type": "code_export", "name": "Export codes"}
BILLING_RUN = {"data": {"type": "subscription_job", "attributes": {"job_type": "billing-run"}}}


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    specs = tuple(REAL_SPECS / f"{name}.yaml" for name in SPECS)
    if not all(spec.is_file() for spec in specs):
        pytest.skip(f"real specs not found in {REAL_SPECS}")
    import importlib

    folder = tmp_path_factory.mktemp("real-jobs")
    profile = write_spec(folder, PROFILE, "jobs.yaml")
    out = folder / "out"
    result = run(Config(specs=specs, output=out, package=PACKAGE, profiles=(profile,)))
    assert not [w for w in result.warnings if "jobs.yaml" in str(w)], result.warnings
    write_output(result.files, out)
    sys.path.insert(0, str(out))
    importlib.invalidate_caches()
    module = importlib.import_module(PACKAGE)
    importlib.import_module(f"{PACKAGE}.testing")
    yield module
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    sys.path.remove(str(out))


class Calls:
    """A sync or an async client's `client.jobs`, called the same blocking way."""

    def __init__(self, client: Any, loop: asyncio.AbstractEventLoop | None) -> None:
        self.client = client
        self.loop = loop

    def __call__(self, result: Any) -> Any:
        if inspect.isawaitable(result):
            assert self.loop is not None
            return self.loop.run_until_complete(result)
        return result


@pytest.fixture
def server(pkg: Any) -> Any:
    return pkg.testing.FakeJobServer()


@pytest.fixture(params=["sync", "async"])
def call(request: pytest.FixtureRequest, server: Any) -> Iterator[Calls]:
    if request.param == "sync":
        client = server.client()
        yield Calls(client, None)
        client.close()
    else:
        loop = asyncio.new_event_loop()
        client = server.async_client()
        yield Calls(client, loop)
        loop.run_until_complete(client.aclose())
        loop.close()


def started(pkg: Any, call: Calls) -> dict[str, Any]:
    """One job of every family, each started through its own creator."""
    jobs = call.client.jobs
    return {
        "exports": call(jobs.exports.create(body=EXPORT)),
        "pcm_jobs": call(jobs.pcm_jobs.create_product_import(file=("shoes.csv", b"sku\n"))),
        "promotion_jobs": call(jobs.promotion_jobs.create(body=PROMOTION_JOB, promotion_id="p1")),
        "subscription_jobs": call(jobs.subscription_jobs.create(body=BILLING_RUN)),
        "subscription_imports": call(
            jobs.subscription_imports.create(import_file=("plans.jsonl", b"{}\n"))
        ),
    }


def test_every_family_runs_through_the_fake_on_the_specs_own_models(
    pkg: Any, call: Calls, server: Any
) -> None:
    jobs = started(pkg, call)
    assert sorted(jobs) == sorted(server.apis)
    for family, job in jobs.items():
        model = call.client.jobs.profiles[family].model
        snapshots = [job, *[call(call.client.jobs.refresh(job)) for _ in range(3)]]
        assert [s.status.value for s in snapshots] == [
            "pending",
            "running",
            "succeeded",
            "succeeded",
        ], family
        for snapshot in snapshots:
            assert snapshot.model is not None, (family, snapshot.raw)
            model.model_validate(snapshot.raw)  # every field the spec requires is there
    # Subscription jobs and imports require owner, timestamps and (imports) record counts.
    imported = jobs["subscription_imports"].raw["meta"]
    assert set(imported) >= {"owner", "timestamps", "records"}
    assert imported["records"]["uploaded"]["subscription_plan"] == 0
    assert jobs["pcm_jobs"].kind == "product-import"  # the creator's kind, as the spec names it


def test_status_words_are_the_specs_own(pkg: Any, call: Calls, server: Any) -> None:
    words = {
        family: [job.raw_status] + [snapshot.raw_status for snapshot in call_watch(call, job)]
        for family, job in started(pkg, call).items()
    }
    assert words == {
        "exports": ["pending", "started", "success"],
        "pcm_jobs": ["pending", "started", "success"],
        "promotion_jobs": ["pending", "processing", "completed"],
        "subscription_jobs": ["pending", "started", "success"],
        "subscription_imports": ["pending", "started", "success"],
    }


def call_watch(call: Calls, job: Any) -> list[Any]:
    snapshots = call.client.jobs.watch(job, timeout=600)
    if call.loop is None:
        return list(snapshots)

    async def collect() -> list[Any]:
        return [snapshot async for snapshot in snapshots]

    return call.loop.run_until_complete(collect())


def test_a_price_book_import_is_read_through_the_pcm_jobs(
    pkg: Any, call: Calls, server: Any
) -> None:
    job = call(call.client.jobs.pcm_jobs.create_pricebook_import())
    (create,) = server.requests_for(operation="create")
    assert (create.method, create.path) == ("POST", "/pcm/pricebooks/import")
    # The price books spec's create response requires more than PIM's job: it validated (the
    # generated method checks it), and later reads through /pcm/jobs keep those values.
    assert job.model is not None and job.raw["meta"]["x_request_id"]
    done = call(call.client.jobs.wait(job, timeout=600))
    assert done.status is pkg.JobStatus.SUCCEEDED and done.model is not None
    reads = {r.path for r in server.requests_for(operation="get")}
    assert reads == {f"/pcm/jobs/{job.id}"}


def test_a_subscription_job_cancelled_by_delete_is_gone(pkg: Any, call: Calls, server: Any) -> None:
    job = call(call.client.jobs.subscription_jobs.create(body=BILLING_RUN))
    cancelled = call(call.client.jobs.subscription_jobs.cancel(job))
    assert cancelled.status is pkg.JobStatus.CANCELLED and cancelled.raw_status == "cancelled"
    (delete,) = server.requests_for(operation="cancel")
    assert delete.method == "DELETE" and delete.path == f"/subscriptions/jobs/{job.id}"
    with pytest.raises(pkg.NotFoundError):
        call(call.client.jobs.subscription_jobs.get(job.id))


def test_the_import_upload_refuses_a_json_body(pkg: Any, server: Any) -> None:
    with httpx.Client(transport=server.transport(), base_url=server.base_url) as http:
        refused = http.post("/subscriptions/imports", json={"external_ref": "x"})
        no_file = http.post("/subscriptions/imports", files={"external_ref": (None, "x")})
        accepted = http.post("/subscriptions/imports", files={"import_file": ("a.jsonl", b"{}")})
    assert refused.status_code == 415 and accepted.status_code == 201
    assert no_file.status_code == 400  # `import_file` is required
    assert [job.api for job in server.jobs] == ["subscription_imports"]


def test_every_family_at_once_takes_a_list_call_per_family_and_round(
    pkg: Any, call: Calls, server: Any
) -> None:
    jobs = [job for _ in range(3) for job in started(pkg, call).values()]
    server.requests.clear()
    done = call(call.client.jobs.wait_all(jobs, timeout=600))
    assert [job.id for job in done] == [job.id for job in jobs]
    assert {job.status for job in done} == {pkg.JobStatus.SUCCEEDED}
    reads = server.requests_for(host="api")
    assert {r.operation for r in reads} == {"list"}
    assert len(reads) == len(server.apis) * 2  # two rounds: running, then succeeded
