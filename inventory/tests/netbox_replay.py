"""A replay of recorded NetBox REST API responses (tests only): a small threaded ``http.server`` that answers each
request with the recording of the same method, path and query (parameters sorted by name, as
``data/netbox/<version>/index.json`` keys them), with the recording's status and headers, every absolute URL of the
recording's origin rewritten to its own (so pynetbox follows ``next`` links and nested ``url``\\ s back to it).

Authorization decides the key's suffix as when recording: the stub's token (``Token <t>`` or ``Bearer <t>``) is
valid, another is `` auth=invalid``, none is `` auth=none``. A request never recorded gets 501 with the missing key
(and is listed in ``misses``): a test of a sync that asks for something new fails loudly.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

DATA = Path(__file__).parent / "data" / "netbox"
TOKEN = "0123456789abcdef0123456789abcdef01234567"  # what the stub takes for the recorded, valid token


class Replay:
    def __init__(self, folder: Path, token: str = TOKEN) -> None:
        index = json.loads((folder / "index.json").read_text())
        self.folder = folder
        self.origin = index["meta"]["origin"].encode()
        self.version = index["meta"]["netbox_version"]
        self.entries = index["requests"]
        self.token = token
        self.misses: list[str] = []
        self.requests: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def key(self, method: str, target: str, authorization: str | None) -> str:
        parts = urlsplit(target)
        query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
        key = f"{method} {parts.path}" + (f"?{query}" if query else "")
        if authorization is None:
            return key + " auth=none"
        if authorization not in (f"Token {self.token}", f"Bearer {self.token}"):
            return key + " auth=invalid"
        return key

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                key = replay.key("GET", self.path, self.headers.get("Authorization"))
                replay.requests.append(key)
                entry = replay.entries.get(key)
                if entry is None:
                    replay.misses.append(key)
                    self._send(501, {"Content-Type": "application/json"}, json.dumps({"not_recorded": key}).encode())
                    return
                body = (replay.folder / entry["file"]).read_bytes().replace(replay.origin, replay.url.encode())
                headers = {h: v for h, v in entry["headers"].items() if h in ("Content-Type", "API-Version", "Allow")}
                self._send(entry["status"], headers, body)

            def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
                pass

        return Handler


@contextmanager
def replaying(version: str) -> Iterator[Replay]:
    replay = Replay(DATA / version)
    thread = threading.Thread(target=replay.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield replay
    finally:
        replay.server.shutdown()
        replay.server.server_close()
