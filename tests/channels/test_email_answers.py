"""A customer who writes by email is answered by email, over real SMTP both ways: the receipt,
the agent's replies and the resolution reach their mailbox, and answering one threads back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from email.message import EmailMessage

import httpx
import pytest
from sqlalchemy import select

from lifeline.accounts.models import Role
from lifeline.app import create_app
from lifeline.context import AppContext
from lifeline.tickets.models import EntryKind, Ticket, TicketEntry
from tests.attachments import samples
from tests.channels.conftest import configured
from tests.channels.mail import ALICE, SUPPORT, Mailer, open_mailer
from tests.support.factories import customer_token, make_agent, sign_in
from tests.support.smtp_inbox import Inbox, smtp_inbox

AGENT = "sam@example.com"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_inbox() as opened:
        yield opened


@pytest.fixture
async def mail_context(context: AppContext, desk: None, inbox: Inbox) -> AppContext:
    return configured(context, smtp_ingress_port=1, smtp_host="127.0.0.1", smtp_port=inbox.port)


@pytest.fixture
async def mailer(mail_context: AppContext) -> AsyncIterator[Mailer]:
    async for opened in open_mailer(mail_context):
        yield opened


@pytest.fixture
async def staff(mail_context: AppContext) -> AsyncIterator[httpx.AsyncClient]:
    await make_agent(mail_context.sessionmaker, AGENT, role=Role.SUPERVISOR)
    transport = httpx.ASGITransport(app=create_app(context=mail_context))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        await sign_in(client, AGENT)
        yield client


async def delivered(context: AppContext, inbox: Inbox) -> list[EmailMessage]:
    """Run the outbox (which sends over SMTP) and return the messages received since last."""
    seen = len(inbox.messages)
    await context.outbox.drain()
    return inbox.parsed()[seen:]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    text: str = body.get_content()
    return text


async def only_ticket(context: AppContext) -> Ticket:
    async with context.sessionmaker() as session:
        [ticket] = (await session.scalars(select(Ticket))).all()
        return ticket


async def test_an_email_conversation_with_an_agent_goes_back_and_forth_by_email(
    mailer: Mailer, mail_context: AppContext, inbox: Inbox, staff: httpx.AsyncClient
) -> None:
    await mailer.send("Withdrawal missing", "My USDT withdrawal from yesterday has not arrived.")
    ticket = await only_ticket(mail_context)

    [receipt] = await delivered(mail_context, inbox)
    assert receipt["To"] == ALICE
    assert receipt["Subject"] == f"[#{ticket.number}] Withdrawal missing"
    assert receipt["Reply-To"] == SUPPORT
    assert receipt["Auto-Submitted"] == "auto-replied"  # an auto-responder must not answer it
    assert f"Your ticket number is #{ticket.number}" in text_of(receipt)

    answer = "We see the withdrawal in review; it will be sent within two hours."
    screenshot = samples.png()
    uploaded = await staff.post(
        "/api/v1/attachments", files={"file": ("review-status.png", screenshot, "image/png")}
    )
    assert uploaded.status_code == 201, uploaded.text
    response = await staff.post(
        f"/api/v1/tickets/{ticket.number}/replies",
        json={"body": answer, "attachment_ids": [uploaded.json()["public_id"]]},
    )
    assert response.status_code == 200, response.text
    [reply] = await delivered(mail_context, inbox)
    [attached] = list(reply.iter_attachments())
    assert attached.get_filename() == "review-status.png"
    assert attached.get_content() == screenshot
    assert reply["To"] == ALICE
    assert reply["Subject"] == f"[#{ticket.number}] Withdrawal missing"
    assert reply["Auto-Submitted"] is None  # a person wrote this one
    # Both reference the ticket's thread, so mail programs show one conversation.
    assert reply["References"] == receipt["References"] == receipt["In-Reply-To"]
    assert f"ticket-{ticket.number}@" in reply["References"]
    assert answer in text_of(reply)
    assert f"[#{ticket.number}]" in text_of(reply)  # how to answer

    # The customer answers from their mail program: it lands on the same ticket.
    threaded = await mailer.send(
        f"Re: {reply['Subject']}", "Thank you, I will wait.\n\n> " + answer
    )
    assert threaded == f"2.0.0 Added to ticket #{ticket.number}"
    assert await delivered(mail_context, inbox) == []  # the customer's own words are not echoed

    closing = "It arrived on chain: the TxID is on your withdrawal history page."
    resolved = await staff.post(f"/api/v1/tickets/{ticket.number}/resolve", json={"reply": closing})
    assert resolved.status_code == 200, resolved.text
    [resolution] = await delivered(mail_context, inbox)
    text = text_of(resolution)
    assert closing in text
    assert "/csat/" in text  # the satisfaction survey link

    async with mail_context.sessionmaker() as session:
        replies = (
            await session.scalars(
                select(TicketEntry.body)
                .where(TicketEntry.ticket_id == ticket.id, TicketEntry.kind == EntryKind.REPLY)
                .order_by(TicketEntry.id)
            )
        ).all()
    assert [body.startswith("Thank you, I will wait.") for body in replies] == [
        False,
        False,
        True,
        False,
    ]


async def test_chinese_email_gets_chinese_answers(
    mailer: Mailer, mail_context: AppContext, inbox: Inbox, staff: httpx.AsyncClient
) -> None:
    await mailer.send("充值没到账", "我昨天的 USDT 充值到现在还没有到账，请帮忙查一下。")
    ticket = await only_ticket(mail_context)
    [receipt] = await delivered(mail_context, inbox)
    assert f"工单号为 #{ticket.number}" in text_of(receipt)
    await staff.post(f"/api/v1/tickets/{ticket.number}/replies", json={"body": "正在为您核实。"})
    [reply] = await delivered(mail_context, inbox)
    body = text_of(reply)
    assert "正在为您核实。" in body
    assert f"保留主题中的 [#{ticket.number}]" in body


async def test_tickets_opened_on_the_web_are_not_answered_by_email(
    mail_context: AppContext, inbox: Inbox, staff: httpx.AsyncClient, demo_data: None
) -> None:
    transport = httpx.ASGITransport(app=create_app(context=mail_context))
    headers = {"Authorization": f"Bearer {customer_token(mail_context.settings, 'U1001')}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=headers
    ) as customer:
        created = await customer.post(
            "/api/v1/customer/tickets",
            json={
                "subject": "Withdrawal missing",
                "description": "My withdrawal has not arrived.",
                "category": "deposits_withdrawals",
            },
        )
    assert created.status_code == 201, created.text
    number = created.json()["ticket"]["number"]
    await staff.post(f"/api/v1/tickets/{number}/replies", json={"body": "Checking now."})
    assert await delivered(mail_context, inbox) == []  # in-app notifications only
