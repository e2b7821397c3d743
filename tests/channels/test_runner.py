"""Both channels running as background tasks, the way ``serve`` and ``lifeline worker`` run them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import aiosmtplib
from sqlalchemy import select

from lifeline.channels.runner import start_channels
from lifeline.context import AppContext
from lifeline.tickets.models import Ticket
from tests.channels.conftest import configured
from tests.support.fake_telegram import fake_telegram
from tests.support.servers import free_port

TOKEN = "42:RUNNER"


async def _until(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


async def test_configured_channels_run_until_stopped(context: AppContext, desk: None) -> None:
    assert start_channels(context, asyncio.Event()) == []  # nothing configured, nothing runs
    port = free_port()
    with fake_telegram(TOKEN) as (base, fake):
        running = configured(
            context,
            smtp_ingress_port=port,
            telegram_bot_token=TOKEN,
            telegram_api_base=base,
            telegram_poll_timeout_seconds=1,
        )
        stop = asyncio.Event()
        tasks = start_channels(running, stop)
        assert len(tasks) == 2
        outbox = asyncio.create_task(running.outbox.run_forever(stop))
        try:
            fake.customer_says(5150, "Hello, how do I reset my password?")
            for _attempt in range(100):
                with contextlib.suppress(OSError):
                    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port) as smtp:
                        await smtp.sendmail(
                            "carol@example.com",
                            ["support@demoexchange.com"],
                            b"From: carol@example.com\r\nSubject: KYC\r\n\r\nKYC pending\r\n",
                        )
                    break
                await asyncio.sleep(0.1)
            await _until(lambda: len(fake.messages_to(5150)) == 1)
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*tasks, outbox), timeout=15)
    async with running.sessionmaker() as session:
        tickets = (await session.scalars(select(Ticket))).all()
    assert [ticket.subject for ticket in tickets] == ["KYC"]
    assert all(task.done() for task in tasks)
