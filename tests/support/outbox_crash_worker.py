"""A worker process that claims outbox work and then hangs mid-delivery until it is killed."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from lifeline.config import Settings
from lifeline.db import create_engine, create_sessionmaker
from lifeline.outbox.service import OutboxContext, outbox_handler
from lifeline.outbox.worker import OutboxWorker
from lifeline.security.audit import Actor, record_audit


@outbox_handler("test.deliver")
async def deliver_then_hang(context: OutboxContext, payload: dict[str, Any]) -> None:
    await record_audit(context.session, Actor.system(), "test.delivered", object_id=payload["n"])
    print("claimed", flush=True)
    await asyncio.sleep(3600)


async def main(database_url: str, data_dir: str) -> None:
    settings = Settings(database_url=database_url, data_dir=data_dir)
    engine = create_engine(settings)
    worker = OutboxWorker(create_sessionmaker(engine), lease_seconds=1.0)
    await worker.run_once()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
