"""A real webhook receiver on 127.0.0.1 that verifies Standard Webhooks signatures with its own
implementation of the spec (it does not import the feed's signer)."""

from __future__ import annotations

import base64
import hmac
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# (attempt number for this webhook-id, starting at 1) -> (status, headers, seconds to stall)
Behaviour = Callable[[int], tuple[int, dict[str, str], float]]
TOLERANCE_S = 300


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    msg_id, ts = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(ts)) > TOLERANCE_S:
        return False
    key = base64.b64decode(secret.split("_", 1)[1])
    expected = base64.b64encode(
        hmac.new(key, msg_id.encode() + b"." + ts.encode() + b"." + body, "sha256").digest())
    for candidate in headers["webhook-signature"].split(" "):
        version, _, sig = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(sig.encode(), expected):
            return True
    return False


@dataclass
class Hit:
    webhook_id: str
    status: int
    body: bytes
    headers: dict[str, str]
    at: float
    valid: bool


@dataclass
class Receiver:
    behaviour: Behaviour
    secret: str = ""
    hits: list[Hit] = field(default_factory=list)
    url: str = ""
    _server: Any = None

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                wid = headers.get("webhook-id", "")
                attempt = 1 + sum(1 for h in receiver.hits if h.webhook_id == wid)
                status, extra, stall = receiver.behaviour(attempt)
                valid = bool(receiver.secret) and verify(receiver.secret, headers, body)
                receiver.hits.append(Hit(wid, status, body, headers, time.monotonic(), valid))
                if stall:
                    time.sleep(stall)
                try:
                    self.send_response(status)
                    for k, v in extra.items():
                        self.send_header(k, v)
                    self.send_header("content-length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender timed out and hung up: that is the point of a stall

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks/jobmatch"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def succeeded(self) -> list[Hit]:
        return [h for h in self.hits if 200 <= h.status < 300]
