"""Turning tickets into their wire shapes, for customers and for staff."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from lifeline.tickets.clocks import sla_view
from lifeline.tickets.models import Ticket, TicketAttachment
from lifeline.tickets.repository import Cursor
from lifeline.tickets.schemas import (
    AttachmentRef,
    CustomerTicketDetail,
    CustomerTicketRead,
    EntryRead,
    PersonRef,
    SlaRead,
    StaffEntryRead,
    StaffTicketDetail,
    TicketListItem,
)
from lifeline.tickets.service import TicketDetail


def customer_ticket(ticket: Ticket, merged_into: int | None = None) -> CustomerTicketRead:
    return CustomerTicketRead(
        number=ticket.number,
        type=ticket.type,
        subject=ticket.subject,
        category=ticket.category,
        status=ticket.status,
        priority=ticket.priority,
        language=ticket.language,
        fields=ticket.fields or {},
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        merged_into=merged_into,
    )


def _attachments(links: Sequence[TicketAttachment]) -> list[AttachmentRef]:
    return [
        AttachmentRef(
            public_id=link.attachment.public_id,
            filename=link.attachment.filename,
            content_type=link.attachment.content_type,
            size=link.attachment.size,
            entry_id=link.entry_id,
        )
        for link in links
    ]


def customer_detail(detail: TicketDetail, merged_into: int | None) -> CustomerTicketDetail:
    base = customer_ticket(detail.ticket, merged_into)
    return CustomerTicketDetail(
        **base.model_dump(),
        entries=[EntryRead.model_validate(entry) for entry in detail.entries if not entry.internal],
        attachments=_attachments([link for link in detail.attachments if not link.internal]),
    )


def list_item(ticket: Ticket, now: datetime) -> TicketListItem:
    view = sla_view(ticket, now)
    return TicketListItem(
        number=ticket.number,
        type=ticket.type,
        subject=ticket.subject,
        category=ticket.category,
        priority=ticket.priority,
        status=ticket.status,
        language=ticket.language,
        channel=ticket.channel,
        tags=ticket.tags or [],
        customer=PersonRef(id=ticket.customer.id, name=ticket.customer.name),
        vip_tier=ticket.customer.vip_tier,
        assignee=PersonRef(id=ticket.assignee.id, name=ticket.assignee.name)
        if ticket.assignee
        else None,
        team=ticket.team.slug if ticket.team else None,
        escalation_level=ticket.escalation_level,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        sla=SlaRead(
            state=view.state,
            first_response=view.first_response,
            resolution=view.resolution,
            first_response_due_at=view.first_response_due_at,
            resolution_due_at=view.resolution_due_at,
            next_due_at=view.next_due_at,
            paused=view.paused,
        ),
    )


def staff_detail(detail: TicketDetail, now: datetime) -> StaffTicketDetail:
    ticket = detail.ticket
    return StaffTicketDetail(
        **list_item(ticket, now).model_dump(),
        description=ticket.description,
        fields=ticket.fields or {},
        funds_at_risk=ticket.funds_at_risk,
        requested_priority=ticket.requested_priority,
        conversation_id=ticket.conversation_id,
        merged_into_id=ticket.merged_into_id,
        related_ticket_id=ticket.related_ticket_id,
        entries=[StaffEntryRead.model_validate(entry) for entry in detail.entries],
        attachments=_attachments(detail.attachments),
    )


def encode_cursor(ticket: Ticket, view: str) -> str:
    if view == "breaching" and ticket.sla_next_due_at is not None:
        return f"{int(ticket.sla_next_due_at.timestamp() * 1_000_000)}_{ticket.id}"
    return str(ticket.id)


def decode_cursor(raw: str | None) -> Cursor | None:
    if not raw:
        return None
    from datetime import UTC

    due, _, ticket_id = raw.partition("_")
    try:
        if ticket_id:
            return Cursor(int(ticket_id), datetime.fromtimestamp(int(due) / 1_000_000, UTC))
        return Cursor(int(due))
    except ValueError:
        return None
