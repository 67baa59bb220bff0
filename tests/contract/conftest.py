"""Prism mock servers for the contract tests, started lazily, shared by the session, always stopped.

Prism (npm package `@stoplight/prism-cli`, pinned in tests/package.json, installed by
`npm ci --prefix tests`) serves each spec's own examples (static mode: deterministic responses) and
validates every request against the spec. It is run as

    tests/node_modules/.bin/prism mock SPEC --host 127.0.0.1 --port PORT --dynamic=false

`--errors` is left out on purpose: Prism rejects an invalid request without it (422, or the spec's
own 400/422 example, with an `sl-violations` header); what `--errors` adds is replacing any response
example that does not match its schema with a 500 of Prism's own, and the specs keep such examples
on purpose (the exporter's bare 404 object, promotions' `errors` as one object) because the client
must cope with them. The tests check `sl-violations` and Prism's problem+json errors themselves.

Each Prism runs in its own process group (and, on Linux, dies with the test process), its output
goes to a log file quoted in any failure, and the group is terminated (then killed after a grace
period) when the session ends, whatever the tests did. `pytest_sessionfinish` checks that none is
left and fails the run if one is.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest

from generator.parse import ProjectNames

from ..conftest import GENERATED, ROOT, real_spec_paths

TESTS = ROOT / "tests"
PRISM = TESTS / "node_modules" / ".bin" / "prism"
INSTALL_HINT = "install it with `npm ci --prefix tests` (needs Node.js >= 18.20 and npm)"
READY_TIMEOUT = 60.0  # seconds for one Prism to load its spec and listen (2 cores, cold cache)
STOP_GRACE = 5.0  # seconds between SIGTERM and SIGKILL
READY_LINE = "Prism is listening on"
_LOG_PREFIX = re.compile(r"^\[[^\]]*\] \u203a \[[^\]]*\]\s*\S*\s*(?:fatal|error)?\s*")
PORT_ATTEMPTS = 3  # starts per spec when the chosen port turns out to be taken

# The committed client under test.
if str(GENERATED) not in sys.path:
    sys.path.append(str(GENERATED))

# Process groups started by this session, checked at its end.
_STARTED_GROUPS: list[tuple[int, str]] = []


class PrismStartError(Exception):
    """Prism is there but could not serve this spec (its output says why)."""

    def __init__(self, message: str, *, prism_error: str) -> None:
        super().__init__(message)
        self.prism_error = prism_error


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM it when the test process dies (Linux only), so a
    killed pytest (no finalizers) leaves no Prism behind."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def group_alive(pgid: int) -> bool:
    """Whether any process of group `pgid` still runs (zombies waiting to be reaped do not count)."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            return True
    return False


def stop_group(process: subprocess.Popen[bytes], grace: float = STOP_GRACE) -> None:
    """SIGTERM the process group, SIGKILL it after `grace` seconds, and reap the leader."""
    pgid = process.pid  # start_new_session: the leader's pid is the group id
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        process.wait(timeout=grace)
    deadline = time.monotonic() + grace
    while group_alive(pgid) and time.monotonic() < deadline:  # children of the leader, if any
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        time.sleep(0.05)


@dataclass
class PrismServer:
    spec: Path
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes]
    started: float = field(default_factory=time.monotonic)
    ready_after: float | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        self.log_file.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_tail(self, lines: int = 25) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def wait_ready(self, deadline: float) -> None:
        while True:
            code = self.process.poll()
            if code is not None:
                raise PrismStartError(
                    f"Prism exited with code {code} while loading {self.spec}:\n{self.log_tail()}",
                    prism_error=_prism_error(self.log()),
                )
            if READY_LINE in self.log() and _listening(self.port):
                self.ready_after = time.monotonic() - self.started
                return
            if time.monotonic() > deadline:
                raise PrismStartError(
                    f"Prism did not listen on {self.url} within {READY_TIMEOUT:.0f} s "
                    f"for {self.spec}:\n{self.log_tail()}",
                    prism_error=f"not ready within {READY_TIMEOUT:.0f} s",
                )
            time.sleep(0.05)

    def stop(self) -> None:
        try:
            stop_group(self.process)
        finally:
            self.log_file.close()


