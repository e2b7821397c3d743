"""A stand-in for clamd on loopback (TCP or a unix socket) speaking the real protocol:
``zINSTREAM\\0`` then length-prefixed chunks ending with a zero length; it answers
``stream: OK\\0`` or ``stream: Eicar-Signature FOUND\\0`` for the EICAR test file."""

from __future__ import annotations

import socketserver
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@dataclass
class ClamdLog:
    chunk_sizes: list[list[int]] = field(default_factory=list)
    commands: list[bytes] = field(default_factory=list)


def _read_exactly(stream: socketserver.StreamRequestHandler, size: int) -> bytes:
    data = stream.rfile.read(size)
    if len(data) != size:
        raise ConnectionError("short read")
    return data


def _handler(log: ClamdLog, max_stream_bytes: int) -> type[socketserver.StreamRequestHandler]:
    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            command = b""
            while not command.endswith(b"\0"):
                byte = self.rfile.read(1)
                if not byte:
                    return
                command += byte
            log.commands.append(command)
            if command == b"zPING\0":
                self.wfile.write(b"PONG\0")
                return
            if command != b"zINSTREAM\0":
                self.wfile.write(b"UNKNOWN COMMAND\0")
                return
            sizes: list[int] = []
            content = b""
            while True:
                (size,) = struct.unpack("!L", _read_exactly(self, 4))
                sizes.append(size)
                if size == 0:
                    break
                content += _read_exactly(self, size)
                if len(content) > max_stream_bytes:
                    self.wfile.write(b"INSTREAM size limit exceeded. ERROR\0")
                    return
            log.chunk_sizes.append(sizes)
            verdict = b"Eicar-Signature FOUND" if EICAR in content else b"OK"
            self.wfile.write(b"stream: " + verdict + b"\0")

    return Handler


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class _UnixServer(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


@contextmanager
def fake_clamd(
    unix_path: Path | None = None, max_stream_bytes: int = 100_000_000
) -> Iterator[tuple[str, ClamdLog]]:
    """Yield the clamd URL (tcp://127.0.0.1:<port>, or unix://<path>) and the request log."""
    log = ClamdLog()
    handler = _handler(log, max_stream_bytes)
    server: socketserver.BaseServer
    if unix_path is not None:
        server = _UnixServer(str(unix_path), handler)
        url = f"unix://{unix_path}"
    else:
        tcp = _TCPServer(("127.0.0.1", 0), handler)
        url = f"tcp://127.0.0.1:{tcp.server_address[1]}"
        server = tcp
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url, log
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
