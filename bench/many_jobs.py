"""Waiting on many jobs at once: `client.jobs.wait_all` against a loop of `client.jobs.wait`, through
the generated package's fake job server (in memory, on its virtual clock: no real sleeps).

    python bench/many_jobs.py               # 1,000 jobs per family, sync and async
    python bench/many_jobs.py --jobs 100    # fewer

For each job family of the generated package (`generated/`), JOBS jobs are started and waited for,
each moving pending -> running -> running -> succeeded, one step per read. Reported per family and
client kind:

- calls: the API calls (list pages and gets) made while waiting: `wait_all`, and the one-read-per-job
  loop (`for job in jobs: client.jobs.wait(job)`); their ratio (the target is at most 1/20). A
  family with no get-one endpoint (promotions) reads a job in the loop by scanning the list, page by
  page, so its loop is not run: its bound, one read per job per round, is given instead.
- rounds: the poll rounds `wait_all` made (one more than its sleeps).
- client CPU per round: the process's CPU time while waiting, less the fake's own (its request
  handler is timed and subtracted), divided by the rounds; for the loop, per read of every job.

Prints a Markdown table. `measure(...)` is what the suite's smoke test calls (with a small JOBS).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ["pending", "running", "running", "succeeded"]
CREATE_BODIES: dict[str, dict[str, Any]] = {
    "exporter": {"data": {"type": "job", "job_type": "order_export"}},
    "promotions": {"type": "promotion_job", "job_type": "code_export", "name": "bench"},
}
PARENTS: dict[str, dict[str, str]] = {"promotions": {"promotionID": "bench-promotion"}}


@dataclass(frozen=True)
class Result:
    family: str
    kind: str
    jobs: int
    rounds: int
    group_calls: int
    loop_calls: int | None  # None: not run (see the module docstring)
    bound_calls: int  # one read per job per round
    group_cpu_per_round: float
    loop_cpu_per_round: float | None

    @property
    def ratio(self) -> float:
        return self.group_calls / (self.loop_calls or self.bound_calls)


class TimedFake:
    """A fake job server whose request handling is timed (CPU), so the client's share is known."""

    def __init__(self, package: Any) -> None:
        self.server = package.testing.FakeJobServer(default_script=SCRIPT, page_size=100)
        self.fake_cpu = 0.0
        handle = self.server.handle

        def timed(request: Any) -> Any:
            started = time.process_time()
            try:
                return handle(request)
            finally:
                self.fake_cpu += time.process_time() - started

        self.server.handle = timed  # the transports made from now on call it

    def calls(self) -> int:
        return len([r for r in self.server.requests if r.operation in ("get", "list", "errors")])


def _start(package: Any, fake: TimedFake, family: str, count: int) -> list[Any]:
    """`count` new jobs of `family`, as the client first sees them (no client calls counted)."""
    server = fake.server
    profile = server.profile(family)
    parents = PARENTS.get(family, {})
    jobs = []
    with server.client() as client:
        for _ in range(count):
            if profile.create is None:
                made = server.add_job(family, **parents)
                jobs.append(client.jobs.from_response(family, server.response_body(made)))
            else:
                jobs.append(client.jobs.create(family, CREATE_BODIES[family], **parents))
    server.requests.clear()
    return jobs


def _timed(fake: TimedFake, wait: Callable[[], object]) -> tuple[int, float, int]:
    """(calls, client CPU seconds, sleeps) of one wait."""
    fake.server.requests.clear()
    fake.fake_cpu = 0.0
    sleeps = len(fake.server.clock.sleeps)
    started = time.process_time()
    wait()
    cpu = time.process_time() - started - fake.fake_cpu
    return fake.calls(), cpu, len(fake.server.clock.sleeps) - sleeps


def measure(package: Any, family: str, count: int, kind: str, *, loop: bool = True) -> Result:
    """Wait on `count` jobs of `family` with `wait_all`, then on as many with a loop of `wait`."""
    fast = {"initial_delay": 0.0, "max_delay": 0.0}  # virtual time: no backoff to speak of

    def group_wait(jobs: list[Any]) -> Callable[[], object]:
        if kind == "sync":
            return lambda: client.jobs.wait_all(jobs, **fast)
        return lambda: loop_.run_until_complete(aclient.jobs.wait_all(jobs, **fast))

    def loop_wait(jobs: list[Any]) -> Callable[[], object]:
        if kind == "sync":
            return lambda: [client.jobs.wait(job, **fast) for job in jobs]

        async def each() -> None:
            for job in jobs:
                await aclient.jobs.wait(job, **fast)

        return lambda: loop_.run_until_complete(each())

    fake = TimedFake(package)
    client = fake.server.client()
    loop_ = asyncio.new_event_loop()
    aclient = fake.server.async_client()
    try:
        jobs = _start(package, fake, family, count)
        group_calls, group_cpu, sleeps = _timed(fake, group_wait(jobs))
        rounds = sleeps + 1
        runs_loop = loop and fake.server.profile(family).get is not None
        loop_calls = loop_cpu = None
        if runs_loop:
            jobs = _start(package, fake, family, count)
            loop_calls, cpu, _ = _timed(fake, loop_wait(jobs))
            loop_cpu = cpu / rounds
    finally:
        client.close()
        loop_.run_until_complete(aclient.aclose())
        loop_.close()
    return Result(
        family=family,
        kind=kind,
        jobs=count,
        rounds=rounds,
        group_calls=group_calls,
        loop_calls=loop_calls,
        bound_calls=count * rounds,
        group_cpu_per_round=group_cpu / rounds,
        loop_cpu_per_round=loop_cpu,
    )


def load_package(folder: Path = ROOT / "generated", name: str = "ep_jobs") -> Any:
    import importlib

    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    package = importlib.import_module(name)
    importlib.import_module(f"{name}.testing")
    return package


def table(results: Sequence[Result]) -> str:
    lines = [
        "| family | client | jobs | rounds | calls: wait_all | calls: wait per job | "
        "ratio | client CPU per round: wait_all | client CPU per round: wait per job |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        loop_calls = (
            f"{r.loop_calls:,}" if r.loop_calls is not None else f"≥ {r.bound_calls:,} (no get)"
        )
        loop_cpu = (
            f"{r.loop_cpu_per_round * 1000:.1f} ms" if r.loop_cpu_per_round is not None else "-"
        )
        lines.append(
            f"| {r.family} | {r.kind} | {r.jobs:,} | {r.rounds} | {r.group_calls:,} | "
            f"{loop_calls} | 1/{1 / r.ratio:,.0f} | {r.group_cpu_per_round * 1000:.1f} ms | "
            f"{loop_cpu} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=1000, help="jobs per family (default 1000)")
    parser.add_argument("--kind", choices=("sync", "async", "both"), default="both")
    args = parser.parse_args(argv)
    package = load_package()
    kinds = ("sync", "async") if args.kind == "both" else (args.kind,)
    results = [
        measure(package, family, args.jobs, kind)
        for family in package.testing.FakeJobServer().apis
        for kind in kinds
    ]
    print(table(results))
    worst = max(r.ratio for r in results)
    print(f"\nworst ratio 1/{1 / worst:,.0f} (target: at most 1/20)")
    return 0 if worst <= 1 / 20 else 1


if __name__ == "__main__":
    sys.exit(main())
