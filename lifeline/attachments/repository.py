"""SQL of the attachments domain."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.attachments.models import Attachment


async def by_public_ids(session: AsyncSession, public_ids: Sequence[str]) -> Sequence[Attachment]:
    return (
        await session.scalars(select(Attachment).where(Attachment.public_id.in_(list(public_ids))))
    ).all()
