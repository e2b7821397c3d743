"""Before a customer submits a ticket: does it repeat one of their open tickets?

The same rule ``service.create_ticket`` applies on submit (``duplicates.find_duplicate``), asked
ahead of time so the form can point to the open ticket instead of creating a second one.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from lifeline.accounts.deps import CurrentCustomer
from lifeline.deps import Session
from lifeline.errors import InvalidRequest
from lifeline.security.masking import mask_secrets
from lifeline.security.ratelimit import rate_limit
from lifeline.tickets.models import TicketCategory, TicketStatus
from lifeline.tickets.schemas import StructuredFields
from lifeline.tickets.service import find_open_duplicate

router = APIRouter(prefix="/api/v1/customer/tickets", tags=["tickets"])


class DuplicateCheck(BaseModel):
    subject: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=20000)
    category: TicketCategory
    fields: StructuredFields = Field(default_factory=StructuredFields)


class DuplicateTicket(BaseModel):
    number: int
    subject: str
    status: TicketStatus


class DuplicateVerdict(BaseModel):
    duplicate: bool
    ticket: DuplicateTicket | None = None


@router.post(
    "/check-duplicate",
    response_model=DuplicateVerdict,
    dependencies=[rate_limit("ticket_duplicate_check", 60, 60)],
)
async def check_duplicate(
    body: DuplicateCheck, identity: CurrentCustomer, session: Session
) -> DuplicateVerdict:
    if identity.customer is None:
        raise InvalidRequest("Sign in to your exchange account to open or follow tickets.")
    # Compared as it would be stored: masked, like create_ticket does.
    subject = mask_secrets(body.subject.strip()).masked
    description = mask_secrets(body.description.strip()).masked
    found = await find_open_duplicate(
        session, identity.customer, body.category, body.fields.stored(), f"{subject}\n{description}"
    )
    if found is None:
        return DuplicateVerdict(duplicate=False)
    return DuplicateVerdict(
        duplicate=True,
        ticket=DuplicateTicket(number=found.number, subject=found.subject, status=found.status),
    )
