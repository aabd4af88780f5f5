"""A real HTTP server on loopback, in a thread, for the integrations' tests: a webhook receiver that verifies
signatures, and a stand-in for GitHub's and Jira's REST APIs answering recorded responses.

``Stub.answer(method, path, status, body)`` queues answers per route (the last one repeats); every request is
recorded (method, path, query, headers, raw body) in ``Stub.requests``.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest


@dataclass
class Received:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Stub:
    url: str = ""
    requests: list[Received] = field(default_factory=list)
    answers: dict[tuple[str, str], deque[tuple[int, bytes]]] = field(default_factory=lambda: defaultdict(deque))
    default: tuple[int, bytes] = (200, b'{"ok": true}')

    def answer(self, method: str, path: str, status: int, body: Any = b"") -> None:
        data = (
            body
            if isinstance(body, bytes)
            else json.dumps(body).encode()
            if not isinstance(body, str)
            else body.encode()
        )
        self.answers[(method, path)].append((status, data))

    def only(self, method: str, path: str, status: int, body: Any = b"") -> None:
        """From now on, answer this (what was queued for the route is dropped)."""
        self.answers[(method, path)].clear()
        self.answer(method, path, status, body)

    def next_answer(self, method: str, path: str) -> tuple[int, bytes]:
        queue = self.answers.get((method, path))
        if not queue:
            return self.default
        return queue.popleft() if len(queue) > 1 else queue[0]


def _handler(stub: Stub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            stub.requests.append(Received(self.command, parts.path, parts.query, dict(self.headers.items()), body))
            status, data = stub.next_answer(self.command, parts.path)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = _serve

        def log_message(self, *args: Any) -> None:  # quiet
            pass

    return Handler


@pytest.fixture
def http_stub() -> Iterator[Stub]:
    stub = Stub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
