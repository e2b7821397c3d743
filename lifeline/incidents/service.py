"""Incidents: opening one, resolving it, and the ones that concern a customer's question."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.db import utcnow
from lifeline.errors import Conflict, NotFound
from lifeline.incidents import repository
from lifeline.incidents.models import Incident, IncidentStatus
from lifeline.incidents.schemas import IncidentCreate
from lifeline.security.audit import Actor, record_audit


class IncidentNotFound(NotFound):
    code = "incident_not_found"
    message = "No such incident."


class IncidentAlreadyResolved(Conflict):
    code = "incident_already_resolved"
    message = "This incident is already resolved."


def _clean(value: str | None, *, upper: bool = False) -> str | None:
    if value is None or not value.strip():
        return None
    return value.strip().upper() if upper else value.strip().lower()


async def create_incident(
    session: AsyncSession, data: IncidentCreate, actor: Actor, *, now: datetime | None = None
) -> Incident:
    incident = Incident(
        title_en=data.title_en.strip(),
        title_zh=data.title_zh.strip(),
        body_en=data.body_en.strip(),
        body_zh=data.body_zh.strip(),
        affected_service=_clean(data.affected_service),
        affected_asset=_clean(data.affected_asset, upper=True),
        affected_network=_clean(data.affected_network, upper=True),
        status=IncidentStatus.ACTIVE,
        started_at=data.started_at or now or utcnow(),
    )
    session.add(incident)
    await session.flush()
    await record_audit(
        session,
        actor,
        "incident.create",
        object_type="incident",
        object_id=incident.public_id,
        details={"title": incident.title_en},
    )
    return incident


async def resolve_incident(
    session: AsyncSession, public_id: str, actor: Actor, *, now: datetime | None = None
) -> Incident:
    incident = await repository.incident_by_public_id(session, public_id, for_update=True)
    if incident is None:
        raise IncidentNotFound()
    if incident.status == IncidentStatus.RESOLVED:
        raise IncidentAlreadyResolved()
    incident.status = IncidentStatus.RESOLVED
    incident.resolved_at = now or utcnow()
    await session.flush()
    await record_audit(
        session, actor, "incident.resolve", object_type="incident", object_id=incident.public_id
    )
    return incident


async def active_incidents(session: AsyncSession) -> Sequence[Incident]:
    return await repository.active_incidents(session)


def concerns(
    incident: Incident, *, assets: Sequence[str] = (), networks: Sequence[str] = ()
) -> bool:
    """Whether an incident is about what the customer mentioned (an unspecific incident, or
    one mentioning none of the customer's assets and networks, concerns everybody)."""
    wanted_assets = {a.upper() for a in assets}
    wanted_networks = {n.upper() for n in networks}
    if incident.affected_asset and wanted_assets and incident.affected_asset not in wanted_assets:
        return False
    return not (
        incident.affected_network
        and wanted_networks
        and incident.affected_network not in wanted_networks
    )


async def relevant_incidents(
    session: AsyncSession, *, assets: Sequence[str] = (), networks: Sequence[str] = ()
) -> list[Incident]:
    return [
        incident
        for incident in await repository.active_incidents(session)
        if concerns(incident, assets=assets, networks=networks)
    ]
