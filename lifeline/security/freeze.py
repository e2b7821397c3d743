"""Emergency freeze: a customer who suspects theft stops logins, trading and withdrawals at once.

Three ways in, each bound to the customer's own account: signed in (the exchange's token),
or not signed in with the registered email plus a one-time code, or the single-use link from
the same email. Every freeze calls the exchange, opens an urgent security ticket and is
audited; only the security team unfreezes, after verifying identity.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.accounts.models import Customer
from lifeline.accounts.service import upsert_customer
from lifeline.accounts.tokens import CustomerClaims
from lifeline.channels.email_out import anti_phishing_code_for, queue_email
from lifeline.context import AppContext
from lifeline.db import transaction, utcnow
from lifeline.errors import InvalidRequest, NotFound
from lifeline.exchange.schemas import AccountState, CustomerProfile
from lifeline.security.audit import Actor, record_audit
from lifeline.security.models import FreezeRequest

MAX_CODE_ATTEMPTS = 5
FREEZE_REASON = "customer_emergency_freeze"


class InvalidFreezeCode(InvalidRequest):
    status_code = 400
    code = "invalid_freeze_code"
    message = "The code is wrong or has expired. Request a new code and try again."


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class FreezeOutcome:
    user_id: str
    account_status: AccountState
    ticket_number: int | None
    already_frozen: bool


async def request_code(
    session: AsyncSession, context: AppContext, email: str, lang: str, ip: str | None
) -> None:
    """Email a code and a link if the address belongs to an account. The caller answers the
    same either way, so the form does not reveal who has an account."""
    profile = await context.exchange.find_customer_by_email(email)
    if profile is None:
        await record_audit(
            session, Actor(type="anonymous", ip=ip), "account.freeze_code_unknown_email"
        )
        return
    code = f"{secrets.randbelow(1_000_000):06d}"
    token = secrets.token_urlsafe(32)
    request = FreezeRequest(
        user_id=profile.user_id,
        email=profile.email.lower(),
        code_hash=_hash(code),
        link_token_hash=_hash(token),
        expires_at=utcnow() + timedelta(seconds=context.settings.freeze_code_ttl_seconds),
        ip=ip,
    )
    session.add(request)
    await session.flush()
    link = f"{context.settings.public_base_url}/help/{lang}/freeze/confirm?token={token}"
    minutes = context.settings.freeze_code_ttl_seconds // 60
    if lang.startswith("zh"):
        subject = "紧急冻结账户的验证码"
        text = (
            f"您的账户紧急冻结验证码：{code}（{minutes} 分钟内有效）。\n"
            f"也可以点击此链接立即冻结：{link}\n"
            "如果不是您本人操作，请忽略此邮件；任何人向您索要此验证码都是诈骗。"
        )
    else:
        subject = "Your code to freeze your account"
        text = (
            f"Your emergency freeze code: {code} (valid for {minutes} minutes).\n"
            f"Or freeze at once with this link: {link}\n"
            "If you did not ask for this, ignore this email. Anyone who asks you for this code "
            "is a scammer."
        )
    await queue_email(
        session,
        to=profile.email,
        subject=subject,
        text=text,
        lang=lang,
        anti_phishing_code=await anti_phishing_code_for(
            session, profile.user_id, profile.anti_phishing_code
        ),
    )
    await record_audit(
        session,
        Actor(type="anonymous", ip=ip),
        "account.freeze_code_sent",
        object_type="exchange_account",
        object_id=profile.user_id,
    )


async def confirm_with_code(
    sessionmaker: async_sessionmaker[AsyncSession],
    context: AppContext,
    email: str,
    code: str,
    ip: str | None,
) -> FreezeOutcome:
    """Owns its transactions: a wrong code must be counted even though the request fails."""
    async with transaction(sessionmaker) as session:
        request = await session.scalar(
            select(FreezeRequest)
            .where(
                FreezeRequest.email == email.strip().lower(),
                FreezeRequest.used_at.is_(None),
                FreezeRequest.expires_at > utcnow(),
            )
            .order_by(FreezeRequest.id.desc())
            .limit(1)
            .with_for_update()
        )
        if request is None or request.attempts >= MAX_CODE_ATTEMPTS:
            raise InvalidFreezeCode()
        if hmac.compare_digest(request.code_hash, _hash(code.strip())):
            request.used_at = utcnow()
            return await freeze(session, context, request.user_id, via="email_code", ip=ip)
        request.attempts += 1
        request_id = request.id
    async with transaction(sessionmaker) as session:
        await record_audit(
            session,
            Actor(type="anonymous", ip=ip),
            "account.freeze_code_wrong",
            object_type="freeze_request",
            object_id=request_id,
        )
    raise InvalidFreezeCode()


async def confirm_with_link(
    session: AsyncSession, context: AppContext, token: str, ip: str | None
) -> FreezeOutcome:
    request = await session.scalar(
        select(FreezeRequest).where(FreezeRequest.link_token_hash == _hash(token)).with_for_update()
    )
    if request is None or request.used_at is not None or request.expires_at <= utcnow():
        raise InvalidFreezeCode("This link has expired or was already used. Request a new one.")
    request.used_at = utcnow()
    return await freeze(session, context, request.user_id, via="email_link", ip=ip)


async def freeze_signed_in(
    session: AsyncSession, context: AppContext, customer: Customer, ip: str | None
) -> FreezeOutcome:
    if not customer.external_id:
        raise NotFound("No exchange account is linked to you.")
    return await freeze(session, context, customer.external_id, via="signed_in", ip=ip)


async def freeze(
    session: AsyncSession,
    context: AppContext,
    user_id: str,
    *,
    via: str,
    ip: str | None,
    staff: Actor | None = None,
) -> FreezeOutcome:
    """Freeze at the exchange, open the urgent security ticket, audit. ``staff`` is the
    security team member acting for the customer (from the chat or a ticket)."""
    profile = await context.exchange.get_customer(user_id)
    if profile is None:
        raise NotFound("No such exchange account.")
    already = profile.account_status == AccountState.FROZEN
    result = await context.exchange.freeze_account(user_id, FREEZE_REASON)
    customer = await _customer_for(session, profile)
    actor = staff or Actor(type="customer", id=str(customer.id), ip=ip)
    ticket_number = (
        None
        if already
        else await _open_security_ticket(session, context, customer, profile, via, actor)
    )
    await record_audit(
        session,
        actor,
        "account.freeze",
        object_type="exchange_account",
        object_id=user_id,
        details={"via": via, "ticket": ticket_number, "already_frozen": already},
    )
    return FreezeOutcome(user_id, result.account_status, ticket_number, already)


async def unfreeze(
    session: AsyncSession, context: AppContext, user_id: str, verification: str, actor: Actor
) -> AccountState:
    """The security team's action, after verifying the customer's identity."""
    if not verification.strip():
        raise InvalidRequest("Say how the customer's identity was verified.")
    if await context.exchange.get_customer(user_id) is None:
        raise NotFound("No such exchange account.")
    result = await context.exchange.unfreeze_account(user_id, "identity_verified")
    await record_audit(
        session,
        actor,
        "account.unfreeze",
        object_type="exchange_account",
        object_id=user_id,
        details={"verification": verification[:500]},
    )
    return result.account_status


async def _customer_for(session: AsyncSession, profile: CustomerProfile) -> Customer:
    return await upsert_customer(
        session,
        CustomerClaims(
            sub=profile.user_id,
            email=profile.email,
            name=profile.name,
            lang=profile.language,
            vip_tier=profile.vip_tier,
        ),
    )


async def _open_security_ticket(
    session: AsyncSession,
    context: AppContext,
    customer: Customer,
    profile: CustomerProfile,
    via: str,
    actor: Actor,
) -> int:
    from lifeline.tickets.models import TicketCategory, TicketChannel, TicketPriority
    from lifeline.tickets.service import NewTicket, create_ticket

    zh = profile.language.startswith("zh")
    created = await create_ticket(
        session,
        context.settings,
        customer,
        NewTicket(
            subject="紧急冻结：客户报告账户可能被盗"
            if zh
            else "Emergency freeze: customer reports a compromised account",
            description=(
                f"{'The security team' if via == 'security_team' else 'The customer'} froze "
                f"account {profile.user_id} ({via}). Follow up: verify "
                "identity, review recent logins, withdrawals and API keys, and advise on "
                "securing email, password and 2FA before any unfreeze."
            ),
            category=TicketCategory.ACCOUNT_SECURITY,
            requested_priority=TicketPriority.URGENT,
            channel=TicketChannel.WEB,
            language="zh" if zh else "en",
            funds_at_risk=True,
            tags=["emergency-freeze"],
        ),
        actor,
    )
    return int(created.ticket.number)
