"""A bounded HTTP/1.1 server on 127.0.0.1 for the client benchmark; run as a child process.

`python bench/loopback.py MAX_REQUESTS MAX_SECONDS BODY_FILE` serves BODY_FILE as JSON to every GET,
prints its port on the first line of stdout, and stops by itself after MAX_REQUESTS requests or
MAX_SECONDS seconds, whichever comes first. Keep-alive, so a client reuses its connection as it would
against the real API. It binds the loopback address only.
"""

from __future__ import annotations

import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def main() -> None:
    max_requests, max_seconds, body_file = int(sys.argv[1]), float(sys.argv[2]), Path(sys.argv[3])
    body = body_file.read_bytes()
    served = 0
    lock = threading.Lock()
    done = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # One write per response (headers and body buffered, flushed after each request) and no Nagle
        # delay: otherwise delayed ACKs add 40 ms to every keep-alive request.
        wbufsize = 1 << 16
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            nonlocal served
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("x-request-id", "bench")
            self.end_headers()
            self.wfile.write(body)
            with lock:
                served += 1
                if served >= max_requests:
                    done.set()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    deadline = time.monotonic() + max_seconds
    while not done.is_set() and time.monotonic() < deadline:
        done.wait(0.05)
    server.shutdown()
    server.server_close()


if __name__ == "__main__":
    main()
