"""The many-jobs benchmark (`bench/many_jobs.py`) on a few jobs: it runs, and waiting on a group
makes at most 1/20 of the API calls of the one-read-per-job loop (calls are counted, not timed)."""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.timeout(120)


def bench() -> Any:
    """bench/many_jobs.py, loaded once (bench/ is not a package)."""
    name = "bench_many_jobs"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "many_jobs.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("family", ["exporter", "pcm", "promotions"])
def test_waiting_on_a_group_takes_at_most_a_twentieth_of_the_calls(family: str, kind: str) -> None:
    many_jobs = bench()
    result = many_jobs.measure(many_jobs.load_package(), family, 40, kind)
    assert result.rounds == 3  # pending -> running -> running -> succeeded, a step per read
    assert result.group_calls == 3  # one list call per round: 40 jobs fit on one page
    if result.loop_calls is not None:
        assert result.loop_calls == 40 * 3
    assert result.group_calls * 20 <= (result.loop_calls or result.bound_calls)
    assert f"| {family} | {kind} | 40 | 3 | 3 |" in many_jobs.table([result])
