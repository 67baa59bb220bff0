"""jobgen's benchmarks, side by side with openapi-python-client; writes BENCHMARKS.md.

    python bench/run.py            # the full set (about 3 minutes on 2 cores)
    python bench/run.py --quick    # one or two runs of the small cases (the smoke test uses it)

Sections:
1. generation: both tools end to end as a user runs them (CLI in a child process, formatting
   included) on each real spec in ../shared/real-specs and on all of them (jobgen: one call; the peer
   takes one spec per call: the sum of its calls). jobgen runs with --no-cache (a cold run).
2. scale: jobgen on synthetic specs of 100, 500 and 2,000 operations (2.5 schemas per operation):
   wall time, CPU time, peak memory (the largest process of the tree, from wait4), time per operation.
3. no-op: `jobgen generate` and `jobgen check` on a copy of this repo's configuration when nothing
   changed: served by the result cache, against the same command with --no-cache.
4. runtime: parsing a 1,000-job PCM list with the generated models, and 2,000 GETs against a loopback
   server: jobgen's client, a bare httpx.Client + json.loads, and the peer's client.
5. output: `jobgen generate` of a changed spec into an output folder holding no other file, and one
   holding 20,000 files of the user's: what the writer costs when it leaves those files alone.
6. tricks (only when asked for: `--sections tricks`, about 20 minutes): each speed trick of
   `generator/speed.py` turned off alone (`JOBGEN_PLAIN=<trick>`), and all of them (`JOBGEN_PLAIN=1`),
   against the default, on realistic inputs: what each earns in wall and CPU time. Written to its
   own marked block of BENCHMARKS.md (`--tricks a,b` measures only those).

Comparisons alternate the tools run by run (ABAB) so that drift on a shared machine hits both alike,
and report the ratio of medians. Needs the `bench` extra (`pip install -e '.[bench]'`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL_SPECS = Path(os.environ.get("JOBGEN_REAL_SPECS", ROOT.parent / "shared" / "real-specs"))
REAL_SPEC_NAMES = ("exporter", "pim", "promotions")
BIN = Path(sys.executable).parent
PEER = "openapi-python-client"
MARK_START = "<!-- bench:start (written by bench/run.py; edit outside the markers) -->"
MARK_END = "<!-- bench:end -->"
TRICKS_START = "<!-- bench:tricks:start (written by bench/run.py --sections tricks) -->"
TRICKS_END = "<!-- bench:tricks:end -->"
PLAIN_SWITCH = "JOBGEN_PLAIN"  # generator/speed.py

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import make_spec  # noqa: E402 - bench/ is not a package


# ------------------------------------------------------------------------------------------ measuring
@dataclass
class Sample:
    wall: float
    cpu: float
    max_rss_mb: float
    returncode: int
    stderr: str


def measure(command: Sequence[str], cwd: Path, plain: str = "") -> Sample:
    """Run a command as a user would; wall time, CPU time and peak RSS of its process tree.
    `plain`: the value of `JOBGEN_PLAIN`, the speed tricks turned off (none by default)."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop(PLAIN_SWITCH, None)
    if plain:
        env[PLAIN_SWITCH] = plain
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    # ru_maxrss of a reaped child covers its reaped descendants too (Linux: kilobytes).
    return Sample(
        wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode, text
    )


@dataclass
class Series:
    values: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def cell(self, unit: str = "s", scale: float = 1.0, digits: int = 2) -> str:
        if not self.values:
            return "-"
        low, high = min(self.values) * scale, max(self.values) * scale
        return f"{self.median * scale:.{digits}f} {unit} ({low:.{digits}f}-{high:.{digits}f})"


def alternate(runs: int, tools: dict[str, Callable[[], float | None]]) -> dict[str, Series]:
    """ABAB...: run each tool `runs` times, taking turns; a tool returning None drops out."""
    results = {name: Series() for name in tools}
    active = dict(tools)
    for _ in range(runs):
        for name, run in list(active.items()):
            value = run()
            if value is None:
                del active[name]
            else:
                results[name].values.append(value)
    return results


def ratio(a: Series, b: Series) -> str:
    return f"{a.median / b.median:.2f}x" if a.values and b.values and b.median else "-"


# ------------------------------------------------------------------------------------------- tools
def tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        raise SystemExit(
            f"bench: {name} is not installed beside {sys.executable}; "
            "install the bench extra: pip install -e '.[bench]'"
        )
    return str(path)


