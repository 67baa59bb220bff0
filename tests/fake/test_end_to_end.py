"""End to end on real sockets: three jobs of three APIs, waited for concurrently by the async
client, their files downloaded, and a fourth job cancelled.

The fake moves a job one step per poll, so a small real poll interval keeps this well under a
few seconds while every request still crosses a socket.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from ep_jobs import JobStatus
from ep_jobs.testing import FakeJobServer

from .conftest import PROMOTION, TOKEN

pytestmark = pytest.mark.timeout(30)

POLL = {"initial_delay": 0.02, "multiplier": 1.0, "max_delay": 0.02}
ORDERS = b"order_id,total\nord-1,19.99\nord-2,5.00\n"
IMPORT_REPORT = b"sku,result\nshoe-1,created\nshoe-2,updated\n"
CODES = b"code\nSUMMER-AB12-CD34\nSUMMER-EF56-GH78\n"


async def test_three_apis_concurrently_then_download_and_cancel(tmp_path: Path) -> None:
    server = FakeJobServer(token=TOKEN)
    with server.serve(max_lifetime=30) as live:
        async with live.async_client(timeout=5) as client:
            # An order export, through the exporter's create endpoint.
            server.script_next(
                "exporter",
                ["pending", "started", "started", "success"],
                files={"orders.csv": ORDERS},
            )
            export = await client.jobs.create(
                "exporter",
                {"data": {"type": "job", "job_type": "order_export", "filter": "eq(status,paid)"}},
            )
            # A product import: PCM jobs start at POST /pcm/products/import, which is not part of
            # our specs, so the job is put in the fake as that endpoint would have made it.
            imported = server.add_job(
                "pcm",
                kind="product-import",
                status_script=["pending", "started", "started", "started", "success"],
                files={"import-report.csv": IMPORT_REPORT},
            )
            product_import = await client.jobs.get("pcm", imported.id)
            # Promotion code generation.
            server.script_next(
                "promotions", ["pending", "processing", "completed"], files={"codes.csv": CODES}
            )
            generate = {
                "type": "promotion_job",
                "job_type": "code_generate",
                "name": "Summer Sale Job",
                "parameters": {"number_of_codes": 2, "code_prefix": "SUMMER-", "code_length": 8},
            }
            codes = await client.jobs.create("promotions", generate, promotionID=PROMOTION)
            # The fourth job, in another promotion so the polls above do not move it.
            doomed = await client.jobs.create("promotions", generate, promotionID="winter-sale")
            assert doomed.status is JobStatus.PENDING
            server.requests.clear()

            started = time.monotonic()
            finished = await asyncio.gather(
                *(
                    client.jobs.wait(job, timeout=10, **POLL)
                    for job in (export, product_import, codes)
                )
            )
            waited = time.monotonic() - started

            assert [job.status for job in finished] == [JobStatus.SUCCEEDED] * 3
            assert [job.raw_status for job in finished] == ["success", "success", "completed"]
            polls = [r for r in server.requests if r.operation in ("get", "list")]
            assert {r.api for r in polls[:3]} == {"exporter", "pcm", "promotions"}  # concurrent
            assert len(polls) == 3 + 3 + 2  # one step per poll

            paths = await asyncio.gather(
                # A trailing slash: into that folder (a bare path would name the one file).
                *(client.jobs.download(job, f"{tmp_path / job.api}/") for job in finished)
            )
            assert [[p.relative_to(tmp_path).as_posix() for p in found] for found in paths] == [
                ["exporter/orders.csv"],
                ["pcm/import-report.csv"],
                ["promotions/codes.csv"],
            ]
            assert [found[0].read_bytes() for found in paths] == [ORDERS, IMPORT_REPORT, CODES]

            cancelling = await client.jobs.cancel(doomed)
            assert cancelling.status is JobStatus.CANCELLING
            cancelled = await client.jobs.wait(cancelling, raise_on_failure=False, **POLL)
            assert cancelled.status is JobStatus.CANCELLED
            assert server.job(doomed.id).raw_status == "cancelled"

    assert waited < 3.0
    downloads = server.requests_for(operation="download")
    assert len(downloads) == 3 and {r.authorization for r in downloads} == {None}
    assert {r.authorization for r in server.requests_for(host="api")} == {f"Bearer {TOKEN}"}
    assert all(r.url.startswith(live.storage_url) for r in downloads)
    assert not live.running
