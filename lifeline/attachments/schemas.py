"""Attachment shapes on the wire."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class AttachmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    public_id: str
    filename: str
    content_type: str
    size: int
    created_at: datetime
