"""The fake on real sockets: `LiveServer` and its HTTP handler, which play out on the wire what an
in-process transport cannot (a reset mid-body, an answer too late, a short body)."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import types
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Final, cast

import httpx

from .._auth import Auth
from . import _clients

if TYPE_CHECKING:
    from .._client import AsyncClient, Client
    from ._server import FakeJobServer

_NOT_COPIED: Final = frozenset({"content-length", "transfer-encoding", "connection"})


class LiveServer:
    """A `FakeJobServer` served over HTTP on 127.0.0.1: one port for the API, one for storage.

    Made by `FakeJobServer.serve()`; a context manager. Each connection has its own thread;
    `stop()` (or leaving the `with`, or `max_lifetime`) closes the ports and every open
    connection, and cuts stalled answers short.
    """

    def __init__(self, fake: FakeJobServer, *, host: str, max_lifetime: float) -> None:
        self.fake = fake
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopped = False
        self._done = threading.Event()
        self._servers = [
            _HTTPServer((host, 0), self, "api"),
            _HTTPServer((host, 0), self, "storage"),
        ]
        self.base_url, self.storage_url = (
            f"http://{host}:{server.server_address[1]}" for server in self._servers
        )
        self._threads = [
            threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"fake-job-server-{server.role}",
                daemon=True,
            )
            for server in self._servers
        ]
        self._watchdog = threading.Timer(max_lifetime, self.stop)
        self._watchdog.daemon = True

    def _start(self) -> None:
        for thread in self._threads:
            thread.start()
        self._watchdog.start()

    def client(
        self, *, auth: Auth | str | None = None, virtual_time: bool = False, **options: Any
    ) -> Client:
        """A `Client` talking to this server over real sockets; see `FakeJobServer.client`
        (here polls and retries really sleep unless `virtual_time=True`)."""
        return _clients.sync_client(
            self.base_url,
            transport=None,
            auth=auth,
            virtual_time=virtual_time,
            options=options,
            token=self.fake.token,
            clock=self.fake.clock,
        )

    def async_client(
        self, *, auth: Auth | str | None = None, virtual_time: bool = False, **options: Any
    ) -> AsyncClient:
        """An `AsyncClient` talking to this server over real sockets; see `client`."""
        return _clients.async_client(
            self.base_url,
            transport=None,
            auth=auth,
            virtual_time=virtual_time,
            options=options,
            token=self.fake.token,
            clock=self.fake.clock,
        )

    @property
    def running(self) -> bool:
        """False once `stop` has finished (ports closed, the fake's addresses restored)."""
        return not self._done.is_set()

    def stop(self) -> None:
        with self._lock:
            stopping_already = self._stopped
            self._stopped = True
        if stopping_already:  # another thread (the watchdog, say) is stopping it: wait for it
            if threading.current_thread() is not self._watchdog:
                self._done.wait(timeout=10)
            return
        self.stopping.set()
        self._watchdog.cancel()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout=5)
        self.fake._unserve(self)
        self._done.set()

    def __enter__(self) -> LiveServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: types.TracebackType | None,
    ) -> None:
        self.stop()

    def _track(self, connection: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], live: LiveServer, role: str) -> None:
        self.live = live
        self.role = role
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10.0  # an idle keep-alive connection is closed after this many seconds

    def setup(self) -> None:
        super().setup()
        self._live()._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self._live()._track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _live(self) -> LiveServer:
        return cast(_HTTPServer, self.server).live

    def _serve(self) -> None:
        server = cast(_HTTPServer, self.server)
        live = server.live
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        origin = live.base_url if server.role == "api" else live.storage_url
        request = httpx.Request(
            self.command, origin + self.path, headers=list(self.headers.items()), content=body
        )
        response, fault = live.fake._process(request)
        kind = fault.kind if fault is not None else None
        if response is None or kind == "disconnect":
            self._hang_up(reset=False)
            return
        if fault is not None and kind == "stall" and live.stopping.wait(fault.delay):
            self._hang_up(reset=False)
            return
        content = response.content
        try:
            self.send_response(response.status_code)
            for name, value in response.headers.multi_items():
                if name.lower() not in _NOT_COPIED:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if fault is not None and kind == "cut":
                self.wfile.write(content[: fault.after])
                self.wfile.flush()
                self._hang_up(reset=fault.reset)
                return
            if self.command != "HEAD":
                self.wfile.write(content)
        except OSError:  # the client gave up meanwhile (timed out, say)
            self.close_connection = True

    def _hang_up(self, *, reset: bool) -> None:
        """Close the connection: with a TCP reset (SO_LINGER 0), or an orderly FIN."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            if reset:
                linger = struct.pack("ii", 1, 0)
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                self.connection.close()
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
