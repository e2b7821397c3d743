"""Every SQL query of incidents."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.incidents.models import Incident, IncidentStatus


async def active_incidents(session: AsyncSession) -> Sequence[Incident]:
    query = (
        select(Incident)
        .where(Incident.status == IncidentStatus.ACTIVE)
        .order_by(Incident.started_at.desc(), Incident.id.desc())
    )
    return (await session.scalars(query)).all()


async def incident_by_public_id(
    session: AsyncSession, public_id: str, *, for_update: bool = False
) -> Incident | None:
    query = select(Incident).where(Incident.public_id == public_id)
    if for_update:
        query = query.with_for_update()
    return (await session.scalars(query)).first()
