"""Scanning uploads with ClamAV's daemon (clamd) over its INSTREAM protocol.

The file is streamed in chunks, each prefixed with its length as a 4-byte big-endian integer,
and ended by a zero-length chunk. clamd answers ``stream: OK`` or ``stream: <name> FOUND``.
Commands use the ``z`` form (NUL-terminated) so a reply is one NUL-terminated line.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from lifeline.errors import LifelineError, ServiceUnavailable

CHUNK_BYTES = 64 * 1024
_TERMINATOR = struct.pack("!L", 0)
_MAX_REPLY_BYTES = 4096


class AttachmentInfected(LifelineError):
    status_code = 422
    code = "attachment_infected"
    message = "The file contains malware and was refused."


class ScannerUnavailable(ServiceUnavailable):
    code = "scanner_unavailable"
    message = "Files cannot be checked for malware right now; please try again later."


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str | None = None


@dataclass(frozen=True)
class ClamdAddress:
    """Where clamd listens: ``tcp://host:port`` or ``unix:///path/to/clamd.ctl``."""

    host: str | None = None
    port: int | None = None
    path: str | None = None

    @classmethod
    def parse(cls, url: str) -> ClamdAddress:
        parts = urlsplit(url)
        if parts.scheme == "unix":
            path = parts.path or parts.netloc
            if not path:
                raise ValueError(f"clamd URL without a socket path: {url!r}")
            return cls(path=path)
        if parts.scheme == "tcp":
            if not parts.hostname:
                raise ValueError(f"clamd URL without a host: {url!r}")
            return cls(host=parts.hostname, port=parts.port or 3310)
        raise ValueError(f"clamd URL must start with tcp:// or unix://, not {url!r}")


def instream_frames(data: bytes, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """The INSTREAM body for ``data``: length-prefixed chunks, then the zero terminator."""
    if chunk_bytes <= 0:
        raise ValueError("chunk_bytes must be positive")
    for start in range(0, len(data), chunk_bytes):
        chunk = data[start : start + chunk_bytes]
        yield struct.pack("!L", len(chunk)) + chunk
    yield _TERMINATOR


def parse_reply(reply: bytes) -> ScanResult:
    """``stream: OK`` is clean; ``stream: <signature> FOUND`` is not; anything else is an error
    (e.g. ``INSTREAM size limit exceeded. ERROR``), which must never pass as clean."""
    text = reply.rstrip(b"\0\n").decode("utf-8", "replace").strip()
    _, _, verdict = text.partition(": ")
    if verdict == "OK":
        return ScanResult(clean=True)
    if verdict.endswith(" FOUND"):
        return ScanResult(clean=False, signature=verdict.removesuffix(" FOUND").strip())
    raise ScannerUnavailable(detail=text[:200])


class ClamdClient:
    def __init__(self, url: str, *, timeout_seconds: float = 30.0) -> None:
        self.address = ClamdAddress.parse(url)
        self.timeout_seconds = timeout_seconds

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.address.path is not None:
            return await asyncio.open_unix_connection(self.address.path)
        return await asyncio.open_connection(self.address.host, self.address.port)

    async def scan_file(self, path: Path) -> ScanResult:
        return await self._scan(_file_frames(path))

    async def scan_bytes(self, data: bytes) -> ScanResult:
        return await self._scan(instream_frames(data))

    async def _scan(self, frames: Iterator[bytes]) -> ScanResult:
        try:
            async with asyncio.timeout(self.timeout_seconds):
                reader, writer = await self._connect()
                try:
                    writer.write(b"zINSTREAM\0")
                    for frame in frames:
                        writer.write(frame)
                        await writer.drain()
                    reply = await reader.readuntil(b"\0")
                finally:
                    writer.close()
                    with contextlib.suppress(OSError):
                        await writer.wait_closed()
        except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            raise ScannerUnavailable() from None
        if len(reply) > _MAX_REPLY_BYTES:
            raise ScannerUnavailable()
        return parse_reply(reply)

    async def ping(self) -> bool:
        try:
            async with asyncio.timeout(self.timeout_seconds):
                reader, writer = await self._connect()
                writer.write(b"zPING\0")
                await writer.drain()
                reply = await reader.readuntil(b"\0")
                writer.close()
        except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return False
        return reply.rstrip(b"\0") == b"PONG"


def _file_frames(path: Path, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_bytes):
            yield struct.pack("!L", len(chunk)) + chunk
    yield _TERMINATOR


async def scan_upload(
    clamd_url: str, path: Path, *, fail_open: bool, timeout_seconds: float = 30.0
) -> None:
    """Raise ``AttachmentInfected`` for malware; ``ScannerUnavailable`` when clamd cannot
    answer, unless ``fail_open`` (then the file is accepted unscanned)."""
    if not clamd_url:
        return
    try:
        result = await ClamdClient(clamd_url, timeout_seconds=timeout_seconds).scan_file(path)
    except ScannerUnavailable:
        if fail_open:
            return
        raise
    if not result.clean:
        raise AttachmentInfected(signature=result.signature)
