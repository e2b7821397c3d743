"""What an inbound email becomes: a new ticket, or a reply on the sender's own ticket.

A subject carrying ``[#123]`` threads onto ticket 123 only if it belongs to the sender;
otherwise (or when that ticket is closed) the message opens a ticket of its own. Attachments
go through the same checks as uploads (sniffed type, size, malware scan); a refused one is
noted in the ticket, never stored. When secrets were masked the sender gets a warning email
in their language, with the same text the chat shows.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts.models import Customer
from lifeline.assistant.tickets_bridge import category_for
from lifeline.assistant.understanding import understand
from lifeline.attachments.models import Attachment
from lifeline.attachments.service import (
    MAX_ATTACHMENTS_PER_MESSAGE,
    AttachmentTooLarge,
    AttachmentTypeNotAllowed,
    store_upload,
)
from lifeline.channels.email_in import ParsedEmail
from lifeline.channels.email_out import anti_phishing_code_for, queue_email
from lifeline.config import Settings
from lifeline.db import utcnow
from lifeline.errors import InvalidRequest
from lifeline.security.antivirus import AttachmentInfected
from lifeline.security.audit import Actor
from lifeline.security.masking import secret_warning
from lifeline.tickets import actions, repository
from lifeline.tickets.email_updates import email_subject, email_thread
from lifeline.tickets.models import Ticket, TicketChannel, TicketStatus
from lifeline.tickets.service import NewTicket, create_ticket
from lifeline.tickets.state import customer_may_reopen

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmailOutcome:
    ticket_number: int
    replied: bool
    refused_attachments: list[str] = field(default_factory=list)
    warned: bool = False
    duplicate: bool = False


# A sender the From address could not be proven for (see ``email_auth``).
UNVERIFIED_TAG = "unverified-sender"
_UNVERIFIED_NOTE = (
    "The sender's address ({sender}) could not be verified: the message carries no valid "
    "DKIM signature of its domain, and our mail server did not confirm it. Anyone can write "
    "this From address. Do not act on account changes, withdrawal details or personal data "
    "from this message; ask the customer to confirm in the app or from a verified message. "
    "Answers go to the address itself, so its real owner sees them."
)
_RECEIVED = "email_received"
_RECEIVED_KEPT = 50
_FIELDS = ("txid", "order_id", "asset", "network", "amount", "address")


def _fields(entities: dict[str, Any]) -> dict[str, str]:
    """The structured fields agents search by, from what the message names (first of each)."""
    found: dict[str, str] = {}
    for name in _FIELDS:
        values = entities.get(name)
        if isinstance(values, list) and values:
            found[name] = str(values[0])[:200]
    return found


class _Upload:
    def __init__(self, content: bytes) -> None:
        self._stream = io.BytesIO(content)

    async def read(self, size: int = -1) -> bytes:
        return self._stream.read(size)


def _language(detected: str, customer: Customer | None, settings: Settings) -> str:
    """The language the customer wrote in; their profile's when the text does not tell."""
    language = "zh" if detected.startswith("zh") else detected
    if language not in settings.languages and customer is not None:
        language = customer.preferred_language
    return language if language in settings.languages else settings.default_language


async def customer_for_sender(session: AsyncSession, email: ParsedEmail) -> Customer | None:
    return await session.scalar(
        select(Customer)
        .where(func.lower(Customer.email) == email.sender)
        .order_by(Customer.id)
        .limit(1)
    )


async def new_email_customer(session: AsyncSession, email: ParsedEmail, language: str) -> Customer:
    customer = Customer(
        email=email.sender,
        name=email.sender_name or None,
        preferred_language=language,
        attributes={"source": "email"},
    )
    session.add(customer)
    await session.flush()
    return customer


def _already_received(customer: Customer, message_key: str | None) -> int | None:
    """The ticket a message with this Message-ID already went to (a sender's retry after our
    answer was lost), so that it is not filed twice."""
    if not message_key:
        return None
    for key, number in customer.attributes.get(_RECEIVED, []):
        if key == message_key:
            return int(number)
    return None


def _remember_received(customer: Customer, message_key: str | None, number: int) -> None:
    if not message_key:
        return
    received = [*customer.attributes.get(_RECEIVED, []), [message_key, number]]
    customer.attributes = {**customer.attributes, _RECEIVED: received[-_RECEIVED_KEPT:]}