def _prism_error(log: str) -> str:
    """The line of Prism's output that says what went wrong, without its timestamp and tag."""
    for line in log.splitlines():
        if any(word in line.lower() for word in ("error", "fatal", "unexpected", "cannot")):
            return _LOG_PREFIX.sub("", line).strip()
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


class PrismPool:
    """One Prism per spec, started on first use (several at once when asked together) and kept."""

    def __init__(self, log_dir: Path, prism: Path = PRISM) -> None:
        self.log_dir = log_dir
        self.prism = prism
        self.servers: dict[Path, PrismServer] = {}
        self.failures: dict[Path, PrismStartError] = {}
        self.started: list[int] = []  # process group ids, in start order
        self._broken: str | None = None  # why `prism --version` fails ("" when it works)

    def preflight(self) -> None:
        """Fail (not skip) with how to install, when node or Prism is missing."""
        if shutil.which("node") is None:
            pytest.fail(
                "Node.js is not on PATH: the contract tests run Stoplight Prism "
                f"(npm package @stoplight/prism-cli); install Node.js, then {INSTALL_HINT}",
                pytrace=False,
            )
        if not self.prism.exists():
            pytest.fail(
                f"Prism is not installed ({self.prism} is missing): {INSTALL_HINT}", pytrace=False
            )

    def check_prism_runs(self) -> None:
        """After a failed start: fail (not skip) when Prism itself is broken, not the spec."""
        if self._broken is None:
            try:
                done = subprocess.run(
                    [str(self.prism), "--version"],
                    capture_output=True,
                    text=True,
                    timeout=READY_TIMEOUT,
                    stdin=subprocess.DEVNULL,
                    cwd=ROOT,
                )
                output = (done.stdout + done.stderr).strip()[-2000:]
                self._broken = "" if done.returncode == 0 else output
            except (OSError, subprocess.TimeoutExpired) as error:
                self._broken = str(error)
        if self._broken:
            pytest.fail(
                f"Prism ({self.prism}) does not run:\n{self._broken}\nre{INSTALL_HINT}",
                pytrace=False,
            )

    def url(self, spec: Path) -> str:
        """The base URL of a Prism serving `spec`; raises PrismStartError when it cannot."""
        return self.urls([spec])[spec]

    def urls(self, specs: list[Path]) -> dict[Path, str]:
        found = self.try_urls(specs)
        for result in found.values():
            if isinstance(result, PrismStartError):
                raise result
        return {spec: str(url) for spec, url in found.items()}

    def try_urls(self, specs: list[Path]) -> dict[Path, str | PrismStartError]:
        """Start what is not running yet, all at once; per spec its URL or why Prism cannot serve it.
        Fails the test (with how to install) when Prism itself is missing or broken."""
        self.preflight()
        deadline = time.monotonic() + READY_TIMEOUT
        for attempt in range(PORT_ATTEMPTS):
            starting = [self._start(spec) for spec in specs if self._needs_start(spec)]
            for server in starting:
                try:
                    server.wait_ready(deadline)
                except PrismStartError as error:
                    del self.servers[server.spec]
                    server.stop()
                    # Another process took the free port between our check and Prism's bind.
                    port_taken = "EADDRINUSE" in str(error) and attempt + 1 < PORT_ATTEMPTS
                    if not port_taken:
                        self.failures[server.spec] = error
            if not any(self._needs_start(spec) for spec in specs):
                break
        if any(spec in self.failures for spec in specs):
            self.check_prism_runs()  # a broken install is not the spec's fault
        return {spec: self.failures.get(spec) or self.servers[spec].url for spec in specs}

    def _needs_start(self, spec: Path) -> bool:
        return spec not in self.servers and spec not in self.failures

    def _start(self, spec: Path) -> PrismServer:
        port = free_port()
        log_path = self.log_dir / f"{spec.stem}-{port}.log"
        log_file = log_path.open("wb")
        env = {**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"}
        process = subprocess.Popen(
            [
                str(self.prism),
                "mock",
                str(spec),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--dynamic=false",
            ],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            env=env,
            cwd=ROOT,
        )
        _STARTED_GROUPS.append((process.pid, str(spec)))
        self.started.append(process.pid)
        server = PrismServer(spec, port, process, log_path, log_file)
        self.servers[spec] = server
        return server

    def close(self) -> None:
        errors = []
        for server in self.servers.values():
            try:
                server.stop()
            except Exception as error:  # keep stopping the others
                errors.append(error)
        self.servers.clear()
        if errors:
            raise errors[0]

    def timings(self) -> dict[str, float]:
        return {s.spec.name: s.ready_after for s in self.servers.values() if s.ready_after}


# -- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrismPool]:
    pool = PrismPool(tmp_path_factory.mktemp("prism"))
    try:
        yield pool
    finally:
        pool.close()


def project_specs() -> dict[str, Path]:
    """The configured specs (`[tool.jobgen] specs` in pyproject.toml), by the API's client name."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["jobgen"]
    names = ProjectNames()
    specs = [ROOT / s for s in config["specs"]]
    return {names.claim(spec.stem).module: spec for spec in specs}


@pytest.fixture(scope="session")
def project_prism(prism: PrismPool) -> dict[str, str]:
    """Base URLs of Prism on each configured spec, by API name; all started together, once."""
    specs = project_specs()
    try:
        urls = prism.urls(list(specs.values()))
    except PrismStartError as error:
        pytest.fail(f"{error}\n(Prism could not serve one of the project's specs)", pytrace=False)
    return {api: urls[spec] for api, spec in specs.items()}


@dataclass(frozen=True)
class RealBuild:
    """A client generated from the published specs, and what the generator made of them."""

    folder: Path  # holds the package `ep`
    package: str
    project: Any  # generator.ir.Project
    specs: dict[str, Path]  # by API name


@pytest.fixture(scope="session")
def real_build(tmp_path_factory: pytest.TempPathFactory) -> RealBuild:
    """The published specs generated into a temporary package `ep` (skips when they are absent)."""
    from generator.output import write_output
    from generator.pipeline import ad_hoc_config, run

    specs = real_spec_paths()
    out = tmp_path_factory.mktemp("real-contract") / "build"
    result = run(ad_hoc_config(tuple(map(str, specs)), str(out), "ep", (), False))
    write_output(result.files, out)
    assert result.project is not None, "generator.pipeline.run returned no IR"
    by_api = {api.name: Path(api.source) for api in result.project.apis}
    return RealBuild(out, "ep", result.project, by_api)


@pytest.fixture(scope="session")
def real_prism(prism: PrismPool, real_build: RealBuild) -> dict[str, str | PrismStartError]:
    """Prism on each published spec, by API name: its URL, or why Prism cannot load that spec."""
    found = prism.try_urls([spec.resolve() for spec in real_build.specs.values()])
    return {api: found[spec.resolve()] for api, spec in real_build.specs.items()}


# -- the session's end: no Prism may outlive it ------------------------------------------------------


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    left = [(pgid, spec) for pgid, spec in _STARTED_GROUPS if group_alive(pgid)]
    if not left:
        return
    for pgid, _ in left:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
    reporter: Any = session.config.pluginmanager.get_plugin("terminalreporter")
    message = "Prism processes outlived the test session (killed now): " + ", ".join(
        f"pgid {pgid} ({spec})" for pgid, spec in left
    )
    if reporter is not None:
        reporter.write_line(message, red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
