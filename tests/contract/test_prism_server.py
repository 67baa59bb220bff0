"""The Prism fixture itself: it fails loudly when Prism is missing, and leaves no process behind."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from . import conftest
from .conftest import (
    INSTALL_HINT,
    PrismPool,
    PrismStartError,
    group_alive,
    project_specs,
    stop_group,
)
from .conftest import free_port as real_free_port


def test_missing_prism_fails_with_how_to_install_it(tmp_path: Path) -> None:
    pool = PrismPool(tmp_path, prism=tmp_path / "node_modules" / ".bin" / "prism")
    with pytest.raises(pytest.fail.Exception, match=r"npm ci --prefix tests") as failed:
        pool.url(next(iter(project_specs().values())))
    assert "is missing" in str(failed.value)
    assert not pool.servers


def test_missing_node_fails_with_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no `node` here
    pool = PrismPool(tmp_path)
    with pytest.raises(pytest.fail.Exception, match=r"Node\.js is not on PATH") as failed:
        pool.url(next(iter(project_specs().values())))
    assert INSTALL_HINT in str(failed.value)


def test_a_spec_prism_cannot_load_is_reported_with_prisms_error_and_no_process_left(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "broken.yaml"
    spec.write_text("openapi: 3.1.0\ninfo: {title: broken, version: '1'}\npaths: {}\n")
    pool = PrismPool(tmp_path)
    with pytest.raises(PrismStartError) as failed:
        pool.url(spec)
    assert "No operations found" in failed.value.prism_error
    assert "No operations found" in str(failed.value)  # the log tail is quoted
    with pytest.raises(PrismStartError):  # remembered: not started again
        pool.url(spec)
    assert not pool.servers
    assert len(pool.started) == 1 and not group_alive(pool.started[0])


def test_a_broken_prism_install_fails_rather_than_blaming_the_spec(tmp_path: Path) -> None:
    fake = tmp_path / "prism"
    fake.write_text(
        "#!/bin/sh\necho 'Error: Cannot find module @stoplight/prism-http' >&2\nexit 1\n"
    )
    fake.chmod(0o755)
    pool = PrismPool(tmp_path, prism=fake)
    with pytest.raises(pytest.fail.Exception, match="does not run") as failed:
        pool.url(next(iter(project_specs().values())))
    assert "Cannot find module" in str(failed.value) and "npm ci --prefix tests" in str(
        failed.value
    )


def test_a_port_taken_before_prism_binds_it_is_retried_on_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = next(iter(project_specs().values()))
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        ports = iter([taken])
        monkeypatch.setattr(conftest, "free_port", lambda: next(ports, 0) or real_free_port())
        pool = PrismPool(tmp_path)
        try:
            url = pool.url(spec)
            assert len(pool.started) == 2 and f":{taken}" not in url
            assert "EADDRINUSE" in (tmp_path / f"{spec.stem}-{taken}.log").read_text()
        finally:
            pool.close()
        assert not any(group_alive(pgid) for pgid in pool.started)


def test_prism_stops_on_sigterm_and_frees_its_port(tmp_path: Path) -> None:
    spec = next(iter(project_specs().values()))
    pool = PrismPool(tmp_path)
    url = pool.url(spec)
    server = pool.servers[spec]
    pgid = server.process.pid
    assert group_alive(pgid)
    started = time.monotonic()
    pool.close()
    assert time.monotonic() - started < 4, "Prism ignored SIGTERM and had to be killed"
    assert server.process.returncode is not None
    assert not group_alive(pgid)
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", server.port)) != 0, f"{url} still answers"


def test_stop_group_kills_what_ignores_sigterm_and_its_children() -> None:
    """The escalation path, on a stand-in that ignores SIGTERM and has a child of its own."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import signal, subprocess, sys, time\n"
                "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                "subprocess.Popen([sys.executable, '-c', 'import signal, time; "
                "signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)'])\n"
                "print('ready', flush=True)\n"
                "time.sleep(60)\n"
            ),
        ],
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == b"ready"
    started = time.monotonic()
    stop_group(process, grace=0.5)
    assert not group_alive(process.pid)
    assert time.monotonic() - started < 5
