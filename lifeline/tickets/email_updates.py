"""Ticket news by email, for tickets that came in by email.

A customer who wrote to the support address may have no account to sign in to: the answer has
to reach them where they asked. Each email carries ``[#number]`` in its subject, so answering
it threads onto the same ticket (see ``lifeline.channels.email_service``). Acknowledgements are
marked ``Auto-Submitted`` so a customer's auto-responder does not answer them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts.models import Customer
from lifeline.channels.email_out import anti_phishing_code_for, queue_email
from lifeline.tickets.models import Ticket, TicketChannel
from lifeline.tickets.texts import pick_language, render

# Answers to the customer's own message rather than a person writing to them.
ACKNOWLEDGEMENTS: Final = frozenset({"ticket_created", "duplicate_notice", "complaint_next_steps"})

_HOW_TO_ANSWER: Final = {
    "en": "To answer, reply to this email and keep [#{number}] in the subject.",
    "zh": "如需回复，请直接回复此邮件，并保留主题中的 [#{number}]。",
}


def email_subject(ticket: Ticket) -> str:
    return f"[#{ticket.number}] {ticket.subject}"


def email_thread(ticket: Ticket) -> str:
    """The root every email about ``ticket`` references, so mail programs group them."""
    return f"ticket-{ticket.number}"


async def email_ticket_update(
    session: AsyncSession,
    ticket: Ticket,
    template: str,
    *,
    notice: str | None = None,
    reply: str | None = None,
    attachment_ids: Sequence[int] = (),
) -> bool:
    """Queue the email for one customer notification of an email ticket, in the caller's
    transaction. ``notice`` is the notification's own text (rendered from ``template`` when
    absent); ``reply`` an agent's public reply, quoted in full, with its files. Returns whether
    one was queued."""
    if ticket.channel != TicketChannel.EMAIL:
        return False
    customer = await session.get(Customer, ticket.customer_id)
    if customer is None or not customer.email:
        return False
    language = pick_language(ticket.language)
    parts = [notice or render(template, language, number=ticket.number)]
    if reply:
        parts.append(reply)
    parts.append(_HOW_TO_ANSWER[language].format(number=ticket.number))
    await queue_email(
        session,
        to=customer.email,
        subject=email_subject(ticket),
        text="\n\n".join(parts),
        lang=language,
        anti_phishing_code=await anti_phishing_code_for(session, customer.external_id, None),
        automatic=template in ACKNOWLEDGEMENTS,
        kind=template,
        thread=email_thread(ticket),
        attachment_ids=attachment_ids,
    )
    return True
