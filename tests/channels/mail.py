"""Sending mail to the server's SMTP ingress, as a customer's mail program would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from email.message import EmailMessage
from typing import Any

import aiosmtplib

from lifeline.channels.email_server import start_email_server
from lifeline.context import AppContext
from tests.support.servers import free_port

SUPPORT = "support@demoexchange.com"
ALICE = "alice@example.com"


class Mailer:
    def __init__(self, context: AppContext, port: int) -> None:
        self.context = context
        self.port = port

    async def send(
        self,
        subject: str,
        text: str | None = None,
        *,
        sender: str = ALICE,
        to: str = SUPPORT,
        html: str | None = None,
        attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
        headers: dict[str, str] | None = None,
    ) -> str:
        """Send over SMTP; returns the server's answer to DATA (raises if refused)."""
        message = EmailMessage()
        message["From"] = f"Alice <{sender}>"
        message["To"] = to
        message["Subject"] = subject
        for name, value in (headers or {}).items():
            message[name] = value
        if text is not None:
            message.set_content(text)
        if html is not None:
            if text is None:
                message.set_content(html, subtype="html")
            else:
                message.add_alternative(html, subtype="html")
        for filename, content, mime in attachments:
            maintype, subtype = mime.split("/")
            message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=self.port, timeout=30) as smtp:
            _errors, answer = await smtp.send_message(message)
        return answer

    async def send_raw(self, sender: str, recipients: list[str], raw: bytes) -> Any:
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=self.port, timeout=30) as smtp:
            return await smtp.sendmail(sender, recipients, raw)


async def open_mailer(context: AppContext) -> AsyncIterator[Mailer]:
    port = free_port()
    server = await start_email_server(context, host="127.0.0.1", port=port)
    try:
        yield Mailer(context, port)
    finally:
        server.close()
        await server.wait_closed()
