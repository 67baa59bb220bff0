"""Many jobs at once: `client.jobs.wait_all` and `client.jobs.as_completed`, sync and async, against
`ep_jobs.testing` on its virtual clock. What is counted is the API calls each poll round makes."""

from __future__ import annotations

from typing import Any

import pytest
from ep_jobs import (
    Job,
    JobCancelledError,
    JobFailedError,
    JobStatus,
    JobStatusUnknownError,
    JobTimeoutError,
    NotFoundError,
    RateLimitError,
)
from ep_jobs.testing import FakeJobServer, Raw

from .conftest import CREATE_BODIES, BlockingJobs

pytestmark = pytest.mark.timeout(30)


def completed(jobs: BlockingJobs, group: list[Job], **options: Any) -> list[Job]:
    """`as_completed` of a sync or an async client, collected."""
    options.setdefault("timeout", 3600)
    found = jobs.client.jobs.as_completed(group, **options)
    if jobs.loop is None:
        return list(found)

    async def collect() -> list[Job]:
        return [job async for job in found]

    return jobs.loop.run_until_complete(collect())


def exports(
    jobs: BlockingJobs, server: FakeJobServer, count: int, *scripts: list[str]
) -> list[Job]:
    for script in scripts:
        server.script_next("exporter", script)
    return [jobs.create("exporter", CREATE_BODIES["exporter"]) for _ in range(count)]


def promotion_jobs(jobs: BlockingJobs, promotion: str, count: int) -> list[Job]:
    return [
        jobs.create("promotions", CREATE_BODIES["promotions"], promotionID=promotion)
        for _ in range(count)
    ]


def polls(server: FakeJobServer) -> list[tuple[str, str, str]]:
    return [
        (r.method, r.path, r.url.partition("?")[2])
        for r in server.requests_for(host="api")
        if r.operation in ("get", "list", "errors")
    ]


# -- one list call per family and parents per round ---------------------------------------------


def test_one_list_call_per_family_and_parents_per_round(
    server: FakeJobServer, jobs: BlockingJobs
) -> None:
    group = exports(jobs, server, 12)
    group += promotion_jobs(jobs, "summer", 5) + promotion_jobs(jobs, "winter", 4)
    imports = [server.add_job("pcm") for _ in range(6)]
    group += [jobs.from_response("pcm", server.response_body(job)) for job in imports]
    server.requests.clear()

    done = jobs.wait_all(group, timeout=3600)

    assert [job.id for job in done] == [job.id for job in group]  # input order
    assert {job.status for job in done} == {JobStatus.SUCCEEDED}
    one_round = [
        ("GET", "/v2/jobs", ""),
        ("GET", "/v2/promotions/summer/jobs", ""),
        ("GET", "/v2/promotions/winter/jobs", ""),
        ("GET", "/pcm/jobs", ""),
    ]
    # pending -> running -> succeeded: two rounds of four calls, for 27 jobs.
    assert polls(server) == one_round * 2


def test_the_per_job_loop_it_replaces_makes_a_call_per_job(
    server: FakeJobServer, jobs: BlockingJobs
) -> None:
    # The bound the group poll is measured against (see bench/many_jobs.py).
    group = exports(jobs, server, 12)
    server.requests.clear()
    for job in group:
        jobs.wait(job)
    assert len(polls(server)) == 12 * 2


def test_paging_stops_once_every_wanted_job_was_seen(
    server: FakeJobServer, jobs: BlockingJobs
) -> None:
    group = promotion_jobs(jobs, "summer", 30)  # two pages of 25 in the fake
    server.requests.clear()
    jobs.wait_all(group[:3], timeout=3600)  # all on the first page
    assert polls(server) == [("GET", "/v2/promotions/summer/jobs", "")] * 2
    server.requests.clear()
    jobs.wait_all(group[-2:], timeout=3600)  # both on the second page
    first, second = "", "page%5Boffset%5D=25&page%5Blimit%5D=25"
    assert [query for _, _, query in polls(server)] == [first, second] * 2


