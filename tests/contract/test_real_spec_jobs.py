"""The normalised jobs facade of a client generated from the published specs, against Prism.

Every job family the built-in profiles give the published specs (exporter, PCM jobs with their
creators, promotions, subscription imports) is driven through `client.jobs.<family>`, sync
and async: create, get, list, cancel and errors where the family has them. Prism checks every
request against the spec (a request it finds invalid, or answers with an error, fails the test) and
answers with the spec's own examples, so each `Job` must come out of the documented answers with its
id and a canonical status.

Two creators of the built-in PCM profile go beyond what the published specs document, so Prism,
which serves only what they document, cannot answer them: the price book import (its spec documents
no request body: Prism refuses the upload with 415) and the child-product build (its 201 documents
no body, so Prism sends none). Subscription jobs are left out too: their spec has no examples, and
the answers Prism makes up from the schema have no status (it is optional there), which the client
rightly refuses (`JobPayloadError`). All three run against the fake (tests/test_builtin_profiles.py).
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Awaitable, Callable, Iterator
from types import ModuleType
from typing import Any

import httpx
import pytest

from ..conftest import REAL_SPECS
from .conftest import PrismPool, PrismStartError
from .openapi_cases import violations

SPECS = ("exporter", "pim", "promotions", "subscriptions", "pricebooks")
PACKAGE = "ep_real_jobs"


@pytest.fixture(scope="module")
def real_jobs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The five published specs generated into one package, no profile given: the built-ins."""
    from generator.output import write_output
    from generator.pipeline import ad_hoc_config, run

    paths = [REAL_SPECS / f"{name}.yaml" for name in SPECS]
    if not all(p.is_file() for p in paths):
        pytest.skip(f"real specs not found in {REAL_SPECS}")
    out = tmp_path_factory.mktemp("real-jobs") / "build"
    result = run(ad_hoc_config(tuple(map(str, paths)), str(out), PACKAGE, (), False))
    write_output(result.files, out)
    sys.path.insert(0, str(out))
    importlib.invalidate_caches()
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def servers(prism: PrismPool) -> dict[str, str]:
    found = prism.try_urls([REAL_SPECS / f"{name}.yaml" for name in SPECS])
    urls: dict[str, str] = {}
    for path, url in found.items():
        if isinstance(url, PrismStartError):
            pytest.fail(f"Prism cannot load {path.name}: {url.prism_error}")
        urls[path.stem] = url
    return urls


