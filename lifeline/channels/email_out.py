"""Outgoing email: composed in the business transaction, sent by the outbox worker over SMTP.

Every email to a customer carries their anti-phishing code, so a message without it (or with a
wrong one) is recognisably not from us.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from email.message import EmailMessage
from typing import Any

import aiosmtplib
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.attachments.models import Attachment
from lifeline.attachments.service import file_path
from lifeline.config import Settings, get_settings
from lifeline.outbox.service import OutboxContext, enqueue, outbox_handler

log = logging.getLogger(__name__)
EMAIL_TOPIC = "email.send"
# Files attached to one email at most: common providers refuse messages over 20-25 MB, and
# base64 grows them by a third.
MAX_ATTACHED_BYTES = 15_000_000


def anti_phishing_footer(code: str | None, lang: str) -> str:
    if not code:
        return ""
    if lang.startswith("zh"):
        return f"\n\n—\n您的防钓鱼码：{code}。没有此码的邮件都不是我们发送的。"
    return f"\n\n—\nYour anti-phishing code: {code}. An email without this code is not from us."


async def queue_email(
    session: AsyncSession,
    *,
    to: str,
    subject: str,
    text: str,
    lang: str = "en",
    anti_phishing_code: str | None = None,
    automatic: bool = False,
    kind: str = "",
    thread: str | None = None,
    attachment_ids: Sequence[int] = (),
) -> None:
    """Queue an email in the caller's transaction (sent only if it commits).

    ``automatic`` marks an answer no person wrote (RFC 3834 ``Auto-Submitted``), which
    auto-responders must not answer; ``kind`` names what it is, for the record; emails with the
    same ``thread`` (e.g. "ticket-42") reference one root id, so mail programs group them.
    """
    await enqueue(
        session,
        EMAIL_TOPIC,
        {
            "to": to,
            "subject": subject,
            "text": text + anti_phishing_footer(anti_phishing_code, lang),
            "lang": lang,
            "automatic": automatic,
            "kind": kind,
            "thread": thread,
            "attachments": list(attachment_ids),
        },
    )


async def _attach(
    session: AsyncSession,
    settings: Settings,
    message: EmailMessage,
    ids: Sequence[int],
    lang: str,
) -> None:
    """The stored files (already checked when uploaded), as long as they fit in one email;
    the names of the rest are listed instead."""
    if not ids:
        return
    rows = await session.scalars(select(Attachment).where(Attachment.id.in_(list(ids))))
    room, left_out = MAX_ATTACHED_BYTES, []
    for attachment in sorted(rows.all(), key=lambda row: row.id):
        path = file_path(settings, attachment)
        if attachment.size > room or not path.exists():
            left_out.append(attachment.filename)
            continue
        room -= attachment.size
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            path.read_bytes(),
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    if left_out:
        label = "未附上（文件过大）" if lang.startswith("zh") else "Not attached (too large)"
        note = "\n\n" + "\n".join(f"{label}: {name}" for name in left_out)
        body = message.get_body(("plain",))
        if body is not None:
            body.set_content(body.get_content() + note)


def build_message(settings: Settings, payload: dict[str, Any], item_id: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = payload["to"]
    message["Subject"] = payload["subject"]
    domain = settings.support_email.partition("@")[2] or "lifeline.local"
    # The outbox item id makes the Message-ID stable across retries, so a receiving server
    # can drop a duplicate if a retry follows a send whose acknowledgement was lost.
    message["Message-ID"] = f"<outbox-{item_id}@{domain}>"
    if settings.support_email:
        message["Reply-To"] = settings.support_email  # where answers become ticket replies
    if payload.get("automatic"):
        message["Auto-Submitted"] = "auto-replied"
    if payload.get("thread"):
        root = f"<{payload['thread']}@{domain}>"
        message["In-Reply-To"] = root
        message["References"] = root
    message.set_content(payload["text"])
    return message


@outbox_handler(EMAIL_TOPIC)
async def send_email(context: OutboxContext, payload: dict[str, Any]) -> None:
    settings: Settings = (
        context.app.state.context.settings if context.app is not None else get_settings()
    )
    if not settings.smtp_host:
        if settings.env == "development":
            # The demo has no mail server: show the email on the console instead.
            log.warning(
                "email (no SMTP configured) to %s: %s\n%s",
                payload["to"],
                payload["subject"],
                payload["text"],
            )
        else:
            log.info("no SMTP host configured; email to %s not sent", payload.get("to"))
        return
    message = build_message(settings, payload, context.item_id)
    await _attach(
        context.session,
        settings,
        message,
        payload.get("attachments") or [],
        str(payload.get("lang") or "en"),
    )
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username or None,
        password=settings.smtp_password or None,
        start_tls=settings.smtp_starttls,
        timeout=20,
    )


async def anti_phishing_code_for(
    session: AsyncSession, user_id: str | None, exchange_code: str | None
) -> str | None:
    """The code a customer set in Lifeline, else the one the exchange holds for them."""
    if user_id:
        from lifeline.accounts.models import Customer

        customer = await session.scalar(select(Customer).where(Customer.external_id == user_id))
        if customer is not None:
            own = customer.attributes.get("anti_phishing_code")
            if isinstance(own, str) and own:
                return own
    return exchange_code
