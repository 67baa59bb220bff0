"""Client-runtime benchmarks, run by bench/run.py in a child process (a clean interpreter).

    python bench/runtime_child.py JOBGEN_DIR PEER_DIR PEER_PACKAGE JOBS REQUESTS RUNS

- parse: a PCM job list of JOBS jobs (JSON bytes) into the generated models: jobgen's client does
  `TypeAdapter(JobList).validate_json(body)`, the peer's does `JobList.from_dict(response.json())`.
  Both are run exactly so, alternating run by run, with a third contender: the pydantic floor, the
  least any pydantic model can do with this body (see `floor_adapter`).
- http: REQUESTS GETs of one PCM job from a loopback server (bench/loopback.py, a child process),
  split into blocks that rotate between jobgen's generated client, a bare `httpx.Client` doing the
  same request plus `json.loads`, and the peer's generated client.

Prints one JSON object: {"parse": {tool: [seconds per run]}, "http": {tool: [seconds per request]}}.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TOKEN = "bench-token"


def job(index: int) -> dict[str, Any]:
    kinds = (
        "product-import",
        "product-export",
        "hierarchy-duplicate",
        "child-products",
        "price-import",
    )
    statuses = ("pending", "started", "success", "failed", "cancelled")
    return {
        "type": "pim-job",
        "id": f"00000000-0000-4000-8000-{index:012d}",
        "attributes": {
            "type": kinds[index % len(kinds)],
            "status": statuses[index % len(statuses)],
            "created_at": "2024-01-05T13:46:41.695Z",
            "updated_at": "2024-01-05T13:46:42.142Z",
            "started_at": "2024-01-05T13:46:41.900Z",
            "completed_at": None if index % 3 else "2024-01-05T13:46:42.142Z",
        },
        "meta": {
            "x_request_id": f"req-{index}",
            "file_locations": [f"https://files.example.com/export-{index}.csv"],
            "filter": "eq(sku,'abc')",
        },
    }


def job_list(count: int) -> bytes:
    body = {"data": [job(i) for i in range(count)], "meta": {"results": {"total": count}}}
    return json.dumps(body).encode()


def floor_adapter() -> Any:
    """The least work that turns the list into pydantic model objects: the same nesting as the spec
    (list -> job -> attributes and meta, three models per job), but no field other than the ones
    that nest, nothing typed, unknown fields dropped. No generated pydantic model can parse the body
    faster than this, so the peer's time over this one bounds what pydantic models can reach."""
    import pydantic

    config = pydantic.ConfigDict(extra="ignore")

    class Attributes(pydantic.BaseModel):
        model_config = config

    class Meta(pydantic.BaseModel):
        model_config = config

    class Job(pydantic.BaseModel):
        model_config = config
        attributes: Attributes
        meta: Meta

    class JobList(pydantic.BaseModel):
        model_config = config
        data: list[Job]

    return pydantic.TypeAdapter(JobList)


def bench_parse(
    jobgen: Any, peer: Any, payload: bytes, runs: int, count: int
) -> dict[str, list[float]]:
    from ep_jobs._response import adapter  # the runtime's own helper, as its client uses it

    job_list_adapter = adapter(jobgen.JobList)

    def run_jobgen() -> int:
        return len(job_list_adapter.validate_json(payload).data)

    def run_peer() -> int:
        return len(peer.JobList.from_dict(json.loads(payload)).data)

    floor = floor_adapter()

    def run_floor() -> int:
        return len(floor.validate_json(payload).data)

    tools = {
        "jobgen": run_jobgen,
        "openapi-python-client": run_peer,
        "pydantic floor (no fields)": run_floor,
    }
    for run in tools.values():  # warm-up (imports, adapter and validator building), and a check
        if run() != count:
            raise SystemExit(f"parse benchmark: expected {count} jobs")
    times: dict[str, list[float]] = {name: [] for name in tools}
    for index in range(runs * len(tools)):
        name = list(tools)[index % len(tools)]
        started = time.perf_counter()
        tools[name]()
        times[name].append(time.perf_counter() - started)
    return times


def bench_http(
    jobgen_pkg: Any, peer_pkg: str, body: bytes, requests: int
) -> dict[str, list[float]]:
    import httpx

    peer_client_module = importlib.import_module(f"{peer_pkg}.client")
    peer_get_job = importlib.import_module(f"{peer_pkg}.api.jobs.get_job")
    tools = 3
    block = max(50, requests // 20)
    blocks = max(1, requests // block)
    warm = 20
    total = tools * (blocks * block + warm) + 10
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        handle.write(body)
    server = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("loopback.py")),
            str(total),
            "120",
            handle.name,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        base = f"http://127.0.0.1:{port}"
        job_id = "00000000-0000-4000-8000-000000000001"
        generated = jobgen_pkg.Client(auth=TOKEN, base_url=base, max_retries=0)
        bare = httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"})
        peer = peer_client_module.AuthenticatedClient(base_url=base, token=TOKEN)

        def run_generated() -> object:
            return generated.pcm.jobs.get_job(job_id).data

        def run_bare() -> object:
            return json.loads(bare.get(f"{base}/pcm/jobs/{job_id}").content)["data"]

        def run_peer() -> object:
            return peer_get_job.sync(job_id, client=peer).data

        runners = {
            "jobgen": run_generated,
            "httpx + json.loads": run_bare,
            "openapi-python-client": run_peer,
        }
        for run in runners.values():
            for _ in range(warm):
                if run() is None:
                    raise SystemExit("http benchmark: empty response")
        times: dict[str, list[float]] = {name: [] for name in runners}
        for index in range(blocks * len(runners)):
            name = list(runners)[index % len(runners)]
            run = runners[name]
            started = time.perf_counter()
            for _ in range(block):
                run()
            times[name].append((time.perf_counter() - started) / block)
        generated.close()
        bare.close()
        return times
    finally:
        server.terminate()
        server.wait(timeout=10)
        Path(handle.name).unlink(missing_ok=True)


def main() -> None:
    jobgen_dir, peer_dir, peer_package = sys.argv[1], sys.argv[2], sys.argv[3]
    jobs, requests, runs = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    sys.path[:0] = [jobgen_dir, peer_dir]
    jobgen_pkg = importlib.import_module("ep_jobs")
    jobgen_models = importlib.import_module("ep_jobs.pcm.models")
    peer_models = importlib.import_module(f"{peer_package}.models")
    results = {
        "parse": bench_parse(jobgen_models, peer_models, job_list(jobs), runs, jobs),
        "http": bench_http(
            jobgen_pkg, peer_package, json.dumps({"data": job(1)}).encode(), requests
        ),
    }
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
