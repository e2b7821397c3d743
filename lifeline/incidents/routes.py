"""HTTP API of incidents: everyone may read the active ones; staff open and resolve them."""

from __future__ import annotations

from fastapi import APIRouter

from lifeline.accounts.deps import Staff, require_permission
from lifeline.deps import Session
from lifeline.incidents import service
from lifeline.incidents.schemas import IncidentCreate, IncidentRead
from lifeline.security.permissions import Permission

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])


@router.get("", response_model=list[IncidentRead])
async def list_active(session: Session) -> list[IncidentRead]:
    return [IncidentRead.model_validate(i) for i in await service.active_incidents(session)]


@router.post("", response_model=IncidentRead, status_code=201)
async def create(
    body: IncidentCreate,
    session: Session,
    staff: Staff = require_permission(Permission.INCIDENTS_MANAGE),
) -> IncidentRead:
    incident = await service.create_incident(session, body, staff.actor)
    return IncidentRead.model_validate(incident)


@router.post("/{public_id}/resolve", response_model=IncidentRead)
async def resolve(
    public_id: str,
    session: Session,
    staff: Staff = require_permission(Permission.INCIDENTS_MANAGE),
) -> IncidentRead:
    incident = await service.resolve_incident(session, public_id, staff.actor)
    return IncidentRead.model_validate(incident)
