"""Background work of the tickets domain: the periodic SLA sweep."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.tickets.sweep import sweep_sla

log = logging.getLogger(__name__)
SWEEP_INTERVAL_SECONDS = 30.0


async def run_sla_sweeper(
    sessionmaker: async_sessionmaker[AsyncSession],
    stop: asyncio.Event,
    interval: float = SWEEP_INTERVAL_SECONDS,
) -> None:
    """Sweep every ``interval`` seconds until ``stop`` is set; any number of nodes may run it."""
    while not stop.is_set():
        try:
            result = await sweep_sla(sessionmaker)
            if result.warnings or result.breaches:
                log.info("SLA sweep: %s warnings, %s breaches", result.warnings, result.breaches)
        except Exception:
            log.exception("SLA sweep failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
