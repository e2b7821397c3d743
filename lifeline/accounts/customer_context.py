"""What an agent sees of a customer: Lifeline's record plus the exchange's view of them.

Personal data is masked unless the agent asks to reveal it, which needs its own permission
and is written to the audit log every time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts.deps import Staff
from lifeline.accounts.models import Customer
from lifeline.context import AppContext
from lifeline.errors import NotFound
from lifeline.security.audit import record_audit
from lifeline.security.permissions import Permission
from lifeline.security.pii import mask_email, mask_name


class PastTicket(BaseModel):
    number: int
    subject: str
    status: str
    created_at: datetime


class CustomerContext(BaseModel):
    public_id: str
    external_id: str | None
    name: str | None
    email: str | None
    revealed: bool
    preferred_language: str
    vip_tier: int
    account_manager: str | None = None
    kyc_level: int | None = None
    kyc_status: str | None = None
    kyc_rejection_reason: str | None = None
    account_status: str | None = None
    account_status_reason: str | None = None
    deposits: list[dict[str, Any]] = []
    withdrawals: list[dict[str, Any]] = []
    orders: list[dict[str, Any]] = []
    positions: list[dict[str, Any]] = []
    tickets: list[PastTicket] = []


async def _recent_tickets(session: AsyncSession, customer_id: int) -> list[PastTicket]:
    from lifeline.tickets.models import Ticket

    rows = await session.scalars(
        select(Ticket)
        .where(Ticket.customer_id == customer_id)
        .order_by(Ticket.created_at.desc())
        .limit(10)
    )
    return [
        PastTicket(
            number=t.number, subject=t.subject, status=t.status.value, created_at=t.created_at
        )
        for t in rows
    ]


async def customer_context(
    session: AsyncSession, context: AppContext, staff: Staff, public_id: str, reveal: bool
) -> CustomerContext:
    staff.require(Permission.CUSTOMERS_READ)
    customer = await session.scalar(select(Customer).where(Customer.public_id == public_id))
    if customer is None:
        raise NotFound("No such customer.")
    if reveal:
        staff.require(Permission.CUSTOMERS_REVEAL_PII)
        await record_audit(
            session,
            staff.actor,
            "customer.reveal_pii",
            object_type="customer",
            object_id=customer.public_id,
        )
    profile = (
        await context.exchange.get_customer(customer.external_id) if customer.external_id else None
    )
    name = profile.name if profile else customer.name
    email = profile.email if profile else customer.email
    result = CustomerContext(
        public_id=customer.public_id,
        external_id=customer.external_id,
        name=name if reveal else mask_name(name),
        email=email if reveal else mask_email(email),
        revealed=reveal,
        preferred_language=customer.preferred_language,
        vip_tier=profile.vip_tier if profile else customer.vip_tier,
        tickets=await _recent_tickets(session, customer.id),
    )
    if profile is None or customer.external_id is None:
        return result
    user_id = customer.external_id
    result.account_manager = profile.account_manager
    result.kyc_level = profile.kyc_level
    result.kyc_status = profile.kyc_status.value
    result.kyc_rejection_reason = profile.kyc_rejection_reason
    result.account_status = profile.account_status.value
    result.account_status_reason = profile.account_status_reason
    result.deposits = [
        d.model_dump(mode="json") for d in await context.exchange.list_deposits(user_id, 5)
    ]
    result.withdrawals = [
        w.model_dump(mode="json") for w in await context.exchange.list_withdrawals(user_id, 5)
    ]
    result.orders = [
        o.model_dump(mode="json") for o in await context.exchange.list_orders(user_id, 5)
    ]
    result.positions = [
        p.model_dump(mode="json") for p in await context.exchange.list_positions(user_id)
    ]
    return result
