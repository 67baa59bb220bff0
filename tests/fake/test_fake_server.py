"""The job facade's flows (wait, watch, cancel, download, resume, list) against `ep_jobs.testing`.

Every flow runs for each job API and on both `Jobs` and `AsyncJobs`, in memory (an httpx
transport), on the fake's virtual clock: nothing here really sleeps.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from ep_jobs import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientCredentials,
    InternalServerError,
    JobCancelledError,
    JobFailedError,
    JobOperationNotSupported,
    JobStatus,
    JobTimeoutError,
    NotFoundError,
    ResponseValidationError,
    UnprocessableEntityError,
)
from ep_jobs._base_client import SyncAPIClient
from ep_jobs._jobs import Endpoint, JobProfile, Jobs
from ep_jobs.testing import ApiShape, FakeJobServer, Raw, VirtualClock

from ..conftest import GENERATED
from .conftest import API_NAMES, PROMOTION, TOKEN, BlockingJobs, parents_of

pytestmark = pytest.mark.timeout(30)

CANCELLABLE = [api for api in API_NAMES if api != "exporter"]


def api_requests(server: FakeJobServer) -> list[Any]:
    return server.requests_for(host="api")


# -- wait, download, watch, resume: every API, sync and async --------------------------------------


@pytest.mark.parametrize("api", API_NAMES)
def test_wait_then_download_every_result_file(
    api: str, server: FakeJobServer, jobs: BlockingJobs, tmp_path: Path
) -> None:
    files = {"result.csv": b"id,total\n1,9.99\n"}
    job = jobs.start(server, api, ["pending", "running", "succeeded"], files=files)
    assert job.status is JobStatus.PENDING

    final = jobs.wait(job, timeout=600)

    assert final.status is JobStatus.SUCCEEDED
    assert final.raw_status == server.job(job.id).raw_status  # the API's own word
    assert final.model is not None  # what the fake sends validates against the typed model
    assert final.parents == parents_of(api)
    # One step per poll: two polls from pending to succeeded, one sleep between them.
    polls = [r for r in api_requests(server) if r.operation in ("get", "list")]
    assert len(polls) == 2
    assert len(server.clock.sleeps) == 1 and server.clock.now() == server.clock.sleeps[0]

    paths = jobs.download(final, tmp_path)

    assert [p.read_bytes() for p in paths] == [files["result.csv"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.csv"]
    downloads = server.requests_for(operation="download")
    assert len(downloads) == 1 and downloads[0].authorization is None  # storage is another host
    assert {r.authorization for r in api_requests(server)} == {f"Bearer {TOKEN}"}


@pytest.mark.parametrize("api", API_NAMES)
def test_watch_yields_each_status_change_once(
    api: str, server: FakeJobServer, jobs: BlockingJobs
) -> None:
    job = jobs.start(server, api, ["pending", "pending", "running", "running", "succeeded"])

    seen = jobs.watch(job, timeout=600)

    profile = server.profile(api)
    words = [profile.status_of(s.raw_status) for s in seen]
    assert words == [JobStatus.RUNNING, JobStatus.SUCCEEDED]
    assert seen[-1].is_terminal
    assert server.job(job.id).reads == 4  # every poll was a read, each moved the job on


@pytest.mark.parametrize("api", API_NAMES)
def test_failed_job_raises_with_the_apis_error_messages(
    api: str, server: FakeJobServer, jobs: BlockingJobs
) -> None:
    errors = ["data.attributes.sku: Must be unique amongst products.", "row 7: bad price"]
    job = jobs.start(server, api, ["pending", "running", "failed"], errors=errors)

    with pytest.raises(JobFailedError) as failed:
        jobs.wait(job)

    profile = server.profile(api)
    # PCM lists every message on its errors endpoint; the others carry one `error` field.
    expected = errors if profile.errors is not None else errors[:1]
    assert failed.value.errors == expected
    assert failed.value.job is not None and failed.value.job.status is JobStatus.FAILED
    assert bool(server.requests_for(api=api, operation="errors")) == (profile.errors is not None)
    assert jobs.wait(job, raise_on_failure=False).status is JobStatus.FAILED


@pytest.mark.parametrize("api", API_NAMES)
def test_resume_token_rebuilds_the_job_in_another_client(
    api: str, server: FakeJobServer, make_jobs: Any
) -> None:
    first = make_jobs()
    job = first.start(server, api)
    token = job.resume_token
    first.close()

    other = make_jobs()
    resumed = other.resume(token)

    assert (resumed.api, resumed.id, resumed.parents) == (api, job.id, parents_of(api))
    assert resumed.status is JobStatus.RUNNING  # the resume read the job: one step on
    assert other.wait(resumed).status is JobStatus.SUCCEEDED


# -- cancel ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("api", CANCELLABLE)
def test_cancel_a_pending_job_ends_cancelled(
    api: str, server: FakeJobServer, jobs: BlockingJobs
) -> None:
    job = jobs.start(server, api, ["pending", "running", "succeeded"])

    answered = jobs.cancel(job)

    # Promotions pass through `cancelling`; PCM is cancelled at once.
    expected = JobStatus.CANCELLING if api == "promotions" else JobStatus.CANCELLED
    assert answered.status is expected
    with pytest.raises(JobCancelledError):
        jobs.wait(answered)
    final = jobs.refresh(answered)
    assert final.status is JobStatus.CANCELLED
    assert server.job(job.id).raw_status == "cancelled"
    assert len(server.requests_for(api=api, operation="cancel")) == 1


def test_exporter_jobs_cannot_be_cancelled(server: FakeJobServer, jobs: BlockingJobs) -> None:
    job = jobs.start(server, "exporter")

    with pytest.raises(JobOperationNotSupported):
        jobs.cancel(job)

    assert server.requests_for(operation="cancel") == []  # refused before any request
    # And the API itself has no such route.
    with pytest.raises(NotFoundError):
        jobs.run(jobs.client.request("POST", f"/v2/jobs/{job.id}/cancel", json={}))


def test_pcm_refuses_to_cancel_a_started_job(server: FakeJobServer, jobs: BlockingJobs) -> None:
    job = jobs.start(server, "pcm", ["pending", "started"])
    server.advance(job.id)  # the job started after the client's snapshot

    with pytest.raises(UnprocessableEntityError) as refused:
        jobs.cancel(job)  # the snapshot says pending, so the client asks; the API says no

    assert refused.value.errors[0].status == 422
    assert '"status":"422"' in refused.value.body  # PCM spells error statuses as strings
    assert server.job(job.id).raw_status == "started"
    with pytest.raises(JobOperationNotSupported):
        jobs.cancel(jobs.refresh(job))  # a fresh snapshot: refused without asking


@pytest.mark.parametrize("api", CANCELLABLE)
def test_wait_timeout_cancels_when_asked(
    api: str, server: FakeJobServer, jobs: BlockingJobs
) -> None:
    job = jobs.start(server, api, ["pending"])  # never leaves pending

    with pytest.raises(JobTimeoutError) as timed_out:
        jobs.wait(job, timeout=60, cancel_on_timeout=True)

    assert "cancel requested" in str(timed_out.value)
    assert server.job(job.id).status in (JobStatus.CANCELLING, JobStatus.CANCELLED)
    assert server.clock.now() == pytest.approx(60)  # virtual time: never slept past the deadline
    assert sum(server.clock.sleeps) == pytest.approx(server.clock.now())


# -- lists and paging ------------------------------------------------------------------------------


def test_promotions_list_pages_and_wait_finds_a_job_on_a_later_page(make_jobs: Any) -> None:
    fake = FakeJobServer(token=TOKEN, page_size=2)
    jobs = make_jobs(fake)
    created = [fake.add_job("promotions", promotionID=PROMOTION) for _ in range(5)]
    fake.add_job("promotions", promotionID="another-promotion")

    listed = jobs.list("promotions", promotionID=PROMOTION)

    assert [j.id for j in listed] == [j.id for j in created]
    offsets = [r.url for r in fake.requests_for(operation="list")]
    assert len(offsets) == 3 and "page%5Boffset%5D=4" in offsets[-1]
    fake.requests.clear()

    final = jobs.wait(listed[-1])  # no get endpoint: each poll scans the pages

    assert final.status is JobStatus.SUCCEEDED
    assert len(fake.requests_for(operation="list")) == 3  # the job is on page 3: one poll


def test_list_filter_matches_the_documented_complete_spelling(
    server: FakeJobServer, jobs: BlockingJobs
) -> None:
    done = server.add_job("promotions", status_script=["completed"], promotionID=PROMOTION)
    server.add_job("promotions", status_script=["pending"], promotionID=PROMOTION)

    found = jobs.list("promotions", promotionID=PROMOTION, params={"filter": "eq(status,complete)"})

    assert [j.id for j in found] == [done.id]


def test_get_of_a_missing_job_is_not_found_on_every_api(
    server: FakeJobServer, jobs: BlockingJobs
) -> None:
    for api in API_NAMES:
        with pytest.raises(NotFoundError):
            jobs.get(api, "no-such-job", **parents_of(api))
    # A promotions job is only found under its own promotion.
    job = server.add_job("promotions", promotionID=PROMOTION)
    with pytest.raises(NotFoundError):
        jobs.get("promotions", job.id, promotionID="another-promotion")


# -- the wire shapes each API really uses -----------------------------------------------------------


def raw_http(server: FakeJobServer) -> httpx.Client:
    return httpx.Client(
        transport=server.transport(),
        base_url=server.base_url,
        headers={"Authorization": f"Bearer {TOKEN}"},
    )


def test_each_api_answers_with_its_own_envelopes_and_quirks(server: FakeJobServer) -> None:
    with raw_http(server) as http:
        created = http.post("/v2/jobs", json={"data": {"type": "job", "job_type": "order_export"}})
        promo = http.post(f"/v2/promotions/{PROMOTION}/jobs", json={"type": "promotion_job"})
        pcm = server.add_job("pcm")
        missing = {
            "exporter": http.get("/v2/jobs/nope"),
            "pcm": http.get("/pcm/jobs/nope"),
            "promotions": http.post(f"/v2/promotions/{PROMOTION}/jobs/nope/cancel"),
        }
        pcm_job = http.get(f"/pcm/jobs/{pcm.id}").json()

    # The exporter's create: 202 and `data` as a one-element array, timestamps with 9 digits.
    assert created.status_code == 202
    data = created.json()["data"]
    assert isinstance(data, list) and len(data) == 1 and data[0]["status"] == "pending"
    assert len(data[0]["timestamps"]["created_at"].rpartition(".")[2]) == len("123456789Z")
    assert data[0]["link"] == {"href": ""}
    # Promotions: 201, flat job with `promotion_id` and `meta.timestamps`.
    assert promo.status_code == 201
    promo_job = promo.json()["data"]
    assert (
        promo_job["promotion_id"] == PROMOTION and "created_at" in promo_job["meta"]["timestamps"]
    )
    # PCM: `attributes` + `meta`, explicit nulls until started.
    attributes = pcm_job["data"]["attributes"]
    assert pcm_job["data"]["type"] == "pim-job"
    assert attributes["status"] == "started" and attributes["completed_at"] is None
    # Error envelopes: a bare 404 object, string statuses, `errors` as one object.
    assert missing["exporter"].json() == {
        "status": 404,
        "title": "Not Found",
        "detail": "job not found",
    }
    assert missing["pcm"].json()["errors"][0]["status"] == "404"
    assert missing["promotions"].json()["errors"]["status"] == 404


def test_typed_operations_validate_what_the_fake_sends(server: FakeJobServer) -> None:
    with server.client() as client:
        created = client.exporter.jobs.create_job(body={"data": {"job_type": "order_export"}})
        assert created.data is not None and len(created.data) == 1
        listed = client.promotions.promotion_jobs.get_promotion_jobs(PROMOTION)
        assert listed.data == [] and listed.meta is not None
        failed = server.add_job("pcm", status_script=["failed"], errors=["bad row"])
        errors = client.pcm.jobs.get_job_errors(failed.id)
        assert errors.data is not None and errors.data[0].attributes is not None
        assert errors.data[0].attributes.message == "bad row"


def test_wrong_method_on_a_known_path_is_405(server: FakeJobServer) -> None:
    with raw_http(server) as http:
        response = http.delete("/v2/jobs")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "POST"}


# -- injected faults -------------------------------------------------------------------------------


@pytest.mark.parametrize("api", API_NAMES)
def test_a_429_on_a_poll_is_retried_after_retry_after(
    api: str, server: FakeJobServer, jobs: BlockingJobs
) -> None:
    job = jobs.start(server, api)
    poll = "list" if api == "promotions" else "get"
    server.fail_next(429, retry_after=7, api=api, operation=poll)

    assert jobs.wait(job).status is JobStatus.SUCCEEDED

    assert 7.0 in server.clock.sleeps  # the client's retry honoured Retry-After
    assert server.pending_faults == 0
    assert server.job(job.id).reads == 2  # the refused poll did not move the job


def test_wait_never_sleeps_past_its_deadline_even_for_retry_after(
    server: FakeJobServer, jobs: BlockingJobs
) -> None:
    job = jobs.start(server, "pcm", ["pending"])
    server.fail_next(429, retry_after=50, operation="get")

    with pytest.raises(JobTimeoutError):
        jobs.wait(job, timeout=5)

    assert server.clock.now() <= 5


def test_a_post_is_not_retried_after_a_503(server: FakeJobServer, jobs: BlockingJobs) -> None:
    server.fail_next(503, operation="create")

    with pytest.raises(InternalServerError):
        jobs.create("exporter", {"data": {"job_type": "order_export"}})

    assert len(server.requests_for(operation="create")) == 1 and server.jobs == []


def test_a_refused_connection_is_retried_even_for_a_post(
    server: FakeJobServer, jobs: BlockingJobs
) -> None:
    server.disconnect_next(operation="create")

    job = jobs.create("exporter", {"data": {"job_type": "order_export"}})

    assert len(server.requests_for(operation="create")) == 2
    assert [j.id for j in server.jobs] == [job.id]  # exactly one job


def test_a_create_whose_answer_is_lost_is_not_repeated(
    server: FakeJobServer, jobs: BlockingJobs
) -> None:
    server.stall_next(operation="create")

    with pytest.raises(APITimeoutError):
        jobs.create("exporter", {"data": {"job_type": "order_export"}})

    # The server made the job; repeating the POST would have made a second one.
    assert len(server.jobs) == 1 and len(server.requests_for(operation="create")) == 1


def test_a_malformed_poll_answer_raises_response_validation_error(
    server: FakeJobServer, jobs: BlockingJobs
) -> None:
    job = jobs.start(server, "pcm")
    server.garble_next(operation="get")

    with pytest.raises(ResponseValidationError) as bad:
        jobs.wait(job)

    assert bad.value.body is not None and bad.value.body.startswith('{"data":')


@pytest.mark.parametrize("api", API_NAMES)
def test_a_download_cut_mid_body_leaves_no_file(
    api: str, server: FakeJobServer, jobs: BlockingJobs, tmp_path: Path
) -> None:
    # Only PCM lists several files (`meta.file_locations[]`); the others link to one.
    names = ["a.csv", "b.csv"] if api == "pcm" else ["a.csv"]
    job = jobs.wait(jobs.start(server, api, files={name: b"x" * 100 for name in names}))
    server.cut_next(40, operation="download", path=f"*/{names[-1]}")

    with pytest.raises(APIConnectionError):
        jobs.download(job, tmp_path)

    assert len(server.requests_for(operation="download")) == len(names)
    assert list(tmp_path.iterdir()) == []  # no complete file, and no partial one


def test_a_wrong_token_is_rejected(make_jobs: Any, server: FakeJobServer) -> None:
    jobs = make_jobs(auth="not-the-token")

    with pytest.raises(AuthenticationError):
        jobs.get("pcm", server.add_job("pcm").id)


def test_client_credentials_get_a_token_from_the_fake(make_jobs: Any) -> None:
    fake = FakeJobServer(token="issued-token", client_credentials=("id-1", "secret-1"))
    jobs = make_jobs(fake, auth=ClientCredentials("id-1", "secret-1"))

    job = jobs.get("pcm", fake.add_job("pcm").id)

    assert job.status is JobStatus.RUNNING
    token_requests = fake.requests_for(operation="token")
    assert len(token_requests) == 1 and token_requests[0].authorization is None
    assert fake.requests_for(operation="get")[0].authorization == "Bearer issued-token"


def test_storage_refuses_a_request_that_carries_credentials(
    server: FakeJobServer, jobs: BlockingJobs
) -> None:
    fake_job = server.add_job("pcm", status_script=["success"])
    (url,) = server.file_urls(fake_job)

    with pytest.raises(BadRequestError):
        jobs.run(_read_with_credentials(jobs.client, url))


def _read_with_credentials(client: Any, url: str) -> Any:
    # `authenticate=True` to a foreign host: what the runtime must never do by itself.
    if not hasattr(client, "astream"):
        with client.stream("GET", url, authenticate=True) as response:
            return response.read()

    async def read() -> bytes:
        async with client.astream("GET", url, authenticate=True) as response:
            return await response.aread()

    return read()


def test_credentials_in_default_headers_do_not_reach_storage(
    make_jobs: Any, server: FakeJobServer, tmp_path: Path
) -> None:
    jobs = make_jobs(default_headers={"Authorization": f"Bearer {TOKEN}"})
    job = jobs.wait(jobs.start(server, "pcm"))

    (path,) = jobs.download(job, tmp_path)  # the fake's storage answers 400 to a leaked header

    assert path.stat().st_size > 0
    assert server.requests_for(operation="download")[0].authorization is None
    assert server.requests_for(operation="get")[0].authorization == f"Bearer {TOKEN}"


# -- driven by profiles: a new API needs no code -------------------------------------------------


REPORTS = JobProfile(
    api="reports",
    resource_type="report-run",
    job_param="runId",
    parent_params=("storeId",),
    envelope="result",
    create=Endpoint("POST", "/stores/{storeId}/report-runs"),
    list=None,
    get=Endpoint("GET", "/stores/{storeId}/report-runs/{runId}"),
    cancel=Endpoint("DELETE", "/stores/{storeId}/report-runs/{runId}"),
    errors=None,
    file=None,
    fields={
        "id": "run.key",
        "kind": "run.report",
        "status": "state.phase",
        "created_at": "state.since",
        "error": "state.reason",
        "result_links": "outputs[]",
    },
    file_link=None,
    error_messages=None,
    cancellable=(),
    statuses={
        "QUEUED": JobStatus.PENDING,
        "BUSY": JobStatus.RUNNING,
        "READY": JobStatus.SUCCEEDED,
        "BROKEN": JobStatus.FAILED,
        "STOPPED": JobStatus.CANCELLED,
    },
)


def test_a_new_job_api_is_simulated_from_its_profile_alone(tmp_path: Path) -> None:
    clock = VirtualClock()
    fake = FakeJobServer({"reports": REPORTS}, clock=clock)
    http = httpx.Client(transport=fake.transport())
    client = SyncAPIClient(base_url=fake.base_url, auth="t", http_client=http)
    jobs = Jobs(client, {"reports": REPORTS}, clock=clock.now, sleep=clock.sleep)
    try:
        fake.script_next("reports", ["QUEUED", "BUSY", Raw("WARMING"), "READY"])
        job = jobs.create("reports", {"result": {"run": {"report": "sales"}}}, storeId="s1")
        assert (job.kind, job.raw_status, job.status) == ("sales", "QUEUED", JobStatus.PENDING)
        assert fake.requests[0].json() == {"result": {"run": {"report": "sales"}}}

        seen = [j.raw_status for j in jobs.watch(job, timeout=600)]
        assert seen == ["BUSY", "WARMING", "READY"]  # an unknown word counts as running

        final = jobs.refresh(job)
        assert final.created_at is not None
        (path,) = jobs.download(final, tmp_path)
        assert path.read_bytes().startswith(b"id,api,kind\n")

        other = jobs.create("reports", {}, storeId="s1")
        assert jobs.cancel(other).status is JobStatus.CANCELLED  # DELETE, from the profile
    finally:
        client.close()
        http.close()


def test_a_shape_overrides_what_models_would_say(tmp_path: Path) -> None:
    fake = FakeJobServer(shapes={"pcm": ApiShape(error_status="int", timestamp_digits=0)})
    with raw_http(fake) as http:
        body = http.get(f"/pcm/jobs/{fake.add_job('pcm').id}").json()
        missing = http.get("/pcm/jobs/nope").json()
    assert body["data"]["attributes"]["created_at"] == "2024-01-01T00:00:00Z"
    assert missing["errors"][0]["status"] == 404


def test_a_script_with_an_unknown_word_is_refused() -> None:
    fake = FakeJobServer()
    with pytest.raises(ValueError, match="Raw"):
        fake.add_job("pcm", status_script=["pending", "sucess"])
    with pytest.raises(ValueError, match="no status word for 'cancelled'"):
        fake.script_next("exporter", ["pending", "cancelled"])
    with pytest.raises(TypeError, match="promotionID"):
        fake.add_job("promotions")


def test_the_readme_example_runs(tmp_path: Path) -> None:
    readme = (GENERATED / "README.md").read_text()
    section = readme.split("## Testing your code", 1)[1]
    (example,) = re.findall(r"```python\n(.+?)\n```", section, re.S)[:1]
    namespace: dict[str, Any] = {}
    exec(compile(example, "README.md", "exec"), namespace)
    namespace["test_order_export"](tmp_path)
    assert (tmp_path / "orders.csv").read_bytes() == b"id\n1\n"
