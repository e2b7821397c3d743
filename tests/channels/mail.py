"""Sending mail to the server's SMTP ingress, as a customer's mail program would."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from typing import Any

import aiosmtplib
import dkim
from Crypto.PublicKey import RSA

from lifeline.channels.email_server import start_email_server
from lifeline.context import AppContext
from tests.support.servers import free_port

SUPPORT = "support@demoexchange.com"
ALICE = "alice@example.com"
SELECTOR = "mail2026"


@dataclass(frozen=True)
class DkimKey:
    """A domain's DKIM key pair: the private key signs, the TXT record publishes the public."""

    domain: str
    private_pem: bytes
    record: str

    @classmethod
    def generate(cls, domain: str) -> DkimKey:
        key = RSA.generate(2048)
        public = base64.b64encode(key.publickey().export_key("DER")).decode()
        return cls(domain, key.export_key("PEM"), f"v=DKIM1; k=rsa; p={public}")

    @property
    def name(self) -> str:
        return f"{SELECTOR}._domainkey.{self.domain}"

    def sign(self, raw: bytes) -> bytes:
        signature: bytes = dkim.sign(
            raw,
            SELECTOR.encode(),
            self.domain.encode(),
            self.private_pem,
            include_headers=[b"from", b"to", b"subject", b"message-id"],
        )
        return signature + raw


# example.com signs its mail (its key is in the test DNS); other domains do not.
EXAMPLE_COM = DkimKey.generate("example.com")


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
        signed_by: DkimKey | None = EXAMPLE_COM,
    ) -> str:
        """Send over SMTP; returns the server's answer to DATA (raises if refused). Mail from
        ``signed_by``'s domain carries its DKIM signature, as a real mail provider's would."""
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
        raw = message.as_bytes(policy=SMTP_POLICY)
        if signed_by is not None and sender.endswith("@" + signed_by.domain):
            raw = signed_by.sign(raw)
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=self.port, timeout=30) as smtp:
            _errors, answer = await smtp.sendmail(sender, [to], raw)
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