def test_a_job_missing_from_the_list_is_read_alone(
    server: FakeJobServer, jobs: BlockingJobs
) -> None:
    group = exports(jobs, server, 3)
    gone = group[1]
    del server._store.jobs[gone.id]  # deleted behind the client's back
    server.requests.clear()

    outcomes = jobs.wait_all(group, timeout=3600, return_exceptions=True)

    assert isinstance(outcomes[1], NotFoundError)
    assert [outcomes[0].status, outcomes[2].status] == [JobStatus.SUCCEEDED] * 2
    assert polls(server)[:2] == [("GET", "/v2/jobs", ""), ("GET", f"/v2/jobs/{gone.id}", "")]
    assert polls(server)[2:] == [("GET", "/v2/jobs", "")]


def test_a_list_only_family_reports_a_missing_job_without_a_get(
    server: FakeJobServer, jobs: BlockingJobs
) -> None:
    group = promotion_jobs(jobs, "summer", 2)
    del server._store.jobs[group[0].id]
    with pytest.raises(NotFoundError, match="not in the job list of promotionID=summer"):
        jobs.wait_all(group, timeout=3600)


def test_a_lone_job_is_read_with_a_get(server: FakeJobServer, jobs: BlockingJobs) -> None:
    (job,) = exports(jobs, server, 1)
    server.requests.clear()
    jobs.wait_all([job], timeout=3600)
    assert polls(server) == [("GET", f"/v2/jobs/{job.id}", "")] * 2


# -- rate limits: the whole group waits ------------------------------------------------------------


def test_a_429_delays_the_next_round_for_the_whole_group(
    server: FakeJobServer, jobs: BlockingJobs
) -> None:
    group = exports(jobs, server, 4) + promotion_jobs(jobs, "summer", 4)
    server.requests.clear()
    server.fail_next(429, retry_after=40, api="exporter", operation="list")

    done = jobs.wait_all(group, timeout=3600, initial_delay=1, max_delay=1)

    assert {job.status for job in done} == {JobStatus.SUCCEEDED}
    assert server.clock.sleeps[0] >= 40  # the delay asked for, not the 1 s backoff
    assert all(sleep <= 1 for sleep in server.clock.sleeps[1:])
    rounds = polls(server)
    assert rounds[0] == ("GET", "/v2/jobs", "")
    if jobs.loop is None:  # in turn: the promotions list is not sent into the rate limit
        assert rounds[1] == ("GET", "/v2/jobs", "")


def test_rate_limits_beyond_the_retry_budget_fail_the_jobs_read(
    server: FakeJobServer, jobs: BlockingJobs
) -> None:
    group = exports(jobs, server, 2)
    server.fail_next(429, times=10, operation="list")
    with pytest.raises(RateLimitError):
        jobs.wait_all(group, timeout=3600)
    assert len(server.requests_for(operation="list")) == 3  # the client's max_retries is 2


# -- outcomes --------------------------------------------------------------------------------------


def test_as_completed_yields_each_job_as_it_ends(server: FakeJobServer, jobs: BlockingJobs) -> None:
    slow, failing, quick = exports(
        jobs,
        server,
        3,
        ["pending", "started", "started", "started", "success"],
        ["pending", "started", "failed"],
        ["pending", "success"],
    )
    ended = completed(jobs, [slow, failing, quick])
    assert [job.id for job in ended] == [quick.id, failing.id, slow.id]
    assert [job.raw_status for job in ended] == ["success", "failed", "success"]


def test_as_completed_yields_jobs_already_ended_first(
    server: FakeJobServer, jobs: BlockingJobs
) -> None:
    (running,) = exports(jobs, server, 1)
    finished = jobs.wait(exports(jobs, server, 1)[0])
    server.requests.clear()
    assert [job.id for job in completed(jobs, [running, finished])] == [finished.id, running.id]


