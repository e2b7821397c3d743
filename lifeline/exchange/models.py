"""Storage of the demo exchange backend: one document per record, validated by the schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lifeline.db import Base


class DemoExchangeRecord(Base):
    __tablename__ = "demo_exchange_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(64))
    ref: Mapped[str] = mapped_column(String(128))
    txid: Mapped[str | None] = mapped_column(String(128), default=None)
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    created_at: Mapped[datetime]
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


Index("ix_demo_exchange_records_lookup", DemoExchangeRecord.kind, DemoExchangeRecord.user_id)
Index("ix_demo_exchange_records_ref", DemoExchangeRecord.kind, DemoExchangeRecord.ref, unique=True)
Index("ix_demo_exchange_records_txid", DemoExchangeRecord.txid)
Index("ix_demo_exchange_records_email", DemoExchangeRecord.email)
