"""Fixtures of the assistant's end-to-end tests: the help-center articles (stored, not
indexed, so that replies can cite them cheaply), the support desk's teams and calendars."""

from __future__ import annotations

import pytest

from lifeline.accounts.service import ensure_default_teams
from lifeline.context import AppContext
from lifeline.db import transaction
from lifeline.kb.content import load_bundled_articles
from lifeline.kb.service import import_articles
from lifeline.security.audit import Actor
from lifeline.tickets.policies import ensure_default_policies


@pytest.fixture
async def articles(context: AppContext) -> None:
    async with transaction(context.sessionmaker) as session:
        await import_articles(
            session, context.settings, load_bundled_articles(), Actor(type="test")
        )


@pytest.fixture
async def desk(context: AppContext) -> None:
    """Teams, SLA policies and business calendars as a fresh installation has them."""
    async with transaction(context.sessionmaker) as session:
        await ensure_default_policies(session, await ensure_default_teams(session))
