"""Starting the inbound channels that are configured, as background tasks of a process."""

from __future__ import annotations

import asyncio

from lifeline.context import AppContext


def start_channels(context: AppContext, stop: asyncio.Event) -> list[asyncio.Task[None]]:
    """The SMTP server when ``smtp_ingress_port`` is set, the Telegram poller when a bot token
    is; both stop when ``stop`` is set."""
    tasks: list[asyncio.Task[None]] = []
    settings = context.settings
    if settings.smtp_ingress_port:
        from lifeline.channels.email_server import run_email_server

        tasks.append(asyncio.create_task(run_email_server(context, stop)))
    if settings.telegram_bot_token:
        from lifeline.channels.telegram import TelegramPoller

        tasks.append(asyncio.create_task(TelegramPoller(context).run_forever(stop)))
    return tasks
