"""The ``lifeline`` command: demo, serve, worker, migrate, agents, and the domain tools."""

from __future__ import annotations

import asyncio
import getpass
import logging
import signal
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from lifeline.accounts.models import Role
from lifeline.config import Settings, get_settings
from lifeline.kb.cli import app as kb_app
from lifeline.nlu.cli import app as nlu_app
from lifeline.security.cli import security_app, verify_app
from lifeline.tickets.cli import tickets_app

app = typer.Typer(
    help="Lifeline: customer support for cryptocurrency exchanges.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
agents_app = typer.Typer(help="Manage agents.", no_args_is_help=True)
app.add_typer(agents_app, name="agents")
app.add_typer(kb_app, name="kb")
app.add_typer(nlu_app, name="nlu")
app.add_typer(security_app, name="security")
app.add_typer(verify_app, name="verify")
app.add_typer(tickets_app, name="tickets")


def _serve(settings: Settings, host: str, port: int) -> None:
    uvicorn.run(
        "lifeline.app:create_app",
        factory=True,
        host=host,
        port=port,
        log_level="info",
        proxy_headers=True,
    )


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    data_dir: Annotated[Path, typer.Option(help="Where the demo database lives.")] = Path(
        "data/demo"
    ),
    setup_only: Annotated[bool, typer.Option(help="Prepare the demo, do not serve.")] = False,
) -> None:
    """Create a fresh demo database with demo data and agents, then serve it."""
    import os

    from lifeline.demo import prepare_demo

    os.environ["LIFELINE_DATA_DIR"] = str(data_dir)
    os.environ.pop("LIFELINE_DATABASE_URL", None)
    os.environ["LIFELINE_DEMO_SIGN_IN"] = "true"
    get_settings.cache_clear()
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        (settings.data_dir / f"lifeline.db{suffix}").unlink(missing_ok=True)
    agents = asyncio.run(prepare_demo(settings))
    base = f"http://{host}:{port}"
    typer.echo("\nLifeline demo is ready.\n")
    typer.echo("Demo agents (sign in at the agent console):")
    for agent in agents:
        typer.echo(f"  {agent.role.value:<11} {agent.email:<32} password: {agent.password}")
    typer.echo("")
    typer.echo(f"  API docs      {base}/docs")
    typer.echo(f"  Customers     {base}/help/en/account   (sign in as a demo customer)")
    typer.echo(f"  Health        {base}/healthz   Ready: {base}/readyz")
    typer.echo(f"  Database      {settings.resolved_database_url}\n")
    if not setup_only:
        _serve(settings, host, port)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    migrate: Annotated[bool, typer.Option(help="Apply migrations before serving.")] = True,
) -> None:
    """Serve the API and pages (and, by default, the outbox worker in-process)."""
    settings = get_settings()
    if migrate:
        from lifeline.migrations import upgrade_to_head

        upgrade_to_head(settings)
    _serve(settings, host, port)


@app.command()
def migrate() -> None:
    """Apply database migrations up to the latest."""
    from lifeline.migrations import upgrade_to_head

    upgrade_to_head(get_settings())
    typer.echo("Database is at the latest migration.")


@app.command()
def worker() -> None:
    """Drain the outbox and run the SLA sweeps in their own process (several may run at
    once on PostgreSQL), plus the inbound email server and Telegram bot when configured
    (run those in one worker only)."""
    from lifeline.app import build_context
    from lifeline.channels.runner import start_channels
    from lifeline.tickets.tasks import run_sla_sweeper

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    settings = get_settings()

    async def run() -> None:
        context = build_context(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        channels = start_channels(context, stop)
        typer.echo(
            f"worker {context.outbox.worker_id} started: outbox, SLA sweeps"
            f" and {len(channels)} inbound channel(s)"
        )
        try:
            await asyncio.gather(
                context.outbox.run_forever(stop),
                run_sla_sweeper(context.sessionmaker, stop),
                *channels,
            )
        finally:
            await context.exchange.aclose()
            await context.engine.dispose()

    asyncio.run(run())


@agents_app.command("create")
def agents_create(
    email: Annotated[str, typer.Option(help="Sign-in email.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    role: Annotated[Role, typer.Option(help="Role.")] = Role.AGENT,
    languages: Annotated[str, typer.Option(help="Comma-separated language codes.")] = "en",
    teams: Annotated[str, typer.Option(help="Comma-separated team slugs.")] = "",
    capacity: Annotated[int, typer.Option(help="Concurrent chats.")] = 3,
    password: Annotated[
        str | None, typer.Option(help="Password (prompted for when omitted).")
    ] = None,
) -> None:
    """Create an agent (migrating the database first if needed)."""
    from lifeline.accounts.service import create_agent, ensure_default_teams
    from lifeline.db import create_engine, create_sessionmaker, transaction
    from lifeline.migrations import upgrade_to_head

    settings = get_settings()
    upgrade_to_head(settings)
    secret = password or getpass.getpass("Password: ")
    if len(secret) < 10:
        raise typer.BadParameter("the password needs at least 10 characters")

    async def run() -> int:
        engine = create_engine(settings)
        try:
            async with transaction(create_sessionmaker(engine)) as session:
                await ensure_default_teams(session)
                agent = await create_agent(
                    session,
                    name=name,
                    email=email,
                    password=secret,
                    role=role,
                    languages=[code.strip() for code in languages.split(",") if code.strip()],
                    team_slugs=[slug.strip() for slug in teams.split(",") if slug.strip()],
                    capacity=capacity,
                )
                return agent.id
        finally:
            await engine.dispose()

    agent_id = asyncio.run(run())
    typer.echo(f"Created agent {agent_id} <{email}> with role {role.value}.")


if __name__ == "__main__":
    app()
