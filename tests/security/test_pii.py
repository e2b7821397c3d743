"""Agents see customers' personal data masked; revealing it needs a permission and is audited."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.accounts.models import Role
from lifeline.config import Settings
from lifeline.security.models import AuditEntry
from lifeline.security.pii import mask_email, mask_name
from tests.support.factories import customer_token, make_agent, sign_in


def test_masking_shapes() -> None:
    assert mask_email("alice@example.com") == "a***e@example.com"
    assert mask_email("jo@example.com") == "j@example.com"
    assert mask_name("Alice Martin") == "A**** M*****"
    assert mask_name("王伟") == "王*"


async def _customer_public_id(client: httpx.AsyncClient, settings: Settings) -> str:
    token = customer_token(settings, "U1001", email="alice@example.com")
    me = await client.get("/api/v1/customers/me", headers={"Authorization": f"Bearer {token}"})
    public_id: str = me.json()["customer"]["public_id"]
    return public_id


async def test_agents_see_masked_context_and_reveals_are_audited(
    client: httpx.AsyncClient,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    demo_data: None,
) -> None:
    public_id = await _customer_public_id(client, settings)
    token = customer_token(settings, "U1001", email="alice@example.com")
    opened = await client.post(
        "/api/v1/customer/tickets",
        json={
            "subject": "Withdrawal under review",
            "description": "My USDT withdrawal has been under review since yesterday.",
            "category": "deposits_withdrawals",
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert opened.status_code == 201, opened.text
    await make_agent(sessionmaker, "agent@example.com", role=Role.AGENT)
    await sign_in(client, "agent@example.com")
    masked = (await client.get(f"/api/v1/customers/{public_id}/context")).json()
    # Past tickets, for the agent's side panel.
    assert [t["number"] for t in masked["tickets"]] == [opened.json()["ticket"]["number"]]
    assert masked["tickets"][0]["subject"] == "Withdrawal under review"
    assert masked["email"] == "a***e@example.com" and masked["name"] == "A**** M*****"
    assert masked["kyc_status"] == "approved"
    assert any(d["confirmations"] == 3 for d in masked["deposits"])
    denied = await client.get(f"/api/v1/customers/{public_id}/context", params={"reveal": True})
    assert denied.status_code == 403

    client.cookies.clear()
    await make_agent(sessionmaker, "boss@example.com", role=Role.SUPERVISOR)
    await sign_in(client, "boss@example.com")
    revealed = (
        await client.get(f"/api/v1/customers/{public_id}/context", params={"reveal": True})
    ).json()
    assert revealed["email"] == "alice@example.com" and revealed["revealed"] is True
    async with sessionmaker() as session:
        reveals = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.action == "customer.reveal_pii")
            )
        ).all()
    assert len(reveals) == 1 and reveals[0].object_id == public_id


async def test_customers_cannot_read_customer_context(
    client: httpx.AsyncClient, settings: Settings, demo_data: None
) -> None:
    public_id = await _customer_public_id(client, settings)
    token = customer_token(settings, "U1002", email=None)
    response = await client.get(
        f"/api/v1/customers/{public_id}/context", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code in {401, 403}
