"""The SMTP server that receives customers' email (aiosmtpd, in the caller's event loop).

``250`` is answered only after the message's transaction has committed, so an accepted message
is never lost; any failure on our side is a ``451`` (the sending server retries), a message that
cannot be read is a ``550``. Only the configured support addresses are accepted recipients.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SMTPSession

from lifeline.channels.email_auth import check_sender, txt_lookup
from lifeline.channels.email_in import MalformedEmail, parse_email
from lifeline.channels.email_service import receive_email
from lifeline.channels.inbound import warm_up_understanding
from lifeline.context import AppContext
from lifeline.db import current_session, discard_after_commit, run_after_commit
from lifeline.errors import LifelineError, ServiceUnavailable, TooManyRequests

log = logging.getLogger(__name__)


def accepted_recipients(context: AppContext) -> set[str]:
    settings = context.settings
    return {
        address.strip().lower()
        for address in [settings.support_email, *settings.smtp_ingress_addresses]
        if address.strip()
    }


class IngressHandler:
    def __init__(self, context: AppContext) -> None:
        self.context = context
        self.recipients = accepted_recipients(context)
        self.lookup = txt_lookup(context.settings.dns_nameservers)

    async def handle_RCPT(
        self,
        server: SMTP,
        session: SMTPSession,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.strip().lower() not in self.recipients:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: SMTPSession, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        if not isinstance(raw, bytes):
            raw = str(raw or "").encode("utf-8", "replace")
        try:
            email = parse_email(raw, envelope.mail_from)
        except MalformedEmail as error:
            return f"550 5.6.0 Message not readable: {error}"
        if email.sender in self.recipients:
            return "550 5.7.1 Mail from our own address is not accepted"
        settings = self.context.settings
        if settings.smtp_ingress_verify_senders:
            check = await asyncio.to_thread(
                check_sender,
                raw,
                email.sender,
                lookup=self.lookup,
                trusted_authserv_ids=settings.smtp_ingress_trusted_authserv_ids,
            )
            email = replace(email, sender_verified=check.verified)
        try:
            async with self.context.sessionmaker() as db:
                token = current_session.set(db)
                try:
                    outcome = await receive_email(db, self.context.settings, email)
                    await db.commit()
                except BaseException:
                    await db.rollback()
                    discard_after_commit(db)
                    raise
                finally:
                    current_session.reset(token)
                # Committed: from here on the answer is 250 whatever happens.
                try:
                    await run_after_commit(db)
                except Exception as error:
                    log.warning("after-commit work of an inbound email failed: %s", error)
        except (ServiceUnavailable, TooManyRequests) as error:
            return f"451 4.3.0 {error.message} Try again later."
        except LifelineError as error:
            return f"550 5.7.0 {error.message}"
        except Exception as error:
            # Only the kind of failure: the message itself must not reach the logs.
            log.error("inbound email failed: %s", type(error).__name__)
            return "451 4.3.0 Temporary failure; try again later."
        self.context.outbox.wake()
        verb = (
            "Already received as"
            if outcome.duplicate
            else "Added to"
            if outcome.replied
            else "Created"
        )
        return f"250 2.0.0 {verb} ticket #{outcome.ticket_number}"


async def start_email_server(
    context: AppContext, host: str | None = None, port: int | None = None
) -> asyncio.Server:
    """Listen for SMTP in the running event loop (shares the app's engine and outbox)."""
    settings = context.settings
    handler = IngressHandler(context)
    hostname = settings.support_email.partition("@")[2] or None

    def protocol() -> SMTP:
        return SMTP(
            handler,
            data_size_limit=settings.smtp_ingress_max_bytes,
            enable_SMTPUTF8=True,
            hostname=hostname,
            ident="Lifeline ESMTP",
        )

    loop = asyncio.get_running_loop()
    return await loop.create_server(
        protocol,
        host=host if host is not None else settings.smtp_ingress_host,
        port=port if port is not None else settings.smtp_ingress_port,
    )


async def run_email_server(context: AppContext, stop: asyncio.Event) -> None:
    # The port opens only when a message can be handled at once; until then senders retry.
    await warm_up_understanding()
    if stop.is_set():
        return
    server = await start_email_server(context)
    addresses: list[Any] = [sock.getsockname() for sock in server.sockets]
    log.info("inbound email: SMTP listening on %s", addresses)
    try:
        await stop.wait()
    finally:
        server.close()
        await server.wait_closed()
