"""Inbound email over real SMTP to the running server: masking before storage, threading onto
tickets, attachments through the upload checks, and SMTP answers for what is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiosmtplib
import pytest
from sqlalchemy import func, select

from lifeline.attachments.models import Attachment
from lifeline.channels.email_in import clean_subject, html_to_text, parse_email, strip_quoted
from lifeline.context import AppContext
from lifeline.outbox.models import OutboxItem
from lifeline.security.masking import secret_warning
from lifeline.tickets.models import (
    EntryKind,
    Ticket,
    TicketCategory,
    TicketChannel,
    TicketEntry,
    TicketStatus,
)
from tests.attachments import samples
from tests.channels.conftest import configured
from tests.channels.leaks import (
    PASSWORD,
    SECRET_TEXT,
    TXID,
    assert_no_secret_stored,
)
from tests.channels.mail import ALICE, SUPPORT, Mailer, open_mailer
from tests.support.fake_clamd import EICAR, fake_clamd
from tests.support.servers import free_port


@pytest.fixture
async def mail_context(context: AppContext, desk: None) -> AppContext:
    return configured(context, smtp_ingress_port=1)


@pytest.fixture
async def mailer(mail_context: AppContext) -> AsyncIterator[Mailer]:
    async for opened in open_mailer(mail_context):
        yield opened


async def _tickets(context: AppContext) -> list[Ticket]:
    async with context.sessionmaker() as session:
        return list((await session.scalars(select(Ticket).order_by(Ticket.number))).all())


async def _entries(context: AppContext, ticket: Ticket) -> list[TicketEntry]:
    async with context.sessionmaker() as session:
        return list(
            (
                await session.scalars(
                    select(TicketEntry)
                    .where(TicketEntry.ticket_id == ticket.id, TicketEntry.kind == EntryKind.REPLY)
                    .order_by(TicketEntry.id)
                )
            ).all()
        )


async def _emails(context: AppContext, kind: str | None = None) -> list[dict[str, Any]]:
    """The queued emails, of one kind (e.g. ``secret_warning``) or all."""
    async with context.sessionmaker() as session:
        items = (
            await session.scalars(
                select(OutboxItem).where(OutboxItem.topic == "email.send").order_by(OutboxItem.id)
            )
        ).all()
    return [item.payload for item in items if kind is None or item.payload.get("kind") == kind]


async def test_secrets_are_masked_before_storage_and_the_sender_is_warned(
    mailer: Mailer, mail_context: AppContext
) -> None:
    answer = await mailer.send(
        f"Withdrawal stuck, password {PASSWORD}",
        SECRET_TEXT,
        attachments=[(f"my password is {PASSWORD}.png", samples.png(), "image/png")],
    )
    assert answer.startswith("2.0.0 Created ticket #")

    everything = await assert_no_secret_stored(mail_context.sessionmaker)
    assert TXID in everything
    [ticket] = await _tickets(mail_context)
    assert ticket.channel == TicketChannel.EMAIL
    assert TXID in ticket.description
    assert "‹seed_phrase masked›" in ticket.description
    assert "‹password masked›" in ticket.subject
    async with mail_context.sessionmaker() as session:
        [attachment] = (await session.scalars(select(Attachment))).all()
    assert attachment.content_type == "image/png"
    assert attachment.filename.endswith(".png")
    [warning] = await _emails(mail_context, "secret_warning")
    assert warning["to"] == ALICE
    assert warning["subject"].startswith(f"[#{ticket.number}]")
    assert warning["automatic"]
    expected = secret_warning(["seed_phrase", "password", "otp_code"], "en")
    assert expected is not None and expected in warning["text"]
    [receipt] = await _emails(mail_context, "ticket_created")
    assert receipt["to"] == ALICE
    assert f"ticket number is #{ticket.number}" in receipt["text"]
    assert PASSWORD not in receipt["subject"]


async def test_a_reply_threads_onto_the_senders_own_ticket(
    mailer: Mailer, mail_context: AppContext
) -> None:
    first = await mailer.send("Deposit missing", f"My deposit {TXID} is not credited.")
    [ticket] = await _tickets(mail_context)
    assert first.endswith(f"#{ticket.number}")
    answer = await mailer.send(
        f"Re: [#{ticket.number}] Deposit missing",
        f"Here is my 2FA code {SECRET_TEXT}\n\nOn Mon, 1 Jan 2026, Support wrote:\n> old text",
    )
    assert answer == f"2.0.0 Added to ticket #{ticket.number}"
    assert len(await _tickets(mail_context)) == 1
    entries = await _entries(mail_context, ticket)
    assert len(entries) == 2
    assert TXID in entries[1].body
    assert "old text" not in entries[1].body
    await assert_no_secret_stored(mail_context.sessionmaker)

    # Someone else naming the ticket does not reach it: they get a ticket of their own.
    other = await mailer.send(
        f"Re: [#{ticket.number}] Deposit missing", "Let me in", sender="mallory@example.net"
    )
    assert other.startswith("2.0.0 Created ticket #")
    tickets = await _tickets(mail_context)
    assert len(tickets) == 2
    assert len(await _entries(mail_context, ticket)) == 2


async def test_html_only_mail_in_chinese_gets_a_chinese_warning(
    mailer: Mailer, mail_context: AppContext
) -> None:
    html = (
        "<html><head><style>p{color:red}</style></head><body>"
        f"<p>提现一直没有到账，交易哈希 {TXID}</p><p>我的密码是 {PASSWORD}</p>"
        "<blockquote>以前的邮件 secret-old-quote</blockquote>"
        "<script>alert(1)</script></body></html>"
    )
    answer = await mailer.send("提现没有到账", html=html)
    assert answer.startswith("2.0.0 Created ticket #")
    [ticket] = await _tickets(mail_context)
    assert "提现一直没有到账" in ticket.description
    assert "secret-old-quote" not in ticket.description
    assert "alert(1)" not in ticket.description
    assert "color:red" not in ticket.description
    await assert_no_secret_stored(mail_context.sessionmaker)
    [warning] = await _emails(mail_context, "secret_warning")
    expected = secret_warning(["password"], "zh")
    assert expected is not None and expected in warning["text"]


async def test_mail_without_secrets_sends_no_warning(
    mailer: Mailer, mail_context: AppContext
) -> None:
    await mailer.send("Trading question", "How do I place a limit order?")
    assert len(await _tickets(mail_context)) == 1
    assert await _emails(mail_context, "secret_warning") == []
    assert [email["kind"] for email in await _emails(mail_context)] == ["ticket_created"]


async def test_refused_attachments_are_noted_not_stored(context: AppContext, desk: None) -> None:
    with fake_clamd() as (url, log):
        scanning = configured(context, smtp_ingress_port=1, clamd_url=url)
        async for mailer in open_mailer(scanning):
            answer = await mailer.send(
                "Evidence",
                "Screenshots attached.",
                attachments=[
                    ("shot.png", samples.png(), "image/png"),
                    ("tool.exe", b"MZ\x90\x00" + b"\x00" * 200, "application/octet-stream"),
                    ("readme.txt", EICAR, "text/plain"),
                ],
            )
            assert answer.startswith("2.0.0 Created ticket #")
    assert len(log.chunk_sizes) == 2  # the PNG and the text file reached the scanner
    [ticket] = await _tickets(context)
    assert "tool.exe" in ticket.description
    assert "readme.txt" in ticket.description
    assert "malware" in ticket.description
    async with context.sessionmaker() as session:
        stored = (await session.scalars(select(Attachment))).all()
    assert [item.content_type for item in stored] == ["image/png"]


async def test_an_unavailable_scanner_defers_the_message(context: AppContext, desk: None) -> None:
    down = f"tcp://127.0.0.1:{free_port()}"
    scanning = configured(context, smtp_ingress_port=1, clamd_url=down, clamd_timeout_seconds=2)
    async for mailer in open_mailer(scanning):
        with pytest.raises(aiosmtplib.SMTPDataError) as refused:
            await mailer.send(
                "Evidence", "See attached", attachments=[("a.png", samples.png(), "image/png")]
            )
    assert refused.value.code == 451
    assert await _tickets(context) == []
    async with context.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Attachment)) == 0


async def test_unknown_recipients_and_unreadable_mail_are_refused(
    mailer: Mailer, mail_context: AppContext
) -> None:
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as wrong:
        await mailer.send("Hi", "Hello", to="someone@elsewhere.example")
    assert wrong.value.recipients[0].code == 550
    # A bounce (null sender) without a From header: nobody to answer.
    with pytest.raises(aiosmtplib.SMTPDataError) as unreadable:
        await mailer.send_raw("", [SUPPORT], b"Subject: hi\r\n\r\nno sender anywhere\r\n")
    assert unreadable.value.code == 550
    # Mail claiming to come from the support address itself (a loop).
    with pytest.raises(aiosmtplib.SMTPDataError) as looped:
        await mailer.send("Hi", "Hello", sender=SUPPORT)
    assert looped.value.code == 550
    assert await _tickets(mail_context) == []


async def test_automatic_mail_gets_no_email_back(mailer: Mailer, mail_context: AppContext) -> None:
    await mailer.send(
        "Out of office", f"password {PASSWORD}", headers={"Auto-Submitted": "auto-replied"}
    )
    assert len(await _tickets(mail_context)) == 1
    assert await _emails(mail_context) == []
    await assert_no_secret_stored(mail_context.sessionmaker)


async def test_a_retried_message_is_filed_once_and_categorised(
    mailer: Mailer, mail_context: AppContext
) -> None:
    headers = {"Message-ID": "<retry-1@example.com>"}
    text = f"My USDT withdrawal on TRC20 has not arrived. TxID {TXID}"
    first = await mailer.send("Withdrawal not received", text, headers=headers)
    # The sending server never saw our answer and delivers the same message again.
    again = await mailer.send("Withdrawal not received", text, headers=headers)
    [ticket] = await _tickets(mail_context)
    assert first == f"2.0.0 Created ticket #{ticket.number}"
    assert again == f"2.0.0 Already received as ticket #{ticket.number}"
    assert ticket.category == TicketCategory.DEPOSITS_WITHDRAWALS
    assert ticket.fields["txid"] == TXID


def test_quoted_replies_are_stripped() -> None:
    text = "New words\n> quoted line\nmore new\n\nOn Tue, 2 Jan 2026 at 10:00, Support wrote:\nold"
    assert strip_quoted(text) == "New words\nmore new"
    assert strip_quoted("新内容\n\n在 2026年1月2日，客服 写道：\n旧内容") == "新内容"
    assert strip_quoted("Hi\n-----Original Message-----\nFrom: x") == "Hi"
    assert strip_quoted("Hi\n-- \nAlice, CEO") == "Hi"


def test_subjects_lose_prefixes_and_give_the_ticket_number() -> None:
    assert clean_subject("Re: RE: [#42] Deposit missing") == ("Deposit missing", 42)
    assert clean_subject("回复：[#7] 提现") == ("提现", 7)
    assert clean_subject("Fwd: no number") == ("no number", None)
    assert clean_subject("[#abc] x") == ("[#abc] x", None)


def test_html_is_reduced_to_text() -> None:
    html = "<p>Hello&nbsp;there</p><div>line<br>two</div><script>x()</script>"
    assert html_to_text(html) == "Hello there\n\nline\ntwo"


def test_parsing_masks_everything_it_returns() -> None:
    raw = (
        "From: Bob <BOB@Example.com>\r\nTo: support@demoexchange.com\r\n"
        f"Subject: [#5] my password is {PASSWORD}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{SECRET_TEXT}\r\n"
    ).encode()
    parsed = parse_email(raw)
    assert parsed.sender == "bob@example.com"
    assert parsed.ticket_number == 5
    assert PASSWORD not in parsed.subject and PASSWORD not in parsed.text
    assert TXID in parsed.text
    assert set(parsed.masked_kinds) == {"seed_phrase", "password", "otp_code"}


async def test_oversized_mail_is_refused(context: AppContext, desk: None) -> None:
    small = configured(context, smtp_ingress_port=1, smtp_ingress_max_bytes=2000)
    async for mailer in open_mailer(small):
        with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
            await mailer.send("Big", "x" * 5000)
    assert refused.value.code == 552
    assert await _tickets(context) == []


async def test_a_database_failure_defers_the_message(context: AppContext, desk: None) -> None:
    """Never a 250 for a message that was not stored: the sending server keeps it and retries."""
    from lifeline.db import create_engine, create_sessionmaker

    broken_settings = context.settings.model_copy(
        update={"database_url": "sqlite:////proc/no-such-dir/lifeline.db", "smtp_ingress_port": 1}
    )
    engine = create_engine(broken_settings)
    broken = AppContext(
        settings=broken_settings,
        engine=engine,
        sessionmaker=create_sessionmaker(engine),
        exchange=context.exchange,
        outbox=context.outbox,
        knowledge=context.knowledge,
    )
    try:
        async for mailer in open_mailer(broken):
            with pytest.raises(aiosmtplib.SMTPDataError) as deferred:
                await mailer.send("Deposit", "My deposit is missing")
    finally:
        await engine.dispose()
    assert deferred.value.code == 451
    assert await _tickets(context) == []


async def test_a_reply_to_a_closed_ticket_opens_a_related_one(
    mailer: Mailer, mail_context: AppContext
) -> None:
    await mailer.send("Deposit missing", "My deposit is not credited.")
    [ticket] = await _tickets(mail_context)
    async with mail_context.sessionmaker() as session:
        closed = await session.get(Ticket, ticket.id)
        assert closed is not None
        closed.status = TicketStatus.CLOSED
        closed.active = False
        await session.commit()
    answer = await mailer.send(f"Re: [#{ticket.number}] Deposit missing", "Still not there.")
    tickets = await _tickets(mail_context)
    assert len(tickets) == 2
    assert answer == f"2.0.0 Created ticket #{tickets[1].number}"
    assert tickets[1].related_ticket_id == ticket.id
    assert len(await _entries(mail_context, ticket)) == 1
