"""live chat: queue, routing, presence, rating

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lifeline.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = lifeline.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "agent_presence",
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("last_seen_at", _WHEN, nullable=False),
        sa.Column("changed_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_agent_presence_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agent_id", name=op.f("pk_agent_presence")),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("queued_at", _WHEN, nullable=True))
        batch_op.add_column(sa.Column("accepted_at", _WHEN, nullable=True))
        batch_op.add_column(sa.Column("wrapped_up_at", _WHEN, nullable=True))
        batch_op.add_column(
            sa.Column("vip_tier", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.add_column(sa.Column("required_language", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("required_agent_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "supervisor_required", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(
            sa.Column("tags", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(sa.Column("rating", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rating_comment", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("rated_at", _WHEN, nullable=True))
        batch_op.add_column(sa.Column("ticket_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_conversations_required_agent_id_agents"),
            "agents",
            ["required_agent_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_conversations_ticket_id_tickets"),
            "tickets",
            ["ticket_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_conversations_waiting", ["status", "queued_at"], unique=False)
        batch_op.create_index(
            "ix_conversations_agent_status", ["assigned_agent_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_agent_status")
        batch_op.drop_index("ix_conversations_waiting")
        batch_op.drop_constraint(
            batch_op.f("fk_conversations_ticket_id_tickets"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_conversations_required_agent_id_agents"), type_="foreignkey"
        )
        for column in (
            "ticket_id",
            "rated_at",
            "rating_comment",
            "rating",
            "tags",
            "supervisor_required",
            "required_agent_id",
            "required_language",
            "vip_tier",
            "wrapped_up_at",
            "accepted_at",
            "queued_at",
        ):
            batch_op.drop_column(column)
    op.drop_table("agent_presence")
