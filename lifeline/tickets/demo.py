"""A few demo tickets and the default SLA policies, for ``lifeline demo``."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts.service import ensure_default_teams, upsert_customer
from lifeline.accounts.tokens import CustomerClaims
from lifeline.config import Settings
from lifeline.exchange.demo_data import ALICE, GRACE, WEI
from lifeline.security.audit import Actor
from lifeline.tickets.models import TicketCategory, TicketPriority
from lifeline.tickets.policies import ensure_default_policies
from lifeline.tickets.service import NewTicket, create_ticket


async def seed_demo_tickets(session: AsyncSession, settings: Settings) -> None:
    await ensure_default_policies(session, await ensure_default_teams(session))
    alice = await upsert_customer(
        session, CustomerClaims(sub=ALICE, name="Alice Martin", lang="en", vip_tier=0)
    )
    wei = await upsert_customer(session, CustomerClaims(sub=WEI, name="王伟", lang="zh"))
    grace = await upsert_customer(
        session, CustomerClaims(sub=GRACE, name="Grace Liu", lang="en", vip_tier=2)
    )
    demo = [
        (
            alice,
            NewTicket(
                subject="BTC deposit not credited",
                description="I deposited 0.25 BTC three hours ago; the explorer shows 2 "
                "confirmations but my balance has not changed.",
                category=TicketCategory.DEPOSITS_WITHDRAWALS,
                fields={"asset": "BTC", "network": "BTC", "amount": "0.25"},
            ),
        ),
        (
            wei,
            NewTicket(
                subject="USDT 提现一直在处理中",
                description="我昨天提现了 500 USDT（TRC20），到现在还显示处理中，请帮忙查一下。",
                category=TicketCategory.DEPOSITS_WITHDRAWALS,
                fields={"asset": "USDT", "network": "TRC20", "amount": "500"},
            ),
        ),
        (
            grace,
            NewTicket(
                subject="Unrecognised login and API key created",
                description="I received an alert about a login from a new device and an API "
                "key I did not create. Please freeze withdrawals.",
                category=TicketCategory.ACCOUNT_SECURITY,
                requested_priority=TicketPriority.URGENT,
                funds_at_risk=True,
            ),
        ),
    ]
    for customer, new in demo:
        await create_ticket(session, settings, customer, new, Actor("customer", str(customer.id)))
