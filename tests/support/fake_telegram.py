"""A stand-in for the Telegram Bot API on loopback, speaking its JSON protocol:
``POST /bot<token>/getUpdates`` (offset, timeout; long-polls) and ``/bot<token>/sendMessage``,
answering ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": ..., ...}``."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FakeTelegram:
    token: str
    updates: list[dict[str, Any]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    offsets: list[int | None] = field(default_factory=list)
    fail_sends: int = 0
    _next_update_id: int = 1000
    _next_message_id: int = 1
    _lock: threading.Condition = field(default_factory=threading.Condition)

    def customer_says(self, chat_id: int, text: str | None, *, language_code: str = "en") -> int:
        """Queue an incoming private message; returns its update id."""
        with self._lock:
            update_id = self._next_update_id
            self._next_update_id += 1
            message: dict[str, Any] = {
                "message_id": self._next_message_id,
                "date": 1_700_000_000,
                "chat": {"id": chat_id, "type": "private", "first_name": "Ann"},
                "from": {
                    "id": chat_id,
                    "is_bot": False,
                    "first_name": "Ann",
                    "language_code": language_code,
                },
            }
            if text is not None:
                message["text"] = text
            else:
                message["photo"] = [{"file_id": "x", "width": 1, "height": 1}]
            self._next_message_id += 1
            self.updates.append({"update_id": update_id, "message": message})
            self._lock.notify_all()
            return update_id

    def messages_to(self, chat_id: int) -> list[str]:
        return [item["text"] for item in self.sent if item["chat_id"] == chat_id]

    def _get_updates(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        offset = body.get("offset")
        timeout = min(float(body.get("timeout", 0)), 2.0)
        with self._lock:
            self.offsets.append(offset)
            if offset is not None:
                # Confirmed: Telegram forgets every update below the offset.
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            if not self.updates and timeout:
                self._lock.wait(timeout)
            return list(self.updates)

    def _send_message(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            if self.fail_sends > 0:
                self.fail_sends -= 1
                return 500, {"ok": False, "error_code": 500, "description": "Internal Error"}
            text = body.get("text")
            if not isinstance(text, str) or not text or len(text) > 4096:
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: text"}
            self.sent.append({"chat_id": int(body["chat_id"]), "text": text})
            result = {
                "message_id": self._next_message_id,
                "chat": {"id": int(body["chat_id"]), "type": "private"},
                "date": 1_700_000_000,
                "text": text,
            }
            self._next_message_id += 1
            return 200, {"ok": True, "result": result}

    def handle(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = path[len(prefix) :]
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(body)}
        if method == "sendMessage":
            return self._send_message(body)
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}


def _handler(fake: FakeTelegram) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                body = None
            if not isinstance(body, dict):
                status, answer = 400, {"ok": False, "error_code": 400, "description": "JSON"}
            else:
                status, answer = fake.handle(self.path, body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def fake_telegram(token: str = "123456:TEST-token") -> Iterator[tuple[str, FakeTelegram]]:
    """Yield the API base URL and the fake's state."""
    fake = FakeTelegram(token=token)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", fake
    finally:
        with fake._lock:
            fake._lock.notify_all()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
