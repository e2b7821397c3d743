"""Notifications to customers and agents, queued in the outbox, stored channel-neutral."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.outbox.service import OutboxContext, enqueue, outbox_handler
from lifeline.tickets import repository
from lifeline.tickets.models import Notification

TOPIC = "notification.send"


async def notify(
    session: AsyncSession,
    *,
    recipient_type: str,
    recipient_id: int | str,
    template: str,
    language: str,
    variables: dict[str, Any],
) -> None:
    """Durable: the notification exists exactly when the change that caused it commits."""
    await enqueue(
        session,
        TOPIC,
        {
            "recipient_type": recipient_type,
            "recipient_id": str(recipient_id),
            "template": template,
            "language": language,
            "variables": variables,
        },
    )


@outbox_handler(TOPIC)
async def store_notification(context: OutboxContext, payload: dict[str, Any]) -> None:
    # The outbox item id makes a redelivery a no-op.
    if await repository.notification_for_outbox_item(context.session, context.item_id):
        return
    context.session.add(
        Notification(
            recipient_type=str(payload["recipient_type"]),
            recipient_id=str(payload["recipient_id"]),
            template=str(payload["template"]),
            language=str(payload.get("language") or "en"),
            variables=dict(payload.get("variables") or {}),
            outbox_item_id=context.item_id,
        )
    )
    await context.session.flush()