async def _store_attachments(
    session: AsyncSession, settings: Settings, email: ParsedEmail, actor: Actor
) -> tuple[list[Attachment], list[str]]:
    stored: list[Attachment] = []
    refused: list[str] = []
    for index, item in enumerate(email.attachments):
        if index >= MAX_ATTACHMENTS_PER_MESSAGE:
            refused.append(f"{item.filename} (too many attachments)")
            continue
        try:
            stored.append(
                await store_upload(
                    session, settings, _Upload(item.content), filename=item.filename, owner=actor
                )
            )
        except (
            AttachmentTooLarge,
            AttachmentTypeNotAllowed,
            AttachmentInfected,
            InvalidRequest,
        ) as error:
            refused.append(f"{item.filename} ({error.message})")
    return stored, refused


async def _own_ticket(session: AsyncSession, customer: Customer, number: int) -> Ticket | None:
    ticket = await repository.ticket_by_number(session, number, for_update=True)
    if ticket is None or ticket.customer_id != customer.id:
        return None
    return ticket


def _accepts_customer_reply(ticket: Ticket) -> bool:
    if ticket.status == TicketStatus.CLOSED:
        return False
    if ticket.status == TicketStatus.RESOLVED:
        return customer_may_reopen(ticket.status, ticket.resolved_at, utcnow())
    return True


def _with_refusals(text: str, refused: list[str], language: str) -> str:
    if not refused:
        return text
    heading = "未接收的附件：" if language == "zh" else "Attachments not accepted:"
    lines = "\n".join(f"- {name}" for name in refused)
    return f"{text}\n\n{heading}\n{lines}".strip()


async def receive_email(
    session: AsyncSession, settings: Settings, email: ParsedEmail
) -> EmailOutcome:
    """Turn a parsed (already masked) email into ticket activity in the caller's transaction."""
    understanding = understand(f"{email.subject}\n{email.text}", utcnow())
    existing = await customer_for_sender(session, email)
    language = _language(understanding.lang, existing, settings)
    customer = existing or await new_email_customer(session, email, language)
    previous = _already_received(customer, email.message_key)
    if previous is not None:
        return EmailOutcome(ticket_number=previous, replied=False, duplicate=True)
    actor = Actor(type="customer", id=str(customer.id))
    attachments, refused = await _store_attachments(session, settings, email, actor)
    body = _with_refusals(email.text, refused, language)
    ticket: Ticket | None = None
    related: Ticket | None = None
    if email.ticket_number is not None:
        ticket = await _own_ticket(session, customer, email.ticket_number)
    if ticket is not None and (
        not _accepts_customer_reply(ticket) or email.sender_verified is False
    ):
        # A closed ticket (or one resolved too long ago) gets a follow-up instead; so does a
        # reply whose sender could not be proven, which must not speak in the owner's thread.
        related, ticket = ticket, None
    if ticket is not None:
        await actions.reply(
            session, ticket, actor, body or "(empty message)", attachments=attachments
        )
        replied = True
    else:
        replied = False
        subject = email.subject or ("(无主题)" if language == "zh" else "(no subject)")
        created = await create_ticket(
            session,
            settings,
            customer,
            NewTicket(
                subject=subject,
                description=body or subject,
                category=category_for(understanding.intent),
                channel=TicketChannel.EMAIL,
                language=language,
                fields=_fields(understanding.entities),
                related_ticket=related,
                attachments=attachments,
                tags=[UNVERIFIED_TAG] if email.sender_verified is False else [],
                acknowledge_by_email=not email.automatic,
                join_duplicates=email.sender_verified is not False,
            ),
            actor,
        )
        ticket = created.ticket
        if email.sender_verified is False and not created.duplicate:
            await actions.add_note(
                session, ticket, Actor.system(), _UNVERIFIED_NOTE.format(sender=email.sender)
            )
    _remember_received(customer, email.message_key, ticket.number)
    warned = False
    if email.masked_kinds and not email.automatic:
        warning = secret_warning(email.masked_kinds, language)
        if warning:
            await queue_email(
                session,
                to=email.sender,
                subject=email_subject(ticket),
                text=warning,
                lang=language,
                automatic=True,
                kind="secret_warning",
                thread=email_thread(ticket),
                anti_phishing_code=await anti_phishing_code_for(
                    session, customer.external_id, None
                ),
            )
            warned = True
    return EmailOutcome(
        ticket_number=ticket.number, replied=replied, refused_attachments=refused, warned=warned
    )
