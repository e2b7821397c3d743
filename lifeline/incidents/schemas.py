"""Request and response shapes of incidents."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from lifeline.incidents.models import IncidentStatus


class IncidentCreate(BaseModel):
    title_en: str = Field(min_length=1, max_length=200)
    title_zh: str = Field(min_length=1, max_length=200)
    body_en: str = Field(default="", max_length=8000)
    body_zh: str = Field(default="", max_length=8000)
    affected_service: str | None = Field(default=None, max_length=64)
    affected_asset: str | None = Field(default=None, max_length=32)
    affected_network: str | None = Field(default=None, max_length=32)
    started_at: datetime | None = None


class IncidentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    public_id: str
    title_en: str
    title_zh: str
    body_en: str
    body_zh: str
    affected_service: str | None
    affected_asset: str | None
    affected_network: str | None
    status: IncidentStatus
    started_at: datetime
    resolved_at: datetime | None
