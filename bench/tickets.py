"""Benchmark tickets: creation throughput through the HTTP API, and queue-view latency with
many tickets in the database.

1. Creates a fresh database (PostgreSQL: drops and recreates the named database; SQLite: a
   temporary directory) migrated by Alembic, with teams, default SLA policies and 50 agents.
2. Creates tickets through ``POST /api/v1/customer/tickets`` (httpx against the ASGI app,
   several concurrent customers) and reports tickets/s and the request latency.
3. Bulk-loads ``--tickets`` tickets (COPY on PostgreSQL, executemany on SQLite): 85% resolved
   or closed, the rest spread over agents, teams and SLA due times.
4. Creates tickets again, now with the full table, and measures every queue view
   (``GET /api/v1/tickets?view=...``): p50/p99 latency and SQL statements per request.

    .venv/bin/python bench/tickets.py --database-url postgresql://postgres@127.0.0.1:5432/lifeline_bench
    .venv/bin/python bench/tickets.py --tickets 100000          # SQLite
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event, insert, select, text

from lifeline.accounts.models import Agent, Customer, Role, Team, agent_teams
from lifeline.accounts.passwords import hash_password
from lifeline.accounts.service import create_agent, ensure_default_teams
from lifeline.accounts.tokens import CustomerClaims, encode_customer_token
from lifeline.app import build_context, create_app
from lifeline.config import Settings
from lifeline.db import transaction
from lifeline.migrations import async_upgrade_to_head
from lifeline.tickets.models import Ticket, TicketCategory
from lifeline.tickets.policies import ensure_default_policies
from lifeline.tickets.repository import recount_load
from lifeline.tickets.sla import BusinessCalendar

PASSWORD = "benchmark password 2026"  # noqa: S105 - a throwaway database
BENCH_AGENT = "bench-agent-0@example.com"
AGENTS = 50
CUSTOMERS = 50_000
LANGUAGES = ("en", "zh")
CATEGORIES = list(TicketCategory)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


async def prepare_database(url: str | None, data_dir: Path) -> Settings:
    if url:
        base, _, name = url.rpartition("/")
        admin = await asyncpg.connect(f"{base}/postgres")
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        settings = Settings(
            database_url=url, data_dir=data_dir, env="test", outbox_in_process=False
        )
    else:
        settings = Settings(data_dir=data_dir, env="test", outbox_in_process=False)
    await async_upgrade_to_head(settings)
    return settings


async def seed_desk(context: Any) -> list[int]:
    """Teams, policies and 50 agents (one password hash shared: this is not an auth bench)."""
    async with transaction(context.sessionmaker) as session:
        teams = await ensure_default_teams(session)
        await ensure_default_policies(session, teams)
        first = await create_agent(
            session,
            name="Bench Agent 0",
            email=BENCH_AGENT,
            password=PASSWORD,
            languages=LANGUAGES,
            team_slugs=["funds", "trading"],
            capacity=1000,
        )
        password_hash = hash_password(PASSWORD)
        team_list = list(teams)
        ids = [first.id]
        for index in range(1, AGENTS):
            agent = Agent(
                name=f"Bench Agent {index}",
                email=f"bench-agent-{index}@example.com",
                password_hash=password_hash,
                role=Role.SUPERVISOR if index % 10 == 0 else Role.AGENT,
                languages=list(LANGUAGES) if index % 3 else ["en"],
                capacity=1000,
            )
            session.add(agent)
            await session.flush()
            await session.execute(
                insert(agent_teams),
                [
                    {"agent_id": agent.id, "team_id": team}
                    for team in {team_list[index % len(team_list)].id: None, team_list[0].id: None}
                ],
            )
            ids.append(agent.id)
    return ids


def customer_token(settings: Settings, user_id: str) -> str:
    return encode_customer_token(
        CustomerClaims(sub=user_id, email=f"{user_id}@example.com", lang="en"),
        settings.customer_token_secret,
        settings.customer_token_issuer,
        datetime.now(UTC) + timedelta(hours=2),
    )


async def bench_creation(
    transport: httpx.ASGITransport, settings: Settings, count: int, concurrency: int, tag: str
) -> dict[str, float]:
    """Each request is a different customer, so neither limits nor duplicates interfere."""
    tokens = [customer_token(settings, f"{tag}-{index}") for index in range(count)]
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(count):
        queue.put_nowait(index)

    async def worker() -> None:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            while not queue.empty():
                index = queue.get_nowait()
                body = {
                    "subject": f"Withdrawal {index} pending",
                    "description": f"My withdrawal number {index} has been pending for hours.",
                    "category": CATEGORIES[index % len(CATEGORIES)].value,
                    "fields": {"txid": f"{index:064x}"},
                }
                started = time.perf_counter()
                response = await client.post(
                    "/api/v1/customer/tickets",
                    json=body,
                    headers={"Authorization": f"Bearer {tokens[index]}"},
                )
                latencies.append(time.perf_counter() - started)
                if response.status_code != 201:
                    raise RuntimeError(f"creation failed: {response.status_code} {response.text}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {
        "tickets": count,
        "concurrency": concurrency,
        "seconds": round(elapsed, 2),
        "tickets_per_second": round(count / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
    }


def ticket_rows(
    count: int,
    start_number: int,
    customer_ids: list[int],
    agent_ids: list[int],
    team_ids: list[int],
    now: datetime,
) -> Iterator[dict[str, Any]]:
    rng = random.Random(20261121)
    calendar = json.dumps(BusinessCalendar.twenty_four_seven().to_dict())
    statuses_inactive = ("resolved", "closed", "closed")
    statuses_active = ("new", "open", "pending_customer", "on_hold", "escalated")
    priorities = ("low", "normal", "normal", "normal", "high", "urgent")
    for offset in range(count):
        created = now - timedelta(minutes=(count - offset) * 0.5)
        active = rng.random() < 0.15
        status = rng.choice(statuses_active if active else statuses_inactive)
        assignee = rng.choice(agent_ids) if rng.random() < 0.9 else None
        category = rng.choice(CATEGORIES).value
        due_first = created + timedelta(minutes=rng.choice((15, 30, 120, 240)))
        due_resolution = created + timedelta(hours=rng.choice((4, 8, 24, 48)))
        next_due = None
        if active and status != "pending_customer":
            next_due = now + timedelta(minutes=rng.randint(-240, 48 * 60))
        yield {
            "number": start_number + offset,
            "type": "standard",
            "subject": f"Ticket {offset} about {category}",
            "description": "Synthetic ticket for the benchmark.",
            "category": category,
            "priority": rng.choice(priorities),
            "status": status,
            "active": active,
            "customer_id": rng.choice(customer_ids),
            "assignee_id": assignee,
            "team_id": rng.choice(team_ids),
            "tags": "[]",
            "language": rng.choice(LANGUAGES),
            "channel": "web",
            "fields": "{}",
            "funds_at_risk": False,
            "escalation_level": 0,
            "sla_calendar": calendar,
            "sla_started_at": created,
            "first_response_target_minutes": 120,
            "resolution_target_minutes": 1440,
            "sla_pauses": "[]",
            "first_response_due_at": due_first,
            "resolution_due_at": due_resolution,
            "first_responded_at": None if active and rng.random() < 0.3 else due_first,
            "resolved_at": None if active else due_resolution,
            "sla_next_due_at": next_due,
            "sla_next_check_at": next_due,
            "created_at": created,
            "updated_at": created,
        }


async def bulk_load(context: Any, settings: Settings, count: int, agent_ids: list[int]) -> float:
    started = time.perf_counter()
    if count <= 0:
        return 0.0
    now = datetime.now(UTC)
    async with transaction(context.sessionmaker) as session:
        team_ids = list((await session.scalars(select(Team.id))).all())
        max_number = await session.scalar(select(Ticket.number).order_by(Ticket.number.desc()))
        first_customer = (
            await session.scalar(select(Customer.id).order_by(Customer.id.desc()))
        ) or 0
    start_number = (max_number or 100000) + 1
    customer_rows = [
        {
            "public_id": f"{index:032x}",
            "external_id": f"bulk-{index}",
            "email": f"bulk-{index}@example.com",
            "name": None,
            "preferred_language": LANGUAGES[index % 2],
            "vip_tier": 1 if index % 100 == 0 else 0,
            "attributes": "{}",
            "created_at": now,
            "updated_at": now,
        }
        for index in range(CUSTOMERS)
    ]
    customer_ids = list(range(first_customer + 1, first_customer + CUSTOMERS + 1))
    rows = ticket_rows(count, start_number, customer_ids, agent_ids, team_ids, now)
    if settings.is_sqlite:
        await _load_sqlite(context, customer_rows, rows, count)
    else:
        await _load_postgres(settings, customer_rows, rows, count, start_number + count)
    # The import bypassed the actions that keep agents' loads: rebuild them, as an operator
    # would with ``lifeline tickets recount-load``.
    async with transaction(context.sessionmaker) as session:
        await recount_load(session)
    return time.perf_counter() - started


async def _load_sqlite(
    context: Any, customers: list[dict[str, Any]], rows: Iterator[dict[str, Any]], count: int
) -> None:
    def as_python(row: dict[str, Any]) -> dict[str, Any]:
        return {
            key: json.loads(value)
            if key in {"tags", "fields", "sla_calendar", "sla_pauses", "attributes"}
            else value
            for key, value in row.items()
        }

    async with transaction(context.sessionmaker) as session:
        await session.execute(insert(Customer), [as_python(row) for row in customers])
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(as_python(row))
        if len(chunk) == 20_000:
            async with transaction(context.sessionmaker) as session:
                await session.execute(insert(Ticket), chunk)
            chunk = []
    if chunk:
        async with transaction(context.sessionmaker) as session:
            await session.execute(insert(Ticket), chunk)
    async with context.engine.begin() as connection:
        await connection.execute(text("ANALYZE"))


async def _load_postgres(
    settings: Settings,
    customers: list[dict[str, Any]],
    rows: Iterator[dict[str, Any]],
    count: int,
    next_number: int,
) -> None:
    connection = await asyncpg.connect(settings.database_url)
    try:
        columns = list(customers[0])
        await connection.copy_records_to_table(
            "customers",
            records=[tuple(row[c] for c in columns) for row in customers],
            columns=columns,
        )
        first = next(rows)
        columns = list(first)
        batch = [tuple(first[c] for c in columns)]
        for row in rows:
            batch.append(tuple(row[c] for c in columns))
            if len(batch) == 100_000:
                await connection.copy_records_to_table("tickets", records=batch, columns=columns)
                batch = []
        if batch:
            await connection.copy_records_to_table("tickets", records=batch, columns=columns)
        await connection.execute(f"SELECT setval('ticket_number_seq', {next_number})")
        await connection.execute("ANALYZE customers")
        await connection.execute("ANALYZE tickets")
    finally:
        await connection.close()


async def bench_queue_views(
    transport: httpx.ASGITransport, context: Any, requests: int
) -> dict[str, dict[str, float]]:
    statements: list[int] = [0]
    captured: list[tuple[str, Any]] = []

    def count(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        statements[0] += 1
        if "FROM tickets" in statement:
            captured[:] = [(statement, parameters)]

    event.listen(context.engine.sync_engine, "before_cursor_execute", count)
    results: dict[str, dict[str, float]] = {}
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            signed = await client.post(
                "/api/v1/auth/sign-in", json={"email": BENCH_AGENT, "password": PASSWORD}
            )
            signed.raise_for_status()
            cases: list[tuple[str, dict[str, Any]]] = [
                ("mine", {"view": "mine"}),
                ("team", {"view": "team"}),
                ("unassigned", {"view": "unassigned"}),
                ("breaching (1 h)", {"view": "breaching"}),
                ("all", {"view": "all"}),
                ("mine + status filter", {"view": "mine", "status": ["open", "new"]}),
                ("search by number", {"view": "all", "q": "#500500"}),
                ("search subject text", {"view": "team", "q": "futures"}),
            ]
            first_page = (await client.get("/api/v1/tickets", params={"view": "all"})).json()
            cases.append(
                ("all, page 2 (cursor)", {"view": "all", "cursor": first_page["next_cursor"]})
            )
            for name, params in cases:
                params = {"limit": 50, **params}
                latencies = []
                statements[0] = 0
                items = 0
                for _ in range(requests):
                    started = time.perf_counter()
                    response = await client.get("/api/v1/tickets", params=params)
                    latencies.append(time.perf_counter() - started)
                    response.raise_for_status()
                    items = len(response.json()["items"])
                results[name] = {
                    "items": items,
                    "p50_ms": round(percentile(latencies, 0.5) * 1000, 2),
                    "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
                    "statements_per_request": round(statements[0] / requests, 1),
                }
                if captured and context.settings.is_sqlite:
                    results[name].update(explain_sqlite(context.settings, *captured[0]))
                elif captured:
                    results[name].update(await explain(context.settings, *captured[0]))
    finally:
        event.remove(context.engine.sync_engine, "before_cursor_execute", count)
    return results


async def explain(settings: Settings, statement: str, parameters: Any) -> dict[str, Any]:
    """The queue query alone, as PostgreSQL runs it: time in the database and the plan's
    access path (independent of the HTTP stack and of CPU contention in this process)."""
    connection = await asyncpg.connect(settings.database_url)
    try:
        raw = await connection.fetchval(
            f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {statement}", *(parameters or ())
        )
    finally:
        await connection.close()
    plan = json.loads(raw)[0] if isinstance(raw, str) else raw[0]
    scans: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        if "Index Name" in node or node.get("Node Type", "").startswith("Seq Scan"):
            scans.append(f"{node['Node Type']} {node.get('Index Name', node.get('Relation Name'))}")
        for child in node.get("Plans", []):
            walk(child)

    walk(plan["Plan"])
    return {"db_ms": round(plan["Execution Time"], 2), "plan": sorted(set(scans))}


def explain_sqlite(settings: Settings, statement: str, parameters: Any) -> dict[str, Any]:
    """The queue query alone on SQLite: median of 20 runs, and the indexes the plan uses."""
    connection = sqlite3.connect(settings.data_dir / "lifeline.db")
    try:
        params = tuple(parameters or ())
        plan = connection.execute(f"EXPLAIN QUERY PLAN {statement}", params).fetchall()
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            connection.execute(statement, params).fetchall()
            timings.append(time.perf_counter() - started)
    finally:
        connection.close()
    return {
        "db_ms": round(percentile(timings, 0.5) * 1000, 2),
        "plan": sorted({str(row[-1]) for row in plan if "tickets" in str(row[-1])}),
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="lifeline-bench-") as directory:
        settings = await prepare_database(args.database_url, Path(directory))
        context = build_context(settings)
        try:
            app = create_app(context=context)
            transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
            agent_ids = await seed_desk(context)
            report: dict[str, Any] = {
                "database": "postgresql" if args.database_url else "sqlite",
                "bulk_tickets": args.tickets,
            }
            print(f"database: {report['database']}", file=sys.stderr)
            report["create_empty"] = await bench_creation(
                transport, settings, args.creations, args.concurrency, "empty"
            )
            print("create (empty):", report["create_empty"], file=sys.stderr)
            seconds = await bulk_load(context, settings, args.tickets, agent_ids)
            report["bulk_load_seconds"] = round(seconds, 1)
            print(f"bulk load of {args.tickets} tickets: {seconds:.1f} s", file=sys.stderr)
            report["create_loaded"] = await bench_creation(
                transport, settings, args.creations, args.concurrency, "loaded"
            )
            print("create (loaded):", report["create_loaded"], file=sys.stderr)
            report["queue_views"] = await bench_queue_views(transport, context, args.requests)
            for name, numbers in report["queue_views"].items():
                print(f"  {name:<24} {numbers}", file=sys.stderr)
        finally:
            await context.exchange.aclose()
            await context.engine.dispose()
    if args.database_url and not args.keep:
        base, _, name = args.database_url.rpartition("/")
        admin = await asyncpg.connect(f"{base}/postgres")
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
    return report


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        help="PostgreSQL URL of a database to (re)create, e.g. "
        "postgresql://postgres@127.0.0.1:5432/lifeline_bench; SQLite when omitted",
    )
    parser.add_argument("--tickets", type=int, default=1_000_000, help="tickets to bulk-load")
    parser.add_argument("--creations", type=int, default=300, help="tickets created via HTTP")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--requests", type=int, default=100, help="requests per queue view")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--json", type=Path, help="also write the report as JSON here")
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse_args()
    result = asyncio.run(main(arguments))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if arguments.json:
        arguments.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
