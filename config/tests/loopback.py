"""A tiny threaded HTTP server on 127.0.0.1 for tests of outbound integrations (stand-ins for Prometheus, BMCs).

``handler(request) -> Answer`` decides each answer; every request is recorded. The server stops with the context.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Loopback:
    url: str
    port: int
    seen: list[Seen]


Handler = Callable[[Seen], Answer]


@contextmanager
def serve(handler: Handler, *, ssl_context: Any = None) -> Iterator[Loopback]:
    seen: list[Seen] = []
    stop = threading.Event()

    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            request = Seen(self.command, parts.path, parse_qs(parts.query), dict(self.headers), self.rfile.read(length))
            seen.append(request)
            answer = handler(request)
            if answer.delay:
                stop.wait(answer.delay)
            body = answer.body.encode() if isinstance(answer.body, str) else answer.body
            self.send_response(answer.status)
            for name, value in {"Content-Type": "application/json", **answer.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        do_GET = do_POST = do_DELETE = do_PATCH = _handle  # noqa: N815

    server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
    server.daemon_threads = True
    if ssl_context is not None:
        server.socket = ssl_context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    scheme = "https" if ssl_context is not None else "http"
    try:
        yield Loopback(f"{scheme}://127.0.0.1:{port}", port, seen)
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
