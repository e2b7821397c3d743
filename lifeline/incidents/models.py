"""Incidents: a service, asset or network that is suspended or degraded right now."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lifeline.accounts.models import enum_column
from lifeline.db import Base, TimestampMixin, new_public_id, utcnow


class IncidentStatus(enum.StrEnum):
    ACTIVE = "active"
    RESOLVED = "resolved"


class Incident(TimestampMixin, Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    title_en: Mapped[str] = mapped_column(String(200))
    title_zh: Mapped[str] = mapped_column(String(200))
    body_en: Mapped[str] = mapped_column(Text, default="")
    body_zh: Mapped[str] = mapped_column(Text, default="")
    # What is affected, in the exchange's own words: "withdrawals", "deposits", "trading",
    # an asset ticker ("USDT") and a network ("TRC20"); empty means "not specific".
    affected_service: Mapped[str | None] = mapped_column(String(64), default=None)
    affected_asset: Mapped[str | None] = mapped_column(String(32), default=None)
    affected_network: Mapped[str | None] = mapped_column(String(32), default=None)
    status: Mapped[IncidentStatus] = mapped_column(
        enum_column(IncidentStatus), default=IncidentStatus.ACTIVE
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)

    def title(self, lang: str) -> str:
        return self.title_zh if lang.startswith("zh") else self.title_en

    def body(self, lang: str) -> str:
        return self.body_zh if lang.startswith("zh") else self.body_en


Index("ix_incidents_status_started", Incident.status, Incident.started_at)
