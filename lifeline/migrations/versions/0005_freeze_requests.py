"""emergency freeze requests

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 21:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lifeline.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "freeze_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("link_token_hash", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("expires_at", lifeline.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", lifeline.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("created_at", lifeline.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_freeze_requests")),
        sa.UniqueConstraint("link_token_hash", name=op.f("uq_freeze_requests_link_token_hash")),
    )
    with op.batch_alter_table("freeze_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_freeze_requests_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_freeze_requests_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("freeze_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_freeze_requests_user_id"))
        batch_op.drop_index(batch_op.f("ix_freeze_requests_email"))
    op.drop_table("freeze_requests")
