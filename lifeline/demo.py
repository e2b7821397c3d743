"""Setting up the demo: a fresh database with demo exchange data, teams and agents."""

from __future__ import annotations

from dataclasses import dataclass

from lifeline.accounts.models import Role
from lifeline.accounts.service import create_agent, ensure_default_teams
from lifeline.config import Settings
from lifeline.db import create_engine, create_sessionmaker, transaction
from lifeline.exchange.demo import load_demo_data
from lifeline.kb.content import load_bundled_articles
from lifeline.kb.service import import_articles
from lifeline.migrations import async_upgrade_to_head
from lifeline.security.audit import Actor
from lifeline.tickets.demo import seed_demo_tickets


@dataclass(frozen=True)
class DemoAgent:
    name: str
    email: str
    password: str
    role: Role
    languages: tuple[str, ...]
    teams: tuple[str, ...]


DEMO_PASSWORD = "lifeline-demo-2026"  # noqa: S105 - printed for the demo; never used in production
DEMO_AGENTS = [
    DemoAgent(
        "Ada Admin", "admin@demoexchange.com", DEMO_PASSWORD, Role.ADMIN, ("en", "zh"), ("general",)
    ),
    DemoAgent(
        "Sam Supervisor",
        "supervisor@demoexchange.com",
        DEMO_PASSWORD,
        Role.SUPERVISOR,
        ("en", "zh"),
        ("funds", "trading", "general"),
    ),
    DemoAgent(
        "Emma Agent",
        "emma@demoexchange.com",
        DEMO_PASSWORD,
        Role.AGENT,
        ("en",),
        ("funds", "trading", "futures", "general"),
    ),
    DemoAgent(
        "李娜",
        "lina@demoexchange.com",
        DEMO_PASSWORD,
        Role.AGENT,
        ("zh", "en"),
        ("funds", "identity-verification", "general"),
    ),
    DemoAgent(
        "Omar Security",
        "security@demoexchange.com",
        DEMO_PASSWORD,
        Role.SECURITY,
        ("en",),
        ("account-security",),
    ),
    DemoAgent(
        "Chloe Compliance",
        "compliance@demoexchange.com",
        DEMO_PASSWORD,
        Role.COMPLIANCE,
        ("en", "zh"),
        ("compliance",),
    ),
    DemoAgent(
        "Ken Editor", "editor@demoexchange.com", DEMO_PASSWORD, Role.KB_EDITOR, ("en", "zh"), ()
    ),
    DemoAgent(
        "Sophie Lambert",
        "sophie@demoexchange.com",
        DEMO_PASSWORD,
        Role.AGENT,
        ("en", "zh"),
        ("vip",),
    ),
]


async def prepare_demo(settings: Settings) -> list[DemoAgent]:
    """Migrate, then load everything the demo shows. The database must be new."""
    await async_upgrade_to_head(settings)
    engine = create_engine(settings)
    try:
        sessionmaker = create_sessionmaker(engine)
        async with transaction(sessionmaker) as session:
            await ensure_default_teams(session)
            for agent in DEMO_AGENTS:
                await create_agent(
                    session,
                    name=agent.name,
                    email=agent.email,
                    password=agent.password,
                    role=agent.role,
                    languages=agent.languages,
                    team_slugs=agent.teams,
                )
            await load_demo_data(session)
            await seed_demo_tickets(session, settings)
            await import_articles(
                session, settings, load_bundled_articles(), Actor(type="system", id="demo")
            )
    finally:
        await engine.dispose()
    return DEMO_AGENTS
