"""The construct specs (`specs.py`) generated once per session into one package, and a harness that
calls it, sync or async, through `httpx.MockTransport`, recording exactly what httpx sent."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import sys
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from generator.config import Config
from generator.output import write_output
from generator.pipeline import run

from ..conftest import write_spec
from .specs import HEAD, SPECS

PACKAGE = "wirepkg"
BASE = "https://api.wire.test"
# What the construct specs are expected to warn of, besides operations that look like jobs
# (`no-job-profile`: imports, exports): the invalid default of `defaults`.
EXPECTED_WARNINGS = ["invalid-default"]


@dataclass(frozen=True)
class Build:
    folder: Path  # holds the package
    package: ModuleType
    warnings: list[str]


@contextlib.contextmanager
def generated(specs: tuple[Path, ...], out: Path, package: str) -> Iterator[Build]:
    """`package` generated from `specs` into `out` (nothing may be skipped) and imported; forgotten
    on exit."""
    result = run(Config(specs=specs, output=out, package=package))
    assert result.skipped == []
    write_output(result.files, out)
    sys.path.insert(0, str(out))
    importlib.invalidate_caches()
    try:
        yield Build(out, importlib.import_module(package), sorted(w.code for w in result.warnings))
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]


@pytest.fixture(scope="session")
def build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    folder = tmp_path_factory.mktemp("wire")
    specs = tuple(
        write_spec(folder, HEAD % name + text, f"{name}.yaml") for name, text in SPECS.items()
    )
    with generated(specs, folder / "out", PACKAGE) as found:
        yield found


@pytest.fixture(scope="session")
def pkg(build: Build) -> ModuleType:
    return build.package


def models_of(pkg: ModuleType, api: str) -> Any:
    return importlib.import_module(f"{pkg.__name__}.{api}.models")


class Wire:
    """A generated client (sync or async) whose requests go to `reply` and are kept in `requests`."""

    def __init__(self, pkg: ModuleType, kind: str) -> None:
        self.kind = kind
        self.requests: list[httpx.Request] = []
        self.reply: Callable[[httpx.Request], httpx.Response] = lambda _: httpx.Response(204)

        def handle(request: httpx.Request) -> httpx.Response:
            request.read()
            self.requests.append(request)
            return self.reply(request)

        transport = httpx.MockTransport(handle)
        options: dict[str, Any] = {"auth": "token", "base_url": BASE, "max_retries": 0}
        self._loop: asyncio.AbstractEventLoop | None = None
        if kind == "sync":
            self.client = pkg.Client(http_client=httpx.Client(transport=transport), **options)
        else:
            self._loop = asyncio.new_event_loop()
            http = httpx.AsyncClient(transport=transport)
            self.client = pkg.AsyncClient(http_client=http, **options)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    @property
    def query(self) -> str:
        """The last request's query string, as sent (percent-encoded)."""
        return self.last.url.query.decode("ascii")

    def respond(self, *args: Any, **kwargs: Any) -> None:
        """Answer every request with `httpx.Response(*args, **kwargs)`."""
        self.reply = lambda _: httpx.Response(*args, **kwargs)

    def run(self, call: Callable[[Any], Any]) -> Any:
        """`call(client)`: its result, awaited with the async client."""
        result = call(self.client)
        if self._loop is None:
            return result
        return self._loop.run_until_complete(result)

    def run_async(self, call: Callable[[Any], Awaitable[Any]]) -> Any:
        """An async function of the client, on the async client's loop (async tests only)."""
        assert self._loop is not None
        return self._loop.run_until_complete(call(self.client))

    def close(self) -> None:
        if self._loop is None:
            self.client.close()
        else:
            self._loop.run_until_complete(self.client.aclose())
            self._loop.close()


@pytest.fixture(params=["sync", "async"])
def wire(request: pytest.FixtureRequest, pkg: ModuleType) -> Iterator[Wire]:
    harness = Wire(pkg, request.param)
    yield harness
    harness.close()
