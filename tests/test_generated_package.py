"""The committed package: lint-clean, formatted, `mypy --strict`, and importable with only its own deps."""

from __future__ import annotations

import subprocess
import sys

from .conftest import GENERATED, ROOT

# Imports the package with everything jobgen itself depends on made unimportable.
_ISOLATED_IMPORT = """
import sys
class Block:
    blocked = {"yaml", "jinja2", "click", "openapi_pydantic", "ruff", "generator"}
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.blocked:
            raise ImportError(f"{name} must not be needed by the generated package")
        return None
sys.meta_path.insert(0, Block())
sys.path.insert(0, sys.argv[1])
import ep_jobs, ep_jobs.exporter, ep_jobs.pcm, ep_jobs.promotions, ep_jobs.testing
client = ep_jobs.Client(auth="token", base_url="http://127.0.0.1:9")
print(sorted(m for m in sys.modules if m.split(".")[0] in ("httpx", "pydantic", "ep_jobs"))[:1])
"""


def test_ruff_check_and_format() -> None:
    check = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."], cwd=GENERATED, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout
    fmt = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "."],
        cwd=GENERATED,
        capture_output=True,
        text=True,
    )
    assert fmt.returncode == 0, fmt.stdout


def test_mypy_strict() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "ep_jobs"],
        cwd=GENERATED,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-5000:]


def test_imports_with_only_httpx_and_pydantic() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _ISOLATED_IMPORT, str(GENERATED)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


_TESTING_ON_DEMAND = """
import sys
sys.path.insert(0, sys.argv[1])
import ep_jobs
assert "ep_jobs.testing" not in sys.modules, "import ep_jobs loaded the fake"
assert not hasattr(ep_jobs, "testing")
client = ep_jobs.Client(auth="token", base_url="http://127.0.0.1:9")
assert "ep_jobs.testing" not in sys.modules, "a client loaded the fake"
from ep_jobs.testing import FakeJobServer
assert ep_jobs.testing.FakeJobServer is FakeJobServer
import ep_jobs.testing as testing
assert testing is sys.modules["ep_jobs.testing"]
"""


def test_the_fake_is_imported_only_with_its_own_module() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _TESTING_ON_DEMAND, str(GENERATED)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_package_metadata() -> None:
    text = (GENERATED / "pyproject.toml").read_text()
    assert 'dependencies = ["httpx>=0.27,<1", "pydantic>=2.7,<3"]' in text
    assert (GENERATED / "ep_jobs" / "py.typed").exists()
    assert "```python" in (GENERATED / "README.md").read_text()


def test_the_runtime_is_copied_verbatim_with_its_subpackages() -> None:
    runtime = ROOT / "templates" / "runtime"
    copied = sorted(p.relative_to(runtime).as_posix() for p in runtime.rglob("*.py"))
    assert "testing/__init__.py" in copied
    for path in copied:
        assert (GENERATED / "ep_jobs" / path).read_bytes() == (runtime / path).read_bytes(), path
