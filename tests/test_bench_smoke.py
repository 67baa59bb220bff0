"""`python bench/run.py --quick` runs end to end and writes its table (it measures; nothing here times).

Needs openapi-python-client (the `bench` extra). Where it cannot be installed (offline), set
JOBGEN_BENCH_SKIP_PEER=1 to skip this test; CI installs the extra and never skips it.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, real_spec_paths

PEER_MISSING = importlib.util.find_spec("openapi_python_client") is None


def test_quick_benchmark_writes_a_table(tmp_path: Path) -> None:
    if PEER_MISSING:
        if os.environ.get("JOBGEN_BENCH_SKIP_PEER") == "1" and not os.environ.get("CI"):
            pytest.skip("openapi-python-client is not installed and JOBGEN_BENCH_SKIP_PEER=1")
        pytest.fail("openapi-python-client is not installed: pip install -e '.[bench]'")
    real_spec_paths()  # skips cleanly without ../shared/real-specs, as the other real-spec tests do
    output = tmp_path / "BENCHMARKS.md"
    output.write_text(
        "# Benchmarks\n\nHand-written notes.\n\n<!-- bench:start -->\nold\n<!-- bench:end -->\n\nMore.\n"
    )
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    text = output.read_text()
    assert "| machine | |" in text and "| cores |" in text
    for title in (
        "### Generation",
        "### Scale",
        "### No-op regeneration",
        "### Client runtime",
        "### Output",
    ):
        assert title in text, title
    assert "| exporter.yaml | 4 |" in text
    assert "openapi-python-client" in text and "jobgen / peer" in text
    assert "| pydantic floor (no fields) |" in text and "peer's time / this" in text
    assert "| 20,000 |" in text
    assert text.count("<!-- bench:end -->") == 1
    assert "Hand-written notes." in text and "More." in text  # text outside the markers is kept
    assert "\nold\n" not in text
