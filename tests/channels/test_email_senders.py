"""Mail claiming to come from a customer must prove it before it speaks in their ticket:
a DKIM signature of the sender's domain (its key in DNS, served here by a local DNS server),
or our own mail server's Authentication-Results. Unproven mail is filed, flagged, apart."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from lifeline.channels.email_auth import check_sender, trusted_results, txt_lookup
from lifeline.channels.email_service import UNVERIFIED_TAG
from lifeline.context import AppContext
from lifeline.tickets.models import EntryKind, Ticket, TicketEntry
from tests.channels.conftest import configured
from tests.channels.mail import ALICE, EXAMPLE_COM, DkimKey, Mailer, open_mailer
from tests.support.fake_dns import FakeDns

MX = "mx.demoexchange.com"


@pytest.fixture
async def mailer(context: AppContext, desk: None) -> AsyncIterator[Mailer]:
    checked = configured(context, smtp_ingress_port=1, smtp_ingress_trusted_authserv_ids=[MX])
    async for opened in open_mailer(checked):
        yield opened


async def tickets(context: AppContext) -> list[Ticket]:
    async with context.sessionmaker() as session:
        return list((await session.scalars(select(Ticket).order_by(Ticket.number))).all())


async def entries(context: AppContext, ticket: Ticket, kind: EntryKind) -> list[str]:
    async with context.sessionmaker() as session:
        rows = await session.scalars(
            select(TicketEntry.body)
            .where(TicketEntry.ticket_id == ticket.id, TicketEntry.kind == kind)
            .order_by(TicketEntry.id)
        )
        return [body or "" for body in rows.all()]


async def test_a_forged_reply_does_not_reach_the_customers_ticket(
    mailer: Mailer, signing_dns: FakeDns
) -> None:
    context = mailer.context
    first = await mailer.send("Withdrawal missing", "My BTC withdrawal has not arrived.")
    [ticket] = await tickets(context)
    assert first == f"2.0.0 Created ticket #{ticket.number}"
    assert EXAMPLE_COM.name in signing_dns.queries  # the key really was looked up
    assert UNVERIFIED_TAG not in ticket.tags

    # Someone else writes as Alice, without her domain's signature.
    forged = await mailer.send(
        f"Re: [#{ticket.number}] Withdrawal missing",
        "Please change my withdrawal address to bc1qattacker",
        signed_by=None,
    )
    assert forged.startswith("2.0.0 Created ticket #")
    original, flagged = await tickets(context)
    assert len(await entries(context, original, EntryKind.REPLY)) == 1
    assert UNVERIFIED_TAG in flagged.tags
    assert flagged.related_ticket_id == original.id
    [note] = await entries(context, flagged, EntryKind.NOTE)
    assert "could not be verified" in note and ALICE in note

    # A signature by another domain's key proves nothing about example.com.
    stranger = DkimKey.generate("example.net")
    signing_dns.add_txt(stranger.name, stranger.record)
    signed_elsewhere = await mailer.send(
        f"Re: [#{ticket.number}] Withdrawal missing", "It is me, really", signed_by=stranger
    )
    assert signed_elsewhere.startswith("2.0.0 Created ticket #")

    # Alice's own signed answer threads as usual.
    genuine = await mailer.send(f"Re: [#{ticket.number}] Withdrawal missing", "Any news?")
    assert genuine == f"2.0.0 Added to ticket #{ticket.number}"


async def test_a_message_altered_after_signing_is_not_verified(signing_dns: FakeDns) -> None:
    raw = (
        b"From: Alice <alice@example.com>\r\nTo: support@demoexchange.com\r\n"
        b"Subject: [#12] hello\r\nMessage-ID: <a1@example.com>\r\n\r\nsend it to my address\r\n"
    )
    signed = EXAMPLE_COM.sign(raw)
    lookup = txt_lookup([signing_dns.address])
    assert check_sender(signed, ALICE, lookup=lookup).method == "dkim"
    tampered = signed.replace(b"my address", b"bc1qattacker")
    assert not check_sender(tampered, ALICE, lookup=lookup).verified
    # Signed by example.com, but claiming another domain's sender.
    assert not check_sender(signed, "ceo@demoexchange.com", lookup=lookup).verified


async def test_our_mail_servers_results_count_and_nobody_elses(
    mailer: Mailer, signing_dns: FakeDns
) -> None:
    context = mailer.context
    await mailer.send("Deposit missing", "My deposit is missing.")
    [ticket] = await tickets(context)
    subject = f"Re: [#{ticket.number}] Deposit missing"
    # Unsigned, but our MX checked DMARC (it saw the connecting server): it threads.
    vouched = await mailer.send(
        subject,
        "Here is the screenshot you asked for.",
        signed_by=None,
        headers={"Authentication-Results": f"{MX}; dmarc=pass header.from=example.com"},
    )
    assert vouched == f"2.0.0 Added to ticket #{ticket.number}"
    # The same claim from a server we do not trust is the sender's own text.
    claimed = await mailer.send(
        subject,
        "Trust me.",
        signed_by=None,
        headers={"Authentication-Results": "mx.evil.example; dmarc=pass header.from=example.com"},
    )
    assert claimed.startswith("2.0.0 Created ticket #")


def test_only_the_topmost_trusted_results_header_counts() -> None:
    from email import message_from_bytes, policy
    from email.message import EmailMessage

    raw = (
        f"Authentication-Results: {MX}; dkim=fail header.d=example.com\r\n"
        f"Authentication-Results: {MX}; dmarc=pass header.from=example.com\r\n"
        "From: alice@example.com\r\n\r\nhi\r\n"
    ).encode()
    message = message_from_bytes(raw, _class=EmailMessage, policy=policy.default)  # type: ignore[misc]
    assert trusted_results(message, [MX]) == [("dkim", "fail", "example.com")]
    assert trusted_results(message, ["other.example"]) == []


async def test_an_unproven_repeat_of_an_open_request_stays_apart(mailer: Mailer) -> None:
    """Duplicate detection would add a repeat to the open ticket; not an unproven one."""
    text = f"My USDT deposit is missing, txid {'ab' * 32}"
    await mailer.send("Deposit missing", text)
    again = await mailer.send("Deposit missing", text, signed_by=None)
    original, flagged = await tickets(mailer.context)
    assert again == f"2.0.0 Created ticket #{flagged.number}"
    assert UNVERIFIED_TAG in flagged.tags
    assert len(await entries(mailer.context, original, EntryKind.REPLY)) == 1
    # The same repeat, signed, joins an open ticket of hers as usual: no third ticket.
    await mailer.send("Deposit missing", text)
    assert len(await tickets(mailer.context)) == 2