class Calls:
    """Every response Prism gave, so that a request it found invalid fails the test."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, int, list[dict[str, Any]]]] = []

    def record(self, response: httpx.Response) -> None:
        request = response.request
        self.seen.append(
            (request.method, request.url.path, response.status_code, violations(response))
        )

    async def arecord(self, response: httpx.Response) -> None:
        self.record(response)

    def check(self) -> None:
        bad = [(m, p, s, v) for m, p, s, v in self.seen if v or s >= 400]
        assert not bad, f"Prism refused or found invalid: {bad}"


def drive(
    pkg: ModuleType,
    url: str,
    mode: str,
    scenario: Callable[[Any], Awaitable[None]],
) -> Calls:
    """Run `scenario(jobs)` with `client.jobs` of a client on `url`, sync or async (the sync
    facade's results are awaited through a wrapper, so one scenario serves both)."""
    calls = Calls()
    if mode == "sync":
        http = httpx.Client(event_hooks={"response": [calls.record]})
        with pkg.Client(base_url=url, auth="test-token", max_retries=0, http_client=http) as c:
            asyncio.run(scenario(_Awaitable(c.jobs)))
    else:

        async def main() -> None:
            http = httpx.AsyncClient(event_hooks={"response": [calls.arecord]})
            async with pkg.AsyncClient(
                base_url=url, auth="test-token", max_retries=0, http_client=http
            ) as client:
                await scenario(client.jobs)

        asyncio.run(main())
    calls.check()
    return calls


class _Awaitable:
    """A sync object seen through awaitable methods: `await x.get(...)` calls `get` now."""

    def __init__(self, target: Any) -> None:
        self._target = target

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if callable(value):

            async def call(*args: Any, **kwargs: Any) -> Any:
                return value(*args, **kwargs)

            return call
        return _Awaitable(value)


def check_job(pkg: ModuleType, job: Any, family: str) -> None:
    assert isinstance(job, pkg.Job)
    assert job.api == family
    assert job.id
    assert job.status in set(pkg.JobStatus), job.status


MODES = ["sync", "async"]


@pytest.mark.parametrize("mode", MODES)
def test_exporter_jobs(real_jobs: ModuleType, servers: dict[str, str], mode: str) -> None:
    async def scenario(jobs: Any) -> None:
        created = await jobs.exporter.create(body={"data": {"type": "order_export"}})
        check_job(real_jobs, created, "exporter")
        again = await jobs.exporter.get(created.id)
        check_job(real_jobs, again, "exporter")
        listed = await jobs.exporter.list()
        assert listed and all(check_job(real_jobs, j, "exporter") is None for j in listed)

    drive(real_jobs, servers["exporter"], mode, scenario)


@pytest.mark.parametrize("mode", MODES)
def test_pcm_jobs_and_their_creators(
    real_jobs: ModuleType, servers: dict[str, str], mode: str
) -> None:
    async def scenario(jobs: Any) -> None:
        pim = jobs.pim
        started = [
            await pim.create_product_import(file=("products.csv", b"sku,name\nshoe,Shoe\n")),
            await pim.create_product_export(body={}),
            await pim.create_hierarchy_duplicate(
                "hierarchy-1",
                body={"data": {"type": "hierarchy", "attributes": {"name": "New Shoes"}}},
            ),
        ]
        for job in started:
            check_job(real_jobs, job, "pim")
        read = await pim.get(started[0].id)
        check_job(real_jobs, read, "pim")
        listed = await pim.list()
        assert listed and all(check_job(real_jobs, j, "pim") is None for j in listed)
        # The spec's example job has started; PCM jobs can be cancelled only while pending, so the
        # client says so without asking the API.
        assert read.raw_status == "started"
        with pytest.raises(real_jobs.JobOperationNotSupported):
            await pim.cancel(read)
        assert all(isinstance(message, str) for message in await pim.errors(read))

    drive(real_jobs, servers["pim"], mode, scenario)


@pytest.mark.parametrize("mode", MODES)
def test_promotion_jobs(real_jobs: ModuleType, servers: dict[str, str], mode: str) -> None:
    async def scenario(jobs: Any) -> None:
        body = {"type": "promotion_job", "job_type": "code_export", "name": "Export Codes Job"}
        created = await jobs.promotions.create("promo-1", body=body)
        check_job(real_jobs, created, "promotions")
        assert created.parents == {"promotionID": "promo-1"}
        listed = await jobs.promotions.list(promotion_id="promo-1")
        assert listed and all(check_job(real_jobs, j, "promotions") is None for j in listed)

    drive(real_jobs, servers["promotions"], mode, scenario)


@pytest.mark.parametrize("mode", MODES)
def test_subscription_imports_are_uploads(
    real_jobs: ModuleType, servers: dict[str, str], mode: str
) -> None:
    async def scenario(jobs: Any) -> None:
        created = await jobs.subscription_imports.create(import_file=("plans.jsonl", b"{}\n"))
        check_job(real_jobs, created, "subscription_imports")
        read = await jobs.subscription_imports.get(created.id)
        check_job(real_jobs, read, "subscription_imports")
        listed = await jobs.subscription_imports.list()
        assert all(check_job(real_jobs, j, "subscription_imports") is None for j in listed)

    drive(real_jobs, servers["subscriptions"], mode, scenario)