def test_wait_all_raises_the_first_failure_with_its_messages(
    server: FakeJobServer, jobs: BlockingJobs
) -> None:
    server.script_next("exporter", ["pending", "failed"], errors=["no orders match"])
    group = [jobs.create("exporter", CREATE_BODIES["exporter"]), *exports(jobs, server, 2)]
    with pytest.raises(JobFailedError, match="no orders match") as failed:
        jobs.wait_all(group, timeout=3600)
    assert failed.value.job.id == group[0].id


def test_wait_all_can_return_every_outcome_in_input_order(
    server: FakeJobServer, jobs: BlockingJobs
) -> None:
    ok = exports(jobs, server, 1)
    server.script_next("promotions", ["pending", "cancelled"])
    cancelled = promotion_jobs(jobs, "summer", 1)
    server.script_next("exporter", ["pending", "started"])  # never ends
    stuck = exports(jobs, server, 1)
    outcomes = jobs.wait_all(ok + cancelled + stuck, timeout=60, return_exceptions=True)
    assert isinstance(outcomes[0], Job) and outcomes[0].status is JobStatus.SUCCEEDED
    assert isinstance(outcomes[1], JobCancelledError) and outcomes[1].job.id == cancelled[0].id
    assert isinstance(outcomes[2], JobTimeoutError) and outcomes[2].job.raw_status == "started"
    assert "1 of 3 jobs of the group had not finished" in str(outcomes[2])
    assert server.clock.now() >= 60


def test_as_completed_raises_at_the_deadline(server: FakeJobServer, jobs: BlockingJobs) -> None:
    server.script_next("exporter", ["pending", "started"])
    group = exports(jobs, server, 1) + exports(jobs, server, 1)
    with pytest.raises(JobTimeoutError) as timed_out:
        completed(jobs, group, timeout=30)
    assert timed_out.value.job.id == group[0].id


def test_an_empty_group_makes_no_call(server: FakeJobServer, jobs: BlockingJobs) -> None:
    server.requests.clear()
    assert jobs.wait_all([]) == []
    assert completed(jobs, []) == []
    assert server.requests == []


def test_a_status_nobody_mapped_ends_that_jobs_wait_only(
    server: FakeJobServer, jobs: BlockingJobs
) -> None:
    odd, stuck, fine = exports(
        jobs,
        server,
        3,
        ["pending", Raw("queued"), "success"],  # an unmapped word for a while, then done
        ["pending", *[Raw("rebuffering")] * 100],
        ["pending", "started", "started", "started", "started", "success"],
    )
    outcomes = jobs.wait_all(
        [odd, stuck, fine], return_exceptions=True, unknown_status_limit=2, max_delay=1
    )
    assert outcomes[0].raw_status == "success" and outcomes[2].raw_status == "success"
    assert isinstance(outcomes[1], JobStatusUnknownError)
    assert outcomes[1].word == "rebuffering" and outcomes[1].limit == 2


def test_no_family_name_can_hide_a_method_of_the_facade() -> None:
    from ep_jobs._jobs import AsyncFamilyJobs, AsyncJobs, FamilyJobs, Jobs

    from generator.normalise.check import RESERVED_NAMES

    public = {
        name
        for owner in (Jobs, AsyncJobs, FamilyJobs, AsyncFamilyJobs)
        for name in vars(owner)
        if not name.startswith("_")
    }
    assert {"wait_all", "as_completed"} <= public
    assert public - {"name", "profile"} <= RESERVED_NAMES


def test_an_accessor_waits_for_many_jobs_of_its_family(
    server: FakeJobServer, jobs: BlockingJobs
) -> None:
    group = exports(jobs, server, 3)
    accessor = jobs.client.jobs.exporter
    done = jobs.run(accessor.wait_all(group, timeout=3600))
    assert [job.status for job in done] == [JobStatus.SUCCEEDED] * 3
    promotion = promotion_jobs(jobs, "summer", 1)
    with pytest.raises(ValueError, match="is a promotions job, not a exporter job"):
        jobs.run(accessor.wait_all(group + promotion))
