"""Writing and reading the append-only audit log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.security.models import AuditEntry


@dataclass(frozen=True)
class Actor:
    """Who did something: an agent, an integration token, a customer, a visitor or the system."""

    type: str
    id: str | None = None
    ip: str | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls(type="system")


async def record_audit(
    session: AsyncSession,
    actor: Actor,
    action: str,
    *,
    object_type: str | None = None,
    object_id: str | int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor_type=actor.type,
        actor_id=actor.id,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        ip=actor.ip,
        details=details or {},
    )
    session.add(entry)
    await session.flush()
    return entry


async def list_audit_entries(
    session: AsyncSession,
    *,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    actor_id: str | None = None,
    since: datetime | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> Sequence[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEntry.action == action)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id:
        query = query.where(AuditEntry.object_id == object_id)
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    if since:
        query = query.where(AuditEntry.created_at >= since)
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    return (await session.scalars(query)).all()
