"""Fixtures of the channel tests: an app context configured for the channel under test, whose
outbox worker finds those settings, and a desk (teams, SLA policies) tickets can be routed to."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from lifeline.accounts.service import ensure_default_teams
from lifeline.app import create_app
from lifeline.context import AppContext
from lifeline.db import transaction
from lifeline.kb.content import load_bundled_articles
from lifeline.kb.service import import_articles
from lifeline.security.audit import Actor
from lifeline.tickets.policies import ensure_default_policies
from tests.channels.mail import EXAMPLE_COM
from tests.support.fake_dns import FakeDns, fake_dns

_DNS: list[FakeDns] = []


@pytest.fixture(scope="session", autouse=True)
def signing_dns() -> Iterator[FakeDns]:
    """The DNS the channels resolve through: it publishes example.com's DKIM key."""
    with fake_dns() as server:
        server.add_txt(EXAMPLE_COM.name, EXAMPLE_COM.record)
        _DNS.append(server)
        yield server
        _DNS.remove(server)


def configured(context: AppContext, **overrides: Any) -> AppContext:
    """The same database and services, with some settings changed (and the test DNS)."""
    if _DNS:
        overrides = {"dns_nameservers": [_DNS[0].address], **overrides}
    changed = AppContext(
        settings=context.settings.model_copy(update=overrides),
        engine=context.engine,
        sessionmaker=context.sessionmaker,
        exchange=context.exchange,
        outbox=context.outbox,
        knowledge=context.knowledge,
    )
    # Outbox handlers read the settings of the app the worker serves.
    context.outbox.app = create_app(context=changed)
    return changed


@pytest.fixture
async def desk(context: AppContext) -> None:
    async with transaction(context.sessionmaker) as session:
        await ensure_default_policies(session, await ensure_default_teams(session))
        await import_articles(
            session, context.settings, load_bundled_articles(), Actor(type="test")
        )
