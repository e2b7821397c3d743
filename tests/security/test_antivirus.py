"""Malware scanning of uploads through clamd's INSTREAM protocol (a real socket server)."""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.app import create_app
from lifeline.attachments.models import Attachment
from lifeline.attachments.service import path_for
from lifeline.context import AppContext
from lifeline.security.antivirus import (
    ClamdAddress,
    ClamdClient,
    ScannerUnavailable,
    instream_frames,
    parse_reply,
)
from tests.support.factories import customer_token
from tests.support.fake_clamd import EICAR, fake_clamd
from tests.support.servers import free_port

CLEAN_TEXT = b"TxID 0xabc, withdrawal not received\n"


def _unframe(frames: list[bytes]) -> tuple[list[int], bytes]:
    sizes: list[int] = []
    content = b""
    for frame in frames:
        (size,) = struct.unpack("!L", frame[:4])
        assert len(frame) == 4 + size
        sizes.append(size)
        content += frame[4:]
    return sizes, content


@pytest.mark.parametrize(
    ("length", "chunk", "expected_sizes"),
    [
        (0, 4, [0]),
        (1, 4, [1, 0]),
        (4, 4, [4, 0]),
        (5, 4, [4, 1, 0]),
        (12, 4, [4, 4, 4, 0]),
        (70_000, 65_536, [65_536, 4_464, 0]),
    ],
)
def test_instream_frames_are_length_prefixed_and_terminated(
    length: int, chunk: int, expected_sizes: list[int]
) -> None:
    data = bytes(range(256)) * (length // 256 + 1)
    data = data[:length]
    sizes, content = _unframe(list(instream_frames(data, chunk)))
    assert sizes == expected_sizes
    assert content == data


def test_chunk_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        list(instream_frames(b"x", 0))


def test_replies_are_parsed_and_errors_never_pass_as_clean() -> None:
    assert parse_reply(b"stream: OK\0").clean
    infected = parse_reply(b"stream: Eicar-Signature FOUND\0")
    assert not infected.clean
    assert infected.signature == "Eicar-Signature"
    for bad in (b"INSTREAM size limit exceeded. ERROR\0", b"", b"stream: \0", b"garbage\0"):
        with pytest.raises(ScannerUnavailable):
            parse_reply(bad)


def test_addresses() -> None:
    assert ClamdAddress.parse("tcp://127.0.0.1:3310") == ClamdAddress(host="127.0.0.1", port=3310)
    assert ClamdAddress.parse("tcp://clamav") == ClamdAddress(host="clamav", port=3310)
    assert ClamdAddress.parse("unix:///run/clamav/clamd.ctl") == ClamdAddress(
        path="/run/clamav/clamd.ctl"
    )
    for bad in ("http://x", "tcp://", "unix://", "clamd"):
        with pytest.raises(ValueError, match="clamd URL"):
            ClamdAddress.parse(bad)


async def test_client_over_tcp_sends_chunks_and_reads_verdicts() -> None:
    with fake_clamd() as (url, log):
        client = ClamdClient(url)
        assert await client.ping()
        assert (await client.scan_bytes(CLEAN_TEXT)).clean
        result = await client.scan_bytes(b"prefix " + EICAR + b" suffix")
        assert not result.clean
        assert result.signature == "Eicar-Signature"
        big = b"a" * 150_000
        assert (await client.scan_bytes(big)).clean
    assert log.chunk_sizes[-1] == [65_536, 65_536, 150_000 - 2 * 65_536, 0]
    assert log.commands.count(b"zINSTREAM\0") == 3


async def test_client_over_a_unix_socket(tmp_path: Path) -> None:
    with fake_clamd(unix_path=tmp_path / "clamd.ctl") as (url, _log):
        assert url.startswith("unix://")
        client = ClamdClient(url)
        assert not (await client.scan_bytes(EICAR)).clean
        assert (await client.scan_bytes(CLEAN_TEXT)).clean


async def test_unreachable_or_failing_scanner_is_an_error() -> None:
    with pytest.raises(ScannerUnavailable):
        await ClamdClient(f"tcp://127.0.0.1:{free_port()}", timeout_seconds=2).scan_bytes(b"x")
    assert not await ClamdClient(f"tcp://127.0.0.1:{free_port()}", timeout_seconds=2).ping()
    with fake_clamd(max_stream_bytes=10) as (url, _log), pytest.raises(ScannerUnavailable):
        await ClamdClient(url).scan_bytes(b"more than ten bytes")


@asynccontextmanager
async def _client_with(context: AppContext, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    settings = context.settings.model_copy(update=overrides)
    scanned = AppContext(
        settings=settings,
        engine=context.engine,
        sessionmaker=context.sessionmaker,
        exchange=context.exchange,
        outbox=context.outbox,
        knowledge=context.knowledge,
    )
    transport = httpx.ASGITransport(app=create_app(context=scanned))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        client.headers["Authorization"] = f"Bearer {customer_token(settings)}"
        yield client


async def _attachment_count(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Attachment)) or 0)


async def _upload(client: httpx.AsyncClient, content: bytes) -> httpx.Response:
    return await client.post(
        "/api/v1/customer/attachments", files={"file": ("notes.txt", content, "text/plain")}
    )


async def test_infected_upload_is_refused_and_not_stored(context: AppContext) -> None:
    with fake_clamd() as (url, log):
        async with _client_with(context, clamd_url=url) as client:
            clean = await _upload(client, CLEAN_TEXT)
            assert clean.status_code == 201, clean.text
            infected = await _upload(client, EICAR)
    assert infected.status_code == 422
    assert infected.json()["error"]["code"] == "attachment_infected"
    assert len(log.chunk_sizes) == 2
    assert await _attachment_count(context.sessionmaker) == 1
    import hashlib

    assert not path_for(context.settings, hashlib.sha256(EICAR).hexdigest()).exists()
    leftovers = list((context.settings.data_dir / "attachments" / "tmp").iterdir())
    assert leftovers == []


async def test_unreachable_scanner_fails_closed_by_default(context: AppContext) -> None:
    down = f"tcp://127.0.0.1:{free_port()}"
    async with _client_with(context, clamd_url=down, clamd_timeout_seconds=2) as client:
        response = await _upload(client, CLEAN_TEXT)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "scanner_unavailable"
    assert await _attachment_count(context.sessionmaker) == 0


async def test_unreachable_scanner_can_fail_open(context: AppContext) -> None:
    down = f"tcp://127.0.0.1:{free_port()}"
    async with _client_with(
        context, clamd_url=down, clamd_fail_open=True, clamd_timeout_seconds=2
    ) as client:
        response = await _upload(client, CLEAN_TEXT)
    assert response.status_code == 201
    assert await _attachment_count(context.sessionmaker) == 1


async def test_fail_open_never_lets_a_detected_file_through(context: AppContext) -> None:
    with fake_clamd() as (url, _log):
        async with _client_with(context, clamd_url=url, clamd_fail_open=True) as client:
            response = await _upload(client, EICAR)
    assert response.status_code == 422
    assert await _attachment_count(context.sessionmaker) == 0