def peer_failure(stderr: str) -> str:
    """One line saying why openapi-python-client failed."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if "validation error" in line and index + 2 < len(lines):
            where = lines[index + 1].split(".")
            detail = lines[index + 2].split(" [type=")[0]
            return f"{lines[index]}: {detail} (at {'.'.join(where[:4])}...)"
    useful = [line for line in lines if not line.startswith("If you believe")]
    return useful[-1] if useful else "no output"


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in (
        "jobgen",
        PEER,
        "ruff",
        "pydantic",
        "httpx",
        "jinja2",
        "openapi-pydantic",
        "pyyaml",
    ):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def machine() -> dict[str, str]:
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return {
        "cores": str(os.cpu_count()),
        "CPU": model,
        "Python": platform.python_version(),
        "OS": platform.platform(),
        "load average at start (1, 5, 15 min)": load,
    }


# ------------------------------------------------------------------------------------ the sections
@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        lines = [f"### {self.title}", "", "| " + " | ".join(self.header) + " |"]
        lines.append("|" + "|".join("---" for _ in self.header) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        if self.notes:
            lines += [""] + [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"


def fresh(folder: Path) -> Path:
    """An empty place for a tool's output. The deletion is flushed to disk before the tool starts:
    otherwise the file system is still busy freeing the previous run's files while the next run
    creates its own (on the machines measured, that tripled the time to create them)."""
    shutil.rmtree(folder, ignore_errors=True)
    os.sync()
    return folder


def generation(work: Path, runs: int, names: Sequence[str], include_all: bool) -> Table:
    jobgen, peer = tool("jobgen"), tool(PEER)
    table = Table(
        "Generation (end to end, CLI, formatting included; jobgen cold: --no-cache)",
        ["input", "operations", "jobgen", "openapi-python-client", "jobgen / peer"],
    )
    failures: dict[str, str] = {}
    operations: dict[str, int] = {}

    def run_jobgen(specs: Sequence[Path]) -> Callable[[], float | None]:
        report = work / "report.json"

        def run() -> float | None:
            out = fresh(work / "jobgen-out")
            sample = measure(
                [
                    jobgen,
                    "generate",
                    *map(str, specs),
                    "--output",
                    str(out),
                    "--package",
                    "ep",
                    "--no-cache",
                    "-q",
                    "--report",
                    str(report),
                ],
                work,
            )
            if sample.returncode != 0:
                raise SystemExit(f"bench: jobgen failed on {specs}: {sample.stderr.strip()[-500:]}")
            data = json.loads(report.read_text())
            operations[",".join(map(str, specs))] = sum(
                s["operations_generated"] for s in data["specs"]
            )
            return sample.wall

        return run

    def peer_once(spec: Path) -> float | None:
        out = fresh(work / "peer-out")
        sample = measure(
            [peer, "generate", "--path", str(spec), "--output-path", str(out), "--overwrite"], work
        )
        if sample.returncode != 0 or not out.is_dir():
            failures[spec.stem] = peer_failure(sample.stderr)
            return None
        return sample.wall

    specs = [REAL_SPECS / f"{name}.yaml" for name in names]
    for spec in specs:
        run_jobgen([spec])()  # warm-up: page cache, bytecode
        peer_once(spec)
        results = alternate(
            runs, {"jobgen": run_jobgen([spec]), "peer": lambda s=spec: peer_once(s)}
        )
        peer_cell = (
            results["peer"].cell() if spec.stem not in failures else f"fails: {failures[spec.stem]}"
        )
        table.rows.append(
            [
                f"{spec.name}",
                str(operations.get(str(spec), "?")),
                results["jobgen"].cell(),
                peer_cell,
                ratio(results["jobgen"], results["peer"]),
            ]
        )
    if include_all and len(specs) > 1:
        handled = [s for s in specs if s.stem not in failures]

        def peer_all() -> float | None:
            total = 0.0
            for spec in handled:
                wall = peer_once(spec)
                if wall is None:
                    return None
                total += wall
            return total

        results = alternate(runs, {"jobgen": run_jobgen(specs), "peer": peer_all})
        table.rows.append(
            [
                "all together",
                str(operations.get(",".join(map(str, specs)), "?")),
                results["jobgen"].cell(),
                results["peer"].cell()
                + f" ({len(handled)} calls: {', '.join(s.name for s in handled)})",
                ratio(results["jobgen"], results["peer"]),
            ]
        )
        table.notes.append(
            "all together: jobgen generates every spec in one call into one package; the peer takes one "
            "spec per call, so its figure is the sum of its calls on the specs it can handle."
        )
    table.notes.append(f"median of {runs} runs (min-max); the tools take turns run by run.")
    return table


def scale(work: Path, runs: int, sizes: Sequence[int]) -> Table:
    jobgen = tool("jobgen")
    table = Table(
        "Scale (jobgen, synthetic specs, 2.5 schemas per operation, cold: --no-cache)",
        [
            "operations",
            "schemas",
            "spec size",
            "wall",
            "CPU (user+sys)",
            "per operation",
            "peak RSS",
        ],
    )
    per_op: dict[int, float] = {}
    for size in sizes:
        spec = work / f"synthetic-{size}.json"
        spec.write_text(json.dumps(make_spec(size, int(size * 2.5)), indent=1))
        walls, cpus, rss = Series(), Series(), Series()
        for _ in range(runs):
            out = fresh(work / "scale-out")
            sample = measure(
                [
                    jobgen,
                    "generate",
                    str(spec),
                    "--output",
                    str(out),
                    "--package",
                    "syn",
                    "--no-cache",
                    "-q",
                ],
                work,
            )
            if sample.returncode != 0:
                raise SystemExit(
                    f"bench: jobgen failed on {spec.name}: {sample.stderr.strip()[-500:]}"
                )
            walls.values.append(sample.wall)
            cpus.values.append(sample.cpu)
            rss.values.append(sample.max_rss_mb)
        per_op[size] = walls.median / size
        table.rows.append(
            [
                f"{size:,}",
                f"{int(size * 2.5):,}",
                f"{spec.stat().st_size / 1e6:.1f} MB",
                walls.cell(),
                cpus.cell(),
                f"{per_op[size] * 1000:.2f} ms",
                f"{max(rss.values):.0f} MB",
            ]
        )
    if len(per_op) > 1:
        small, large = min(per_op), max(per_op)
        table.notes.append(
            f"time per operation at {large:,} operations is {per_op[large] / per_op[small]:.2f}x that at "
            f"{small:,} (1.00x is linear; the fixed start-up cost makes small specs look dearer)."
        )
    table.notes.append(
        f"median of {runs} runs (min-max); peak RSS is the largest process of the tree (jobgen or ruff)."
    )
    return table


def noop(work: Path, runs: int) -> Table:
    jobgen = tool("jobgen")
    repo = work / "repo"
    fresh(repo).mkdir(parents=True)
    shutil.copy2(ROOT / "pyproject.toml", repo / "pyproject.toml")
    shutil.copytree(ROOT / "specs", repo / "specs")
    first = measure([jobgen, "generate", "-q"], repo)
    if first.returncode != 0:
        raise SystemExit(f"bench: jobgen generate failed: {first.stderr.strip()[-500:]}")
    table = Table(
        "No-op regeneration (a copy of this repo's [tool.jobgen]; nothing changed)",
        ["command", "cached (default)", "--no-cache", "cached / --no-cache"],
    )
    for command in ("generate", "check"):

        def run(*extra: str, command: str = command) -> float | None:
            sample = measure([jobgen, command, "-q", *extra], repo)
            if sample.returncode != 0:
                raise SystemExit(f"bench: jobgen {command} failed: {sample.stderr.strip()[-500:]}")
            return sample.wall

        results = alternate(runs, {"cached": run, "cold": lambda run=run: run("--no-cache")})
        table.rows.append(
            [
                f"jobgen {command}",
                results["cached"].cell(),
                results["cold"].cell(),
                ratio(results["cached"], results["cold"]),
            ]
        )
    table.notes.append(
        f"median of {runs} runs (min-max); the whole CLI process (interpreter start-up and imports "
        "included). The peer has no no-op mode: regenerating costs it a full run (see Generation)."
    )
    return table


def runtime(work: Path, runs: int, jobs: int, requests: int) -> list[Table]:
    jobgen, peer = tool("jobgen"), tool(PEER)
    jobgen_out = fresh(work / "runtime-jobgen")
    specs = [ROOT / "specs" / f"{name}.yaml" for name in ("exporter", "pcm", "promotions")]
    generated = measure(
        [
            jobgen,
            "generate",
            *map(str, specs),
            "--profile",
            str(ROOT / "specs" / "jobs.yaml"),
            "--output",
            str(jobgen_out),
            "--package",
            "ep_jobs",
            "--no-cache",
            "-q",
        ],
        work,
    )
    peer_out = fresh(work / "runtime-peer")
    made = measure(
        [
            peer,
            "generate",
            "--path",
            str(ROOT / "specs" / "pcm.yaml"),
            "--output-path",
            str(peer_out),
            "--overwrite",
        ],
        work,
    )
    if generated.returncode or made.returncode:
        raise SystemExit(
            f"bench: generating the clients failed: {generated.stderr[-500:]} {made.stderr[-500:]}"
        )
    peer_package = next(p.name for p in peer_out.iterdir() if (p / "client.py").is_file())
    completed = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("runtime_child.py")),
            str(jobgen_out),
            str(peer_out),
            peer_package,
            str(jobs),
            str(requests),
            str(runs),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if completed.returncode != 0:
        raise SystemExit(f"bench: runtime benchmark failed:\n{completed.stderr[-2000:]}")
    data = json.loads(completed.stdout)
    parse = {name: Series(values) for name, values in data["parse"].items()}
    http = {name: Series(values) for name, values in data["http"].items()}
    parse_table = Table(
        f"Client runtime: parse a {jobs:,}-job PCM list (specs/pcm.yaml) into the generated models",
        ["client", "time per list", "peer's time / this"],
    )
    peer = parse["openapi-python-client"]
    for name, series in parse.items():
        parse_table.rows.append([name, series.cell("ms", 1000, 2), ratio(peer, series)])
    parse_table.notes.append(
        "jobgen: TypeAdapter(JobList).validate_json(body), as its client parses; the peer: "
        f"JobList.from_dict(json.loads(body)), as its client parses. Median of {runs} runs (min-max), "
        "alternating."
    )
    parse_table.notes.append(
        "pydantic floor: the same body into pydantic models with the spec's nesting (three per job) "
        "and no other field, unknown fields dropped; not a client, but the most any pydantic model "
        "can gain over the peer on this body."
    )
    http_table = Table(
        f"Client runtime: {requests:,} GETs of one PCM job from a loopback server",
        ["client", "time per request", "vs bare httpx"],
    )
    baseline = http["httpx + json.loads"]
    for name, series in http.items():
        http_table.rows.append([name, series.cell("µs", 1e6, 0), ratio(series, baseline)])
    http_table.notes.append(
        "a threaded HTTP/1.1 keep-alive server on 127.0.0.1 in a child process, bounded in requests and "
        f"time; blocks of {max(50, requests // 20)} requests rotate between the clients; median of "
        "the blocks' per-request times (min-max). jobgen's client parses into models; bare httpx only "
        "json.loads."
    )
    return [parse_table, http_table]


def output_cost(work: Path, runs: int, unrelated: int) -> Table:
    """A run that must write, into a folder with and without `unrelated` files of the user's.

    Two versions of exporter.yaml (their titles differ) take turns, so every run changes a few
    generated files and the writer does its whole job; --no-cache, so each run is a full one.
    """
    jobgen = tool("jobgen")
    text = (ROOT / "specs" / "exporter.yaml").read_text(encoding="utf-8")
    versions = []
    for name, title in (("a", "Exporter Service API"), ("b", "Exporter Service API (b)")):
        spec = work / "output-specs" / name / "exporter.yaml"
        spec.parent.mkdir(parents=True, exist_ok=True)
        spec.write_text(
            text.replace("  title: Exporter Service API\n", f"  title: {title}\n", 1),
            encoding="utf-8",
        )
        versions.append(spec)
    folders = {}
    for count in (0, unrelated):
        folder = fresh(work / f"output-{count}")
        for index in range(count):
            user_file = folder / "data" / f"{index // 100:03d}" / f"{index % 100:02d}.txt"
            user_file.parent.mkdir(parents=True, exist_ok=True)
            user_file.write_text(f"the user's file {index}\n", encoding="utf-8")
        folders[count] = folder
    turns = {count: 0 for count in folders}

    def run(count: int) -> float | None:
        spec = versions[turns[count] % 2]
        turns[count] += 1
        command = [jobgen, "generate", str(spec), "-o", str(folders[count]), "-p", "ep"]
        sample = measure([*command, "--no-cache", "-q"], work)
        if sample.returncode != 0:
            raise SystemExit(f"bench: jobgen generate failed: {sample.stderr.strip()[-500:]}")
        return sample.wall

    for count in folders:  # the first run writes every file; the measured ones change a few
        run(count)
    results = alternate(runs, {str(count): lambda c=count: run(c) for count in folders})
    table = Table(
        "Output: a run that changes a few files, beside the user's files",
        ["files of the user's in the output folder", "jobgen generate", "vs none"],
    )
    for count in folders:
        table.rows.append(
            [f"{count:,}", results[str(count)].cell(), ratio(results[str(count)], results["0"])]
        )
    table.notes.append(
        f"median of {runs} runs (min-max), taking turns; exporter.yaml in two versions that differ "
        f"in their title, so each run rewrites a few generated files; --no-cache. The user's files "
        f"are {unrelated:,} small files in 200 folders of the output folder."
    )
    return table


def speed_tricks(work: Path, runs: int, quick: bool, only: Sequence[str]) -> Table:
    """Each speed trick off alone, and all of them off, against the default, on realistic inputs.

    Every configuration of one input takes its turn run by run (the default, then each trick
    off, then the plain path), so that a machine busy with other work slows them alike. CPU is
    user+sys of the whole process tree (the validation worker and ruff included); a trick that
    works by running two processes side by side gains wall time, not CPU. The result cache is
    measured on a no-op run (a copy of this repo's configuration, nothing changed), where it acts;
    the others on full runs (--no-cache).
    """
    from generator.speed import TRICKS

    jobgen = tool("jobgen")
    names = [name for name in TRICKS if not only or name in only]
    configurations = {"": "default", **{name: name for name in names}}
    if not only:
        configurations["1"] = "all (JOBGEN_PLAIN=1)"
    synthetic = work / "synthetic-500.json"
    synthetic.write_text(json.dumps(make_spec(500, 1250), indent=1))
    published = [REAL_SPECS / f"{name}.yaml" for name in REAL_SPEC_NAMES]
    inputs: dict[str, list[Path]] = {"exporter.yaml": published[:1]}
    if not quick:
        inputs["pim.yaml"] = published[1:2]
        inputs["exporter, pim, promotions"] = published
        inputs["synthetic, 500 operations (JSON)"] = [synthetic]
    table = Table(
        "Speed tricks: each turned off alone (JOBGEN_PLAIN=trick) against the default",
        ["trick off", "input", "wall: default / off", "saves", "CPU: default / off", "saves"],
    )
    repo = work / "tricks-repo"
    fresh(repo).mkdir(parents=True)
    shutil.copy2(ROOT / "pyproject.toml", repo / "pyproject.toml")
    shutil.copytree(ROOT / "specs", repo / "specs")

    def once(specs: Sequence[Path], plain: str, cached: bool = False) -> Sample:
        if cached:  # the configuration's own output folder, unchanged since the last run
            command = [jobgen, "generate", "-q"]
            cwd = repo
        else:
            out = fresh(work / "tricks-out")
            command = [jobgen, "generate", *map(str, specs), "-o", str(out), "-p", "ep"]
            command += ["--no-cache", "-q"]
            cwd = work
        sample = measure(command, cwd, plain)
        if sample.returncode != 0:
            raise SystemExit(f"bench: jobgen failed ({plain}): {sample.stderr.strip()[-500:]}")
        return sample

    def compare(label: str, specs: Sequence[Path], cached: bool, wanted: dict[str, str]) -> None:
        walls = {plain: Series() for plain in wanted}
        cpus = {plain: Series() for plain in wanted}
        for plain in wanted:
            once(specs, plain, cached)  # warm-up: page cache, bytecode, Jinja's cache
        for _ in range(runs):
            for plain in wanted:
                sample = once(specs, plain, cached)
                walls[plain].values.append(sample.wall)
                cpus[plain].values.append(sample.cpu)
        for plain, name in wanted.items():
            if not plain:
                continue
            table.rows.append(
                [
                    name,
                    label,
                    f"{walls[''].median:.3f} / {walls[plain].median:.3f} s",
                    _saving(walls[""], walls[plain]),
                    f"{cpus[''].median:.3f} / {cpus[plain].median:.3f} s",
                    _saving(cpus[""], cpus[plain]),
                ]
            )
        print(f"bench: tricks on {label} done", flush=True)

    if "result-cache" in configurations:
        once([], "", cached=True)  # the first run fills the cache
        compare(
            "no-op `jobgen generate`", [], True, {"": "default", "result-cache": "result-cache"}
        )
    full = {plain: name for plain, name in configurations.items() if plain != "result-cache"}
    for label, specs in inputs.items():
        compare(label, specs, False, full)
    table.notes.append(
        f"median of {runs} runs (min-max aside), every configuration of an input taking its turn "
        "run by run; saves = (off - default) / off, the share of the time the trick saves; CPU is "
        "user+sys of the whole process tree (worker and ruff included)."
    )
    return table


def _saving(default: Series, off: Series) -> str:
    return f"{(off.median - default.median) / off.median * 100:+.0f}%" if off.median else "-"


# ---------------------------------------------------------------------------------------- the report
def render(
    tables: list[Table],
    started: float,
    command: str,
    info: dict[str, str],
    found: dict[str, str],
    start: str = MARK_START,
    end: str = MARK_END,
) -> str:
    lines = [
        start,
        "",
        f"_Run: `python bench/run.py{command}` on "
        f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(started))}, took "
        f"{time.perf_counter() - _CLOCK:.0f} s._",
        "",
        "| machine | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in info.items()],
        "",
        "| package | version |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in found.items()],
        "",
    ]
    for table in tables:
        lines += [table.markdown()]
    lines.append(end)
    return "\n".join(lines) + "\n"


def write(path: Path, block: str, start: str = MARK_START, end: str = MARK_END) -> None:
    """Replace the block of `path` between `start` and `end` (keeping the hand-written text around
    it), or add it."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    opening = start.split(" (")[0]  # "<!-- bench:start", whatever follows it
    if opening in text and end in text.split(opening, 1)[1]:
        before = text.split(opening, 1)[0]
        after = text.split(opening, 1)[1].split(end, 1)[1].lstrip("\n")
        text = before + block + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")


_CLOCK = time.perf_counter()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="a few runs of the small cases (smoke test)"
    )
    parser.add_argument(
        "--output", default=str(ROOT / "BENCHMARKS.md"), help="markdown file to write"
    )
    parser.add_argument("--runs", type=int, help="runs per comparison (default 9; --quick 1)")
    parser.add_argument(
        "--sections",
        default="generation,scale,noop,runtime,output",
        help="comma-separated subset to run (tricks: only when named)",
    )
    parser.add_argument(
        "--tricks", default="", help="with --sections tricks: only these tricks (comma-separated)"
    )
    args = parser.parse_args(argv)
    runs = args.runs or (1 if args.quick else 9)
    sections = set(args.sections.split(","))
    started = time.time()
    info, found = machine(), versions()
    tables: list[Table] = []
    with tempfile.TemporaryDirectory(prefix="jobgen-bench-") as tmp:
        work = Path(tmp)
        if "generation" in sections:
            if not all((REAL_SPECS / f"{n}.yaml").is_file() for n in REAL_SPEC_NAMES):
                raise SystemExit(
                    f"bench: the real specs are not in {REAL_SPECS} (set JOBGEN_REAL_SPECS)"
                )
            names = ("exporter",) if args.quick else REAL_SPEC_NAMES
            tables.append(generation(work, runs, names, include_all=not args.quick))
            print(tables[-1].markdown(), flush=True)
        if "scale" in sections:
            sizes = (100,) if args.quick else (100, 500, 2000)
            tables.append(scale(work, 1 if args.quick else 3, sizes))
            print(tables[-1].markdown(), flush=True)
        if "noop" in sections:
            tables.append(noop(work, 2 if args.quick else 10))
            print(tables[-1].markdown(), flush=True)
        if "runtime" in sections:
            jobs, requests = 1000, (300 if args.quick else 2000)
            for table in runtime(work, 3 if args.quick else 30, jobs, requests):
                tables.append(table)
                print(table.markdown(), flush=True)
        if "output" in sections:
            tables.append(output_cost(work, args.runs or (1 if args.quick else 7), 20_000))
            print(tables[-1].markdown(), flush=True)
        tricks = None
        if "tricks" in sections:
            only = [name for name in args.tricks.split(",") if name]
            tricks = speed_tricks(work, args.runs or (1 if args.quick else 9), args.quick, only)
            print(tricks.markdown(), flush=True)
    quick = " --quick" if args.quick else ""
    if tables:
        write(Path(args.output), render(tables, started, quick, info, found))
    if tricks is not None:
        command = f"{quick} --sections tricks" + (f" --tricks {args.tricks}" if args.tricks else "")
        block = render([tricks], started, command, info, found, TRICKS_START, TRICKS_END)
        write(Path(args.output), block, TRICKS_START, TRICKS_END)
    print(f"bench: wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
