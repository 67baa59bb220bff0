"""Fixtures for the runtime tests, and the one place that decides what `rt_pkg` is.

The runtime modules (templates/runtime/*.py) only work inside a package (they use relative imports
and read the package name from `__name__`). So tests import them from a package called `rt_pkg`:

- by default `rt_pkg` is built when this conftest is imported (at collection time): a temporary
  folder on `sys.path` holding a copy of templates/runtime/*.py, a `_version.py` with
  `__version__ = "0.0.0-test"` and an empty `__init__.py`;
- with `JOBGEN_RUNTIME_PACKAGE=<import name>` (for example `ep_jobs`, once generated) `rt_pkg` and
  each of its modules are aliases in `sys.modules` of that package's modules, so the same tests run
  against the generated package. Tests must therefore derive names (logger, environment variable,
  User-Agent) from the imported modules, never spell `rt_pkg` in them.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib
import os
import shutil
import socket
import struct
import sys
import tempfile
import threading
from collections.abc import Awaitable, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import respx

RUNTIME_TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "runtime"
PACKAGE_ALIAS = "rt_pkg"
TEST_VERSION = "0.0.0-test"


def _install_runtime_package() -> None:
    real_name = os.environ.get("JOBGEN_RUNTIME_PACKAGE")
    if real_name:
        package = importlib.import_module(real_name)
        sys.modules[PACKAGE_ALIAS] = package
        for source in Path(next(iter(package.__path__))).glob("*.py"):
            if source.stem != "__init__":
                module = importlib.import_module(f"{real_name}.{source.stem}")
                sys.modules[f"{PACKAGE_ALIAS}.{source.stem}"] = module
        return
    root = Path(tempfile.mkdtemp(prefix="jobgen-runtime-tests-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    package_dir = root / PACKAGE_ALIAS
    package_dir.mkdir()
    for source in RUNTIME_TEMPLATES.glob("*.py"):
        shutil.copyfile(source, package_dir / source.name)
    (package_dir / "_version.py").write_text(f'__version__ = "{TEST_VERSION}"\n')
    (package_dir / "__init__.py").write_text('"""The runtime modules, packaged for tests."""\n')
    sys.path.insert(0, str(root))


_install_runtime_package()

from rt_pkg._base_client import AsyncAPIClient, SyncAPIClient  # noqa: E402

BASE_URL = "https://api.test"
T = TypeVar("T")

# Building an SSL context loads the CA bundle (~30 ms): the harness clients share one.
SSL_CONTEXT = httpx.create_ssl_context()


# -- one interface over both clients ---------------------------------------------------------------


class Api:
    """A sync or async client behind one blocking interface, so one test covers both.

    Sleeps are recorded in `sleeps` instead of slept; jitter is off (`random() == 0`) unless given.
    The async client runs on one private event loop for the harness's lifetime. The httpx client is
    the harness's own (sharing `SSL_CONTEXT`) unless `http_client` is given, or, with
    `own_pool=True`, the one the client makes itself (as users' clients do by default).
    """

    def __init__(self, kind: str, *, own_pool: bool = False, **kwargs: Any) -> None:
        self.kind = kind
        self.sleeps: list[float] = []
        kwargs.setdefault("base_url", BASE_URL)
        kwargs.setdefault("_random", lambda: 0.0)
        self._loop: asyncio.AbstractEventLoop | None = None
        if kind == "sync":
            if not own_pool:
                kwargs.setdefault("http_client", httpx.Client(verify=SSL_CONTEXT))
            self.http: httpx.Client | httpx.AsyncClient | None = kwargs.get("http_client")
            self.client: SyncAPIClient | AsyncAPIClient = SyncAPIClient(
                _sleep=self.sleeps.append, **kwargs
            )
        else:

            async def record(seconds: float) -> None:
                self.sleeps.append(seconds)

            if not own_pool:
                kwargs.setdefault("http_client", httpx.AsyncClient(verify=SSL_CONTEXT))
            self.http = kwargs.get("http_client")
            self._loop = asyncio.new_event_loop()
            self.client = AsyncAPIClient(_sleep=record, **kwargs)

    def run(self, call: Callable[[Any], T | Awaitable[T]]) -> T:
        """`call(client)`, awaited on the harness loop when the client is async."""
        result = call(self.client)
        if self._loop is None:
            return result  # type: ignore[return-value]
        return self._loop.run_until_complete(result)  # type: ignore[arg-type]

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.run(lambda client: client.request(method, path, **kwargs))

    def close(self) -> None:
        if isinstance(self.http, httpx.Client):
            self.http.close()
        elif isinstance(self.http, httpx.AsyncClient) and self._loop is not None:
            self._loop.run_until_complete(self.http.aclose())
        elif isinstance(self.client, SyncAPIClient):
            self.client.close()
        elif self._loop is not None:
            self._loop.run_until_complete(self.client.aclose())
        if self._loop is not None:
            self._loop.close()


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_api(kind: str) -> Iterator[Callable[..., Api]]:
    """A factory of `Api` harnesses of the parametrised kind, closed after the test."""
    made: list[Api] = []

    def make(**kwargs: Any) -> Api:
        api = Api(kind, **kwargs)
        made.append(api)
        return api

    yield make
    for api in made:
        api.close()


class Wire:
    """An `Api` harness whose pool is an `httpx.MockTransport`: `requests` records what httpx
    actually sent (body read), and `reply(request)` makes each response (200 `{}` by default)."""

    def __init__(self, make_api: Callable[..., Api], kind: str, **kwargs: Any) -> None:
        self.requests: list[httpx.Request] = []
        self.reply: Callable[[httpx.Request], httpx.Response] = lambda _: httpx.Response(
            200, json={}
        )

        def handle(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return self.reply(request)

        transport = httpx.MockTransport(handle)
        http: httpx.Client | httpx.AsyncClient = (
            httpx.Client(transport=transport)
            if kind == "sync"
            else httpx.AsyncClient(transport=transport)
        )
        self.api = make_api(http_client=http, **kwargs)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def call(self, operation: Any, args: Any = None, **kwargs: Any) -> Any:
        """`client._call(operation, args, **kwargs)`, awaited for the async client."""
        return self.api.run(lambda client: client._call(operation, args, **kwargs))

    def respond(self, *args: Any, **kwargs: Any) -> None:
        """Answer every request with `httpx.Response(*args, **kwargs)`."""
        self.reply = lambda _: httpx.Response(*args, **kwargs)


@pytest.fixture
def make_wire(make_api: Callable[..., Api], kind: str) -> Callable[..., Wire]:
    """A factory of `Wire`s of the parametrised kind; keyword arguments go to the client."""
    return lambda **kwargs: Wire(make_api, kind, **kwargs)


@pytest.fixture
def wire(make_wire: Callable[..., Wire]) -> Wire:
    """A `Wire` of the parametrised kind (sync and async)."""
    return make_wire()


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    """respx routes under `BASE_URL`; every test must set up the routes it calls."""
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as mock:
        yield mock


# -- a real HTTP server, for what mocks cannot show ------------------------------------------------


class ServerState:
    """What the local server saw, and the event that releases its slow handlers on shutdown."""

    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()
        self.release = threading.Event()

    def hit(self, path: str) -> None:
        with self.lock:
            self.hits[path] = self.hits.get(path, 0) + 1


#: What the local server's token endpoint hands out: secrets that must never reach a log line.
SERVER_TOKEN = "tok-from-local-server-8f2c"
SERVER_COOKIE = "cookie-from-local-server-71ad"


class _Handler(BaseHTTPRequestHandler):
    """Misbehaves on purpose, one way per path."""

    protocol_version = "HTTP/1.1"
    state: ServerState  # set on the per-server subclass

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._serve()

    def _serve(self) -> None:
        path = self.path.split("?")[0]
        self.state.hit(path)
        behaviour = getattr(self, "_" + path.strip("/").replace("-", "_").replace("/", "_"), None)
        if behaviour is None:
            self._send(404, b'{"errors":[{"status":404,"title":"Not Found"}]}')
        else:
            behaviour()

    def _send(self, status: int, body: bytes, *, length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.send_header("x-request-id", "req-local")
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _ok(self) -> None:
        self._send(200, b'{"data":{"id":"1"}}')

    def _oauth_access_token(self) -> None:
        body = f'{{"access_token":"{SERVER_TOKEN}","token_type":"Bearer","expires_in":3600}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Set-Cookie", f"session={SERVER_COOKIE}; HttpOnly")
        self.end_headers()
        self.wfile.write(body.encode())

    def _slow(self) -> None:
        # Answers only after far longer than the tests' timeouts; released at shutdown.
        self.state.release.wait(5.0)
        self._send(200, b"{}")

    def _reset_mid_body(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b'{"data": [{"id": "1"}, ')
        self.wfile.flush()
        # SO_LINGER 0: close() sends a TCP reset instead of an orderly shutdown.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def _truncated_long_length(self) -> None:
        # Promises 200 bytes, sends 20, hangs up: the body can never be complete.
        self._send(200, b'{"data": [{"id": "1"', length=200)
        self.close_connection = True

    def _truncated_json(self) -> None:
        # A complete HTTP message (Content-Length matches) whose JSON is cut short.
        self._send(200, b'{"data": [{"id": "1"')

    def _html_error(self) -> None:
        body = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class LocalServer:
    token = SERVER_TOKEN
    cookie = SERVER_COOKIE

    def __init__(self, base_url: str, state: ServerState) -> None:
        self.base_url = base_url
        self.state = state

    def hits(self, path: str) -> int:
        with self.state.lock:
            return self.state.hits.get(path, 0)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up on purpose (timeouts) is not news


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    """A threaded HTTP server on 127.0.0.1 (an ephemeral port), stopped after the test."""
    state = ServerState()
    handler = type("Handler", (_Handler,), {"state": state})
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield LocalServer(f"http://{host!s}:{port}", state)
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def closed_port() -> int:
    """A local port with nothing listening on it (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
