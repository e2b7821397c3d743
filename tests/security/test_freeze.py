"""Emergency freeze: signed in, or by email code or link; never someone else's account."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.accounts.models import Role
from lifeline.config import Settings
from lifeline.context import AppContext
from lifeline.exchange import demo_data as d
from lifeline.exchange.schemas import AccountState
from lifeline.outbox.models import OutboxItem
from lifeline.security.models import AuditEntry
from tests.support.factories import customer_token, make_agent, sign_in
from tests.support.smtp_inbox import Inbox, smtp_inbox


async def _emails(sessionmaker: async_sessionmaker[AsyncSession]) -> list[dict[str, Any]]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxItem.payload)
            .where(OutboxItem.topic == "email.send")
            .order_by(OutboxItem.id)
        )
        return list(rows.all())


def _code(email: dict[str, Any]) -> str:
    match = re.search(r"\b(\d{6})\b", email["text"])
    assert match, email
    return match.group(1)


def _token(email: dict[str, Any]) -> str:
    match = re.search(r"token=([A-Za-z0-9_\-]+)", email["text"])
    assert match, email
    return match.group(1)


async def _status(context: AppContext, user_id: str) -> AccountState:
    profile = await context.exchange.get_customer(user_id)
    assert profile is not None
    return profile.account_status


async def test_signed_in_customer_freezes_own_account_and_a_ticket_opens(
    client: httpx.AsyncClient,
    settings: Settings,
    context: AppContext,
    sessionmaker: async_sessionmaker[AsyncSession],
    demo_data: None,
) -> None:
    headers = {"Authorization": f"Bearer {customer_token(settings, d.ALICE)}"}
    response = await client.post("/api/v1/freeze", json={"confirm": True}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["account_status"] == "frozen" and body["ticket_number"]
    assert await _status(context, d.ALICE) == AccountState.FROZEN
    assert await _status(context, d.MING) == AccountState.ACTIVE
    tickets = (await client.get("/api/v1/customer/tickets", headers=headers)).json()
    ticket = next(t for t in tickets if t["number"] == body["ticket_number"])
    assert ticket["priority"] == "urgent" and ticket["category"] == "account_security"
    async with sessionmaker() as session:
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert "account.freeze" in actions


async def test_freeze_by_email_code_without_signing_in(
    client: httpx.AsyncClient,
    context: AppContext,
    sessionmaker: async_sessionmaker[AsyncSession],
    demo_data: None,
) -> None:
    sent = await client.post(
        "/api/v1/freeze/request-code", json={"email": "alice@example.com", "lang": "en"}
    )
    assert sent.status_code == 202
    email = (await _emails(sessionmaker))[-1]
    assert email["to"] == "alice@example.com"
    assert "BLUE-HERON-42" in email["text"]  # the customer's anti-phishing code
    wrong = await client.post(
        "/api/v1/freeze/confirm", json={"email": "alice@example.com", "code": "000000"}
    )
    assert wrong.status_code == 400
    assert await _status(context, d.ALICE) == AccountState.ACTIVE
    confirmed = await client.post(
        "/api/v1/freeze/confirm", json={"email": "alice@example.com", "code": _code(email)}
    )
    assert confirmed.status_code == 200, confirmed.text
    assert await _status(context, d.ALICE) == AccountState.FROZEN


async def test_unknown_emails_get_the_same_answer_and_no_email(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], demo_data: None
) -> None:
    known = await client.post("/api/v1/freeze/request-code", json={"email": "bob@example.com"})
    unknown = await client.post("/api/v1/freeze/request-code", json={"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert [e["to"] for e in await _emails(sessionmaker)] == ["bob@example.com"]


async def test_a_code_cannot_freeze_another_account(
    client: httpx.AsyncClient,
    context: AppContext,
    sessionmaker: async_sessionmaker[AsyncSession],
    demo_data: None,
) -> None:
    await client.post("/api/v1/freeze/request-code", json={"email": "alice@example.com"})
    alice_code = _code((await _emails(sessionmaker))[-1])
    attempt = await client.post(
        "/api/v1/freeze/confirm", json={"email": "li.ming@example.com", "code": alice_code}
    )
    assert attempt.status_code == 400
    assert await _status(context, d.MING) == AccountState.ACTIVE


async def test_codes_stop_working_after_too_many_wrong_tries(
    client: httpx.AsyncClient,
    context: AppContext,
    sessionmaker: async_sessionmaker[AsyncSession],
    demo_data: None,
) -> None:
    await client.post("/api/v1/freeze/request-code", json={"email": "alice@example.com"})
    code = _code((await _emails(sessionmaker))[-1])
    wrong = "111111" if code != "111111" else "222222"
    for _ in range(5):
        await client.post(
            "/api/v1/freeze/confirm", json={"email": "alice@example.com", "code": wrong}
        )
    late = await client.post(
        "/api/v1/freeze/confirm", json={"email": "alice@example.com", "code": code}
    )
    assert late.status_code == 400
    assert await _status(context, d.ALICE) == AccountState.ACTIVE


async def test_link_works_once(
    client: httpx.AsyncClient,
    context: AppContext,
    sessionmaker: async_sessionmaker[AsyncSession],
    demo_data: None,
) -> None:
    await client.post(
        "/api/v1/freeze/request-code", json={"email": "li.ming@example.com", "lang": "zh"}
    )
    email = (await _emails(sessionmaker))[-1]
    assert "冻结" in email["subject"]
    token = _token(email)
    first = await client.post("/api/v1/freeze/confirm", json={"token": token})
    assert first.status_code == 200
    assert await _status(context, d.MING) == AccountState.FROZEN
    again = await client.post("/api/v1/freeze/confirm", json={"token": token})
    assert again.status_code == 400


async def test_only_the_security_team_unfreezes(
    client: httpx.AsyncClient,
    context: AppContext,
    sessionmaker: async_sessionmaker[AsyncSession],
    demo_data: None,
) -> None:
    await context.exchange.freeze_account(d.ALICE, "test")
    body = {"verification": "video call, ID matched"}
    await make_agent(sessionmaker, "agent@example.com", role=Role.SUPERVISOR)
    await sign_in(client, "agent@example.com")
    denied = await client.post(f"/api/v1/security/accounts/{d.ALICE}/unfreeze", json=body)
    assert denied.status_code == 403
    client.cookies.clear()
    await make_agent(sessionmaker, "sec@example.com", role=Role.SECURITY)
    await sign_in(client, "sec@example.com")
    allowed = await client.post(f"/api/v1/security/accounts/{d.ALICE}/unfreeze", json=body)
    assert allowed.status_code == 200
    assert await _status(context, d.ALICE) == AccountState.ACTIVE


async def test_the_security_team_freezes_for_a_customer_and_an_agent_cannot(
    client: httpx.AsyncClient,
    context: AppContext,
    sessionmaker: async_sessionmaker[AsyncSession],
    demo_data: None,
) -> None:
    await make_agent(sessionmaker, "agent@example.com", role=Role.AGENT)
    await sign_in(client, "agent@example.com")
    denied = await client.post(f"/api/v1/security/accounts/{d.ALICE}/freeze")
    assert denied.status_code == 403
    assert await _status(context, d.ALICE) == AccountState.ACTIVE
    client.cookies.clear()
    officer = await make_agent(sessionmaker, "sec@example.com", role=Role.SECURITY)
    await sign_in(client, "sec@example.com")
    frozen = await client.post(f"/api/v1/security/accounts/{d.ALICE}/freeze")
    assert frozen.status_code == 200, frozen.text
    assert frozen.json()["account_status"] == "frozen"
    assert frozen.json()["ticket_number"] is not None
    assert await _status(context, d.ALICE) == AccountState.FROZEN
    missing = await client.post("/api/v1/security/accounts/U-NOBODY/freeze")
    assert missing.status_code == 404
    async with sessionmaker() as session:
        entry = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "account.freeze"))
        ).one()
    assert (entry.actor_type, entry.actor_id) == ("agent", str(officer.id))
    assert entry.details["via"] == "security_team"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Inbox]]:
    with smtp_inbox() as inbox:
        yield inbox.port, inbox


async def test_the_code_email_goes_out_over_real_smtp(
    client: httpx.AsyncClient,
    context: AppContext,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    demo_data: None,
    smtp_server: Any,
) -> None:
    port, inbox = smtp_server
    context.settings = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
    from lifeline.app import create_app

    app = create_app(context=context)
    context.outbox.app = app
    await client.post("/api/v1/freeze/request-code", json={"email": "alice@example.com"})
    assert await context.outbox.drain() == 1
    assert len(inbox.messages) == 1
    raw = inbox.messages[0].decode()
    assert "To: alice@example.com" in raw
    assert "BLUE-HERON-42" in raw
    assert re.search(r"Message-ID: <outbox-\d+", raw)


async def test_a_code_set_in_lifeline_is_in_every_email(
    client: httpx.AsyncClient,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    demo_data: None,
) -> None:
    headers = {"Authorization": f"Bearer {customer_token(settings, d.ALICE)}"}
    bad = await client.put(
        "/api/v1/customers/me/anti-phishing-code", json={"code": "<b>"}, headers=headers
    )
    assert bad.status_code == 422
    response = await client.put(
        "/api/v1/customers/me/anti-phishing-code", json={"code": "MY-OWN-CODE"}, headers=headers
    )
    assert response.status_code == 204
    await client.post("/api/v1/freeze/request-code", json={"email": "alice@example.com"})
    email = (await _emails(sessionmaker))[-1]
    assert "MY-OWN-CODE" in email["text"] and "BLUE-HERON-42" not in email["text"]
