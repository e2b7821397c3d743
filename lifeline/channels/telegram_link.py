"""Linking a Telegram chat to the customer's exchange account, so the assistant can look up
their deposits, withdrawals and orders there as it does in the signed-in widget.

A signed-in customer asks for a link (``POST /api/v1/customers/me/telegram-link``) and opens
``https://t.me/<bot>?start=<code>``; Telegram sends the bot ``/start <code>``. The code names
the customer, expires after a few minutes, is signed with the server's secret key and works
once: it carries a nonce kept on the customer until the code is used, and asking again
replaces it. ``/unlink`` in the chat undoes the link. Codes fit Telegram's start parameter
(at most 64 of ``A-Z a-z 0-9 _ -``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts.models import Customer
from lifeline.config import Settings

LINK_TTL: Final = timedelta(minutes=15)
_NONCE_KEY: Final = "telegram_link_nonce"
_PURPOSE: Final = b"telegram-link:"


@dataclass(frozen=True)
class TelegramLink:
    code: str
    url: str | None  # None when the bot's username is not configured
    expires_at: datetime


def _mac(secret: str, body: str) -> str:
    digest = hmac.new(secret.encode(), _PURPOSE + body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


async def start_link(session: AsyncSession, settings: Settings, customer: Customer) -> TelegramLink:
    """A new one-time code for ``customer`` (earlier ones stop working)."""
    nonce = secrets.token_hex(4)
    expires = int(time.time() + LINK_TTL.total_seconds())
    customer.attributes = {**customer.attributes, _NONCE_KEY: nonce}
    await session.flush()
    body = f"{customer.id}-{expires}-{nonce}"
    code = f"{body}-{_mac(settings.secret_key, body)}"
    username = settings.telegram_bot_username.lstrip("@")
    return TelegramLink(
        code=code,
        url=f"https://t.me/{username}?start={code}" if username else None,
        expires_at=datetime.fromtimestamp(expires, UTC),
    )


async def redeem(session: AsyncSession, settings: Settings, code: str) -> Customer | None:
    """The customer a valid, unexpired, unused code names (using it up), else None."""
    parts = code.strip().split("-", 3)
    if len(parts) != 4 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    customer_id, expires, nonce, mac = parts
    body = f"{customer_id}-{expires}-{nonce}"
    if not hmac.compare_digest(mac, _mac(settings.secret_key, body)):
        return None
    if int(expires) < time.time():
        return None
    customer = await session.get(Customer, int(customer_id), with_for_update=True)
    if customer is None or customer.attributes.get(_NONCE_KEY) != nonce:
        return None
    customer.attributes = {k: v for k, v in customer.attributes.items() if k != _NONCE_KEY}
    await session.flush()
    return customer
