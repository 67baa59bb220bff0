"""Generated modules import exactly what they use, in the order `ruff check --select I` wants
(formatting runs `ruff format` alone). The order of imports that depend on the API modules' names is
worked out by `render.isort_names` / `isort_modules`: checked here against ruff itself, on names
with digit runs, leading zeros, underscores, capitals and all-caps classes."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

from generator import naming
from generator.format import ruff_binary
from generator.render import isort_modules, isort_names, natural_compare

_PIECES = ["a", "b", "job", "x", "1", "2", "9", "10", "01", "007", "_", "API", "Z", "v", "n2", "ab"]


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 4)))


def _case(rng: random.Random) -> str:
    modules = sorted({naming.module_name(_name(rng)) for _ in range(rng.randint(1, 12))})
    rng.shuffle(modules)
    lines = ["from . import " + ", ".join(isort_names(modules))]
    lines.append("from ._auth import Auth")
    groups = {m: naming.class_name(m) + "API" for m in modules}
    for target in isort_modules(f"{m}.resources" for m in modules):
        group = groups[target.removesuffix(".resources")]
        lines.append(f"from .{target} import " + ", ".join(isort_names([group, "Async" + group])))
    lines.append("from ._servers import Region")  # after `.x` modules only if ruff says so
    return "\n".join(_reorder(lines)) + "\n"


def _reorder(lines: list[str]) -> list[str]:
    """The `from .module import` statements in module order (the first, `from . import`, leads)."""
    head, rest = lines[0], lines[1:]
    module = {line: line.split()[1][1:] for line in rest}
    order = isort_modules(module[line] for line in rest)
    return [head, *sorted(rest, key=lambda line: order.index(module[line]))]


def test_natural_order_follows_digit_runs() -> None:
    names = ["n10", "n2", "n_1", "n01", "n1", "n001", "na"]
    ordered = sorted(names, key=lambda n: __import__("functools").cmp_to_key(natural_compare)(n))
    assert ordered.index("n2") < ordered.index("n10")
    assert natural_compare("abc", "abc") == 0
    assert natural_compare("a", "ab") < 0


def test_generated_import_order_is_ruffs(tmp_path: Path) -> None:
    rng = random.Random(20261201)
    for index in range(300):
        (tmp_path / f"case_{index}.py").write_text(_case(rng), encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.ruff]\nline-length = 100\n[tool.ruff.lint.isort]\nsplit-on-trailing-comma = false\n"
        "[tool.ruff.format]\nskip-magic-trailing-comma = true\n",
        encoding="utf-8",
    )
    # As the pipeline does: `ruff format` (which wraps long imports), then the isort check.
    subprocess.run([ruff_binary(), "format", "--no-cache", "."], cwd=tmp_path, check=True)
    done = subprocess.run(
        [ruff_binary(), "check", "--no-cache", "--select", "I", "--output-format", "concise", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    failing = [line.split(":")[0] for line in done.stdout.splitlines() if "I001" in line]
    details = "\n\n".join((tmp_path / name).read_text() for name in failing[:3])
    assert done.returncode == 0 and not failing, done.stdout[-3000:] + "\n" + details


def _exported(module: Path) -> list[str]:
    import ast

    for node in ast.parse(module.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return [str(name) for name in ast.literal_eval(node.value)]
    raise AssertionError(f"{module} has no __all__")


def test_the_runtime_helpers_generated_code_may_import_are_what_the_runtime_exports() -> None:
    """Resource modules import the runtime's helpers by the names in `naming`, which also keeps
    parameters from shadowing them: a helper added to the runtime must be added there."""
    runtime = Path(__file__).resolve().parents[1] / "templates" / "runtime"
    models = _exported(runtime / "_models.py")
    assert sorted(set(models) - {"APIModel", "APIRequestModel"}) == sorted(naming.MODELS_HELPERS)
    assert sorted(_exported(runtime / "_pagination.py")) == sorted(naming.PAGINATION_HELPERS)
    assert sorted(_exported(runtime / "_raw_response.py")) == sorted(naming.RESPONSE_HELPERS)
    assert isort_names(list(naming.RESPONSE_HELPERS)) == list(naming.RESPONSE_HELPERS)
    line = f"from .._models import {', '.join(naming.MODELS_HELPERS)}"
    assert isort_names(list(naming.MODELS_HELPERS)) == list(naming.MODELS_HELPERS), line
