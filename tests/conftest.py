"""Fixtures: a database migrated once per run, and a clean copy of it for each test."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import hypothesis
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from lifeline.app import create_app
from lifeline.config import Settings, get_settings
from lifeline.context import AppContext
from lifeline.db import create_engine, create_sessionmaker
from lifeline.exchange.demo import DemoExchange, load_demo_data
from lifeline.kb.index import KnowledgeIndex
from lifeline.outbox.worker import OutboxWorker
from tests.support.databases import create_database, drop_database, truncate_all, uses_postgres

MODEL_CACHE = Path(__file__).resolve().parents[1] / ".cache" / "models"

# Property tests check behaviour, not speed: no per-example deadline (speed is for bench/).
hypothesis.settings.register_profile("lifeline", deadline=None, print_blob=True)
# CI runs the same examples every time, so a merge is never blocked by a new random draw;
# local runs keep exploring (and the example database replays what they found).
hypothesis.settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
hypothesis.settings.load_profile(os.environ.get("LIFELINE_HYPOTHESIS_PROFILE", "lifeline"))
DATABASE_FIXTURES = {"settings", "engine", "sessionmaker", "session", "context", "client"}


def pytest_report_header() -> str:
    return f"database: {'postgresql' if uses_postgres() else 'sqlite'}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With LIFELINE_TEST_ONLY_DATABASE=1 (the PostgreSQL pass of CI), run only the tests that
    touch a database; the pure ones already ran and would only repeat themselves."""
    if os.environ.get("LIFELINE_TEST_ONLY_DATABASE") != "1":
        return
    selected, deselected = [], []
    for item in items:
        uses_database = DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        database_marked = item.get_closest_marker("database") is not None
        (selected if uses_database or database_marked else deselected).append(item)
    config.hook.pytest_deselected(items=deselected)
    items[:] = selected


@pytest.fixture(scope="session", autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Nothing a test does may touch a developer's real data directory."""
    data_dir = tmp_path_factory.mktemp("lifeline-data")
    previous = os.environ.get("LIFELINE_DATA_DIR")
    os.environ["LIFELINE_DATA_DIR"] = str(data_dir)
    # The intent model is trained once per machine and data version, not once per test run.
    os.environ.setdefault("LIFELINE_MODEL_DIR", str(MODEL_CACHE))
    get_settings.cache_clear()
    yield
    if previous is None:
        os.environ.pop("LIFELINE_DATA_DIR", None)
    else:
        os.environ["LIFELINE_DATA_DIR"] = previous
    get_settings.cache_clear()


@pytest.fixture(scope="session", autouse=True)
def _intent_model(_isolated_environment: None) -> None:
    """Train or load the intent model before any test, so no test pays for it."""
    from lifeline.nlu.parser import warm_up

    warm_up()


@pytest.fixture(scope="session")
async def template_settings(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Settings]:
    """One database migrated by Alembic for the whole run."""
    created = await create_database(tmp_path_factory.mktemp("db"), "main")
    yield created
    await drop_database(created)


@pytest.fixture
async def settings(template_settings: Settings, tmp_path: Path) -> AsyncIterator[Settings]:
    """A clean database for each test: a copy of the migrated SQLite file, or, on PostgreSQL,
    the shared database emptied after the test (TRUNCATE is fast and skips row triggers)."""
    if template_settings.is_sqlite:
        data_dir = tmp_path / "data"
        data_dir.mkdir()
        shutil.copyfile(template_settings.data_dir / "lifeline.db", data_dir / "lifeline.db")
        yield template_settings.model_copy(update={"data_dir": data_dir})
        return
    yield template_settings
    await truncate_all(template_settings)


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    created = create_engine(settings)
    yield created
    await created.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


@pytest.fixture
async def session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as opened:
        yield opened


@pytest.fixture
async def context(
    settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AppContext:
    return AppContext(
        settings=settings,
        engine=engine,
        sessionmaker=sessionmaker,
        exchange=DemoExchange(sessionmaker),
        outbox=OutboxWorker(sessionmaker, lease_seconds=5),
        knowledge=KnowledgeIndex(settings),
    )


@pytest.fixture
async def demo_data(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as opened:
        await load_demo_data(opened)
        await opened.commit()


@pytest.fixture
async def help_center(context: AppContext) -> None:
    """The bundled help-center articles, imported and indexed."""
    from lifeline.db import transaction
    from lifeline.kb.content import load_bundled_articles
    from lifeline.kb.service import import_articles
    from lifeline.security.audit import Actor

    async with transaction(context.sessionmaker) as session:
        await import_articles(
            session,
            context.settings,
            load_bundled_articles(),
            Actor(type="test"),
            context.knowledge,
        )
        await context.knowledge.load(session)


@pytest.fixture
async def client(context: AppContext) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(context=context)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as opened:
        yield opened


@pytest.fixture
def tmp_dir(tmp_path: Path) -> Path:
    return tmp_path
