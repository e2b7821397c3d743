"""``lifeline tickets ...``: operator commands of the tickets domain."""

from __future__ import annotations

import asyncio
import signal
from typing import Annotated

import typer

from lifeline.config import get_settings

tickets_app = typer.Typer(help="Tickets: SLA sweep.", no_args_is_help=True)


@tickets_app.command("sweep")
def sweep(
    loop: Annotated[bool, typer.Option(help="Keep sweeping until interrupted.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between sweeps.")] = 30.0,
) -> None:
    """Warn before SLA breaches and escalate at the breach (safe with several workers)."""
    from lifeline.db import create_engine, create_sessionmaker
    from lifeline.tickets.sweep import sweep_sla
    from lifeline.tickets.tasks import run_sla_sweeper

    settings = get_settings()

    async def run() -> None:
        engine = create_engine(settings)
        sessionmaker = create_sessionmaker(engine)
        try:
            if not loop:
                result = await sweep_sla(sessionmaker)
                typer.echo(
                    f"checked {result.checked} tickets: {result.warnings} warnings, "
                    f"{result.breaches} breaches"
                    + ("" if result.locked else " (another sweeper is running)")
                )
                return
            stop = asyncio.Event()
            running = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                running.add_signal_handler(signum, stop.set)
            await run_sla_sweeper(sessionmaker, stop, interval)
        finally:
            await engine.dispose()

    asyncio.run(run())


@tickets_app.command("recount-load")
def recount_load() -> None:
    """Rebuild every agent's open-ticket count from the tickets (after an import)."""
    from lifeline.db import create_engine, create_sessionmaker, transaction
    from lifeline.tickets import repository

    settings = get_settings()

    async def run() -> None:
        engine = create_engine(settings)
        try:
            async with transaction(create_sessionmaker(engine)) as session:
                await repository.recount_load(session)
        finally:
            await engine.dispose()

    asyncio.run(run())
    typer.echo("Agent loads recounted.")
