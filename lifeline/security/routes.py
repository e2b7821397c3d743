"""HTTP API of the security domain: the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from lifeline.accounts.deps import Staff, require_permission
from lifeline.accounts.schemas import AuditEntryRead
from lifeline.deps import Session
from lifeline.security.audit import list_audit_entries
from lifeline.security.permissions import Permission

router = APIRouter(prefix="/api/v1", tags=["security"])


@router.get("/audit", response_model=list[AuditEntryRead])
async def audit_log(
    session: Session,
    _staff: Staff = require_permission(Permission.AUDIT_READ),
    action: Annotated[str | None, Query(max_length=100)] = None,
    object_type: Annotated[str | None, Query(max_length=64)] = None,
    object_id: Annotated[str | None, Query(max_length=64)] = None,
    actor_id: Annotated[str | None, Query(max_length=64)] = None,
    before_id: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AuditEntryRead]:
    entries = await list_audit_entries(
        session,
        action=action,
        object_type=object_type,
        object_id=object_id,
        actor_id=actor_id,
        before_id=before_id,
        limit=limit,
    )
    return [AuditEntryRead.model_validate(entry) for entry in entries]
