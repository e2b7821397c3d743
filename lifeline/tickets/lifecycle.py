"""Actions around the end of a ticket's life and the customer's recourse: asking for a
supervisor, merging, resolving with a satisfaction survey, rating, and macros."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts.models import Agent
from lifeline.config import Settings
from lifeline.db import utcnow
from lifeline.errors import Conflict, InvalidRequest, TooManyRequests
from lifeline.security.audit import Actor
from lifeline.tickets import actions, assignment, repository
from lifeline.tickets.csat import (
    SurveyLinkInvalid,
    SurveyLinkUsed,
    make_survey_token,
    read_survey_token,
    survey_link,
)
from lifeline.tickets.macros import body_for, render_macro
from lifeline.tickets.models import (
    EntryKind,
    Macro,
    SatisfactionSurvey,
    Ticket,
    TicketCategory,
    TicketPriority,
    TicketStatus,
)
from lifeline.tickets.texts import render

S = TicketStatus


async def request_supervisor(
    session: AsyncSession, ticket: Ticket, actor: Actor, *, reason: str | None, now: datetime
) -> None:
    """The customer's right to a supervisor, once per ticket per interval."""
    if not ticket.active:
        raise Conflict("This ticket is no longer open.")
    last = ticket.supervisor_requested_at
    if last is not None and now - last < actions.SUPERVISOR_REQUEST_INTERVAL:
        retry_after = int((last + actions.SUPERVISOR_REQUEST_INTERVAL - now).total_seconds())
        raise TooManyRequests(
            "A supervisor has already been asked to review this ticket.",
            retry_after=max(retry_after, 1),
        )
    ticket.supervisor_requested_at = now
    await assignment.escalate(
        session,
        ticket,
        actor,
        reason=reason or "The customer asked for a supervisor.",
        to_supervisor=True,
        now=now,
    )
    notice = render("supervisor_requested", ticket.language, number=ticket.number)
    await actions.record(
        session, ticket, actor, "supervisor_requested", body=notice, internal=False, now=now
    )
    await actions.notify_customer(session, ticket, "supervisor_requested")


async def merge(session: AsyncSession, source: Ticket, target: Ticket, actor: Actor) -> None:
    """Close ``source`` into ``target`` (same customer); merging is the one way to close a
    ticket from any open status."""
    if source.id == target.id:
        raise InvalidRequest("A ticket cannot be merged into itself.")
    if source.customer_id != target.customer_id:
        raise Conflict("Only tickets of the same customer can be merged.")
    if not source.active or not target.active:
        raise Conflict("Both tickets must be open to merge them.")
    now = utcnow()
    source.merged_into_id = target.id
    previous = source.status
    await actions.apply_status(session, source, S.CLOSED, now)
    await actions.record(
        session,
        source,
        actor,
        "merged",
        body=f"Merged into #{target.number}.",
        internal=False,
        data={"into": target.number, "from": previous.value},
        now=now,
    )
    await actions.record(
        session,
        target,
        actor,
        "merge",
        body=f"#{source.number}: {source.subject}\n\n{source.description}",
        data={"merged": source.number},
        now=now,
    )


async def resolve(
    session: AsyncSession,
    settings: Settings,
    ticket: Ticket,
    actor: Actor,
    *,
    reply_body: str | None = None,
) -> str:
    """Resolve (after an optional final reply) and send the one-use satisfaction link.
    Returns the survey token (for the notification; never shown to agents)."""
    final_reply = None
    if reply_body:
        final_reply = await actions.reply(session, ticket, actor, reply_body, notify_people=False)
    await actions.set_status(session, ticket, actor, S.RESOLVED)
    nonce = secrets.token_hex(16)
    session.add(
        SatisfactionSurvey(
            ticket_id=ticket.id, nonce=nonce, agent_id=ticket.assignee_id, team_id=ticket.team_id
        )
    )
    await session.flush()
    token = make_survey_token(settings.secret_key, nonce)
    lang = ticket.language if ticket.language in settings.languages else settings.default_language
    link = survey_link(settings.public_base_url, token, lang)
    await actions.notify_customer(
        session,
        ticket,
        "csat_prompt",
        reply=final_reply.body if final_reply is not None else None,
        link=link,
        text=render("csat_prompt", ticket.language, number=ticket.number, link=link),
    )
    return token


async def survey_for_token(
    session: AsyncSession, settings: Settings, token: str
) -> tuple[SatisfactionSurvey, Ticket]:
    nonce = read_survey_token(settings.secret_key, token)
    survey = await repository.survey_by_nonce(session, nonce)
    if survey is None:
        raise SurveyLinkInvalid()
    ticket = await repository.ticket_by_id(session, survey.ticket_id)
    if ticket is None:
        raise SurveyLinkInvalid()
    return survey, ticket


async def rate(
    session: AsyncSession,
    settings: Settings,
    token: str,
    *,
    rating: int,
    comment: str | None,
    actor: Actor,
) -> Ticket:
    if not 1 <= rating <= 5:
        raise InvalidRequest("A rating is a whole number from 1 to 5.")
    survey, ticket = await survey_for_token(session, settings, token)
    if survey.used_at is not None:
        raise SurveyLinkUsed()
    # The conditional update is what makes the link single-use under concurrent submits.
    if not await repository.use_survey(session, survey.id, rating, comment, utcnow()):
        raise SurveyLinkUsed()
    await actions.record(
        session,
        ticket,
        Actor(type="customer", id=str(ticket.customer_id), ip=actor.ip),
        "rated",
        body=comment or "",
        data={"rating": rating, "agent_id": survey.agent_id, "team_id": survey.team_id},
    )
    return ticket


async def apply_macro(
    session: AsyncSession,
    settings: Settings,
    ticket: Ticket,
    actor: Actor,
    macro: Macro,
    agent: Agent | None,
) -> None:
    """Reply with the macro's text in the ticket's language, then apply its field changes."""
    values = {
        "customer.name": ticket.customer.name or ("客户" if ticket.language == "zh" else "there"),
        "ticket.number": str(ticket.number),
        "ticket.subject": ticket.subject,
        "ticket.category": ticket.category.value,
        "agent.name": agent.name if agent else "",
        "exchange.name": settings.exchange_name,
    }
    body = render_macro(body_for(macro.bodies, ticket.language), values)
    changes = macro.actions or {}
    status = changes.get("status")
    await actions.reply(
        session,
        ticket,
        actor,
        body,
        then_status=TicketStatus(status) if status and status != "resolved" else None,
        event="macro_reply",
    )
    if changes.get("priority"):
        await actions.set_priority(session, ticket, actor, TicketPriority(changes["priority"]))
    field_changes: dict[str, object] = {}
    if changes.get("category"):
        field_changes["category"] = TicketCategory(changes["category"])
    if changes.get("add_tags"):
        field_changes["tags"] = sorted({*ticket.tags, *changes["add_tags"]})
    if field_changes:
        await actions.update_fields(session, ticket, actor, field_changes)
    if status == "resolved":
        await resolve(session, settings, ticket, actor)
    await actions.record(
        session, ticket, actor, "macro_applied", kind=EntryKind.EVENT, data={"macro": macro.id}
    )
