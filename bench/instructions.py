"""What each speed trick saves in instructions: `jobgen generate` under callgrind, every process of
the tree counted (this interpreter's, the validation worker's, ruff's), with each trick of
`generator/speed.py` turned off alone and with all of them off.

    python bench/instructions.py                       # every trick, on exporter.yaml and pim.yaml
    python bench/instructions.py --tricks lazy-lines,template-bytecode --inputs synthetic-500

Instruction counts do not depend on what else the machine is doing, unlike times on a shared machine:
they tell apart savings of a few percent that timing cannot. They count CPU work only: a trick that
gains by running two processes side by side (the validation worker) is measured by `bench/run.py
--sections tricks`, in wall time. Needs valgrind; a run of a small spec takes about half a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL_SPECS = Path(os.environ.get("JOBGEN_REAL_SPECS", ROOT.parent / "shared" / "real-specs"))
JOBGEN = Path(sys.executable).parent / "jobgen"

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import make_spec  # noqa: E402 - bench/ is not a package


def inputs(work: Path) -> dict[str, list[Path]]:
    synthetic = work / "synthetic-500.json"
    synthetic.write_text(json.dumps(make_spec(500, 1250), indent=1))
    published = [REAL_SPECS / f"{name}.yaml" for name in ("exporter", "pim", "promotions")]
    return {
        "exporter": published[:1],
        "pim": published[1:2],
        "published": published,
        "synthetic-500": [synthetic],
    }


def instructions(specs: Sequence[Path], plain: str, work: Path) -> tuple[int, dict[str, int]]:
    """Instructions of `jobgen generate SPECS` and of each program of its tree (by name)."""
    counts = work / "callgrind"
    shutil.rmtree(counts, ignore_errors=True)
    counts.mkdir()
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    environment = {k: v for k, v in os.environ.items() if k != "JOBGEN_PLAIN"}
    if plain:
        environment["JOBGEN_PLAIN"] = plain
    command = [
        "valgrind",
        "--tool=callgrind",
        "--trace-children=yes",
        f"--callgrind-out-file={counts}/%p",
        str(JOBGEN),
        "generate",
        *map(str, specs),
        "-o",
        str(out),
        "-p",
        "ep",
        "--no-cache",
        "-q",
    ]
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"jobgen failed under callgrind ({plain}): {done.stderr[-2000:]}")
    total, programs = 0, {}
    for index, path in enumerate(sorted(counts.iterdir(), key=lambda p: int(p.name))):
        text = path.read_text(errors="replace")
        found = re.search(r"^(?:summary|totals): (\d+)", text, re.MULTILINE)
        command_line = re.search(r"^cmd: (.*)$", text, re.MULTILINE)
        if found is None:
            continue
        count = int(found.group(1))
        total += count
        # The command is the first process; the worker is forked from it (the same command
        # line) or spawned (openapi_check.py); ruff is ruff.
        ruff = command_line is not None and "ruff" in command_line.group(1)
        program = "jobgen" if index == 0 else "ruff" if ruff else "worker"
        programs[program] = programs.get(program, 0) + count
    return total, programs


def _by(programs: dict[str, int]) -> str:
    return ", ".join(f"{name} {count / 1e9:.3f} G" for name, count in sorted(programs.items()))


def main(argv: Sequence[str] | None = None) -> int:
    from generator.speed import TRICKS

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--tricks",
        default="",
        help="comma-separated (default: every trick); a+b turns a and b off together",
    )
    parser.add_argument("--inputs", default="exporter,pim", help="exporter, pim, published, ...")
    args = parser.parse_args(argv)
    tricks = [t for t in args.tricks.split(",") if t] or [t for t in TRICKS if t != "result-cache"]
    with tempfile.TemporaryDirectory(prefix="jobgen-instructions-") as tmp:
        work = Path(tmp)
        available = inputs(work)
        print("| trick off | input | instructions: default / off | saves | off, by program |")
        print("|---|---|---|---|---|")
        for name in args.inputs.split(","):
            specs = available[name]
            # Once untimed: the first run after a change writes bytecode and Jinja's cache.
            instructions(specs, "", work)
            default, programs = instructions(specs, "", work)
            print(f"| (default) | {name} | {default / 1e9:.3f} G | | {_by(programs)} |", flush=True)
            for trick in [*tricks, *([] if args.tricks else ["1"])]:
                off, programs = instructions(specs, trick.replace("+", ","), work)
                label = "all (JOBGEN_PLAIN=1)" if trick == "1" else trick
                saving = (off - default) / off * 100
                print(
                    f"| {label} | {name} | {default / 1e9:.3f} / {off / 1e9:.3f} G "
                    f"| {saving:+.1f}% | {_by(programs)} |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
