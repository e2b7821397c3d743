"""Benchmark live chat: message round-trip latency and concurrent WebSocket connections.

Starts ``lifeline demo`` (its own SQLite database) as a separate process, or uses
``--database-url``/``--redis-url`` to run two ``lifeline serve`` processes sharing PostgreSQL
and Redis (customer on one, agent on the other). Then:

1. A visitor asks for a person; a demo agent goes online and takes the chat.
2. Round trip: the agent posts a message over HTTP and the clock stops when the customer's
   WebSocket delivers it; then the other way round (customer posts, agent's socket receives).
   p50/p99 over ``--messages`` messages each way.
3. Connections: opens ``--connections`` WebSockets to the one server process, checks that one
   broadcast reaches every one of them, and reports the server's resident memory before and
   after (per connection).

    .venv/bin/python bench/chat.py
    .venv/bin/python bench/chat.py --connections 5000 --messages 500
    .venv/bin/python bench/chat.py --redis-url redis://127.0.0.1:6379/0 \\
        --database-url postgresql://postgres@127.0.0.1:5432/lifeline_chat_bench
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import websockets

REPO = Path(__file__).resolve().parents[1]
LIFELINE = Path(sys.executable).parent / "lifeline"
AGENT_EMAIL = "emma@demoexchange.com"
AGENT_PASSWORD = "lifeline-demo-2026"  # noqa: S105 - the demo's printed password


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]

    @property
    def ws(self) -> str:
        return self.url.replace("http://", "ws://")

    def rss_kib(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
        return int(line.split()[1])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(arguments: list[str], env: dict[str, str], log: Path) -> Server:
    port = free_port()
    process = subprocess.Popen(
        [str(LIFELINE), *arguments, "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    server = Server(f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server exited: {log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{server.url}/readyz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.kill()
    sys.exit("server did not become ready")


async def prepare_postgres(url: str, env: dict[str, str]) -> None:
    base, _, name = url.rpartition("/")
    connection = await asyncpg.connect(f"{base}/postgres")
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    os.environ.update(env)
    from lifeline.config import get_settings
    from lifeline.demo import prepare_demo

    get_settings.cache_clear()
    await prepare_demo(get_settings())


async def sign_in_agent(client: httpx.AsyncClient) -> None:
    signed = await client.post(
        "/api/v1/auth/sign-in", json={"email": AGENT_EMAIL, "password": AGENT_PASSWORD}
    )
    signed.raise_for_status()
    client.headers["X-CSRF-Token"] = client.cookies["lifeline_csrf"]
    (await client.put("/api/v1/agent/presence", json={"status": "online"})).raise_for_status()


async def handed_off_chat(customer: httpx.AsyncClient, agent: httpx.AsyncClient) -> tuple[str, int]:
    """A chat the agent holds, and its last message id (sockets catch up only after it)."""
    visitor = (await customer.post("/api/v1/visitors", json={"language": "en"})).json()
    customer.headers["X-Visitor-Token"] = visitor["token"]
    conversation = (await customer.post("/api/v1/conversations", json={})).json()["public_id"]
    await customer.post(
        f"/api/v1/conversations/{conversation}/messages",
        json={"text": "I want to talk to a human agent please"},
    )
    accepted = await agent.post(f"/api/v1/agent/conversations/{conversation}/accept")
    if accepted.status_code not in (200, 409):
        accepted.raise_for_status()
    detail = (await agent.get(f"/api/v1/agent/conversations/{conversation}")).json()
    if detail["status"] != "assigned":
        sys.exit(f"the chat was not assigned: {detail['status']}")
    return str(conversation), max(message["id"] for message in detail["messages"])


async def receive_body(socket: Any, body: str) -> None:
    while True:
        frame = json.loads(await socket.recv())
        if frame.get("type") == "message.created" and frame["message"]["body"] == body:
            return


async def round_trips(
    customer_server: Server, agent_server: Server, count: int
) -> tuple[list[float], list[float]]:
    async with (
        httpx.AsyncClient(base_url=customer_server.url, timeout=30) as customer,
        httpx.AsyncClient(base_url=agent_server.url, timeout=30) as agent,
    ):
        await sign_in_agent(agent)
        conversation, last_id = await handed_off_chat(customer, agent)
        visitor = customer.headers["X-Visitor-Token"]
        path = f"/api/v1/conversations/{conversation}/live?after_id={last_id}"
        customer_ws = f"{customer_server.ws}{path}&visitor={visitor}"
        agent_ws = f"{agent_server.ws}{path}"
        cookie = "; ".join(f"{name}={value}" for name, value in agent.cookies.items())
        to_customer: list[float] = []
        to_agent: list[float] = []
        async with (
            websockets.connect(customer_ws) as customer_socket,
            websockets.connect(agent_ws, additional_headers={"Cookie": cookie}) as agent_socket,
        ):
            for index in range(count):
                body = f"agent message {index} {uuid.uuid4().hex[:8]}"
                started = time.perf_counter()
                waiting = asyncio.create_task(receive_body(customer_socket, body))
                sent = await agent.post(
                    f"/api/v1/agent/conversations/{conversation}/messages", json={"text": body}
                )
                sent.raise_for_status()
                await asyncio.wait_for(waiting, 10)
                to_customer.append((time.perf_counter() - started) * 1000)
            for index in range(count):
                body = f"customer message {index} {uuid.uuid4().hex[:8]}"
                started = time.perf_counter()
                waiting = asyncio.create_task(receive_body(agent_socket, body))
                sent = await customer.post(
                    f"/api/v1/conversations/{conversation}/messages",
                    json={"text": body, "client_message_id": uuid.uuid4().hex},
                )
                if sent.status_code == 429:  # the customer's rate limit: wait it out
                    waiting.cancel()
                    await asyncio.sleep(float(sent.headers.get("retry-after", "5")))
                    continue
                sent.raise_for_status()
                await asyncio.wait_for(waiting, 10)
                to_agent.append((time.perf_counter() - started) * 1000)
    return to_customer, to_agent


async def hold_connections(server: Server, count: int) -> dict[str, Any]:
    async with (
        httpx.AsyncClient(base_url=server.url, timeout=30) as customer,
        httpx.AsyncClient(base_url=server.url, timeout=30) as agent,
    ):
        await sign_in_agent(agent)
        conversation, last_id = await handed_off_chat(customer, agent)
        visitor = customer.headers["X-Visitor-Token"]
        url = (
            f"{server.ws}/api/v1/conversations/{conversation}/live"
            f"?visitor={visitor}&after_id={last_id}"
        )
        await asyncio.sleep(1)
        before = server.rss_kib()
        sockets: list[Any] = []
        started = time.perf_counter()
        for batch_start in range(0, count, 50):
            batch = min(50, count - batch_start)
            sockets.extend(
                await asyncio.gather(
                    *(websockets.connect(url, open_timeout=60) for _ in range(batch))
                )
            )
        opened_seconds = time.perf_counter() - started
        await asyncio.sleep(2)
        after = server.rss_kib()
        body = f"broadcast {uuid.uuid4().hex[:8]}"
        started = time.perf_counter()
        receiving = [asyncio.create_task(receive_body(socket, body)) for socket in sockets]
        (
            await agent.post(
                f"/api/v1/agent/conversations/{conversation}/messages", json={"text": body}
            )
        ).raise_for_status()
        done, pending = await asyncio.wait(receiving, timeout=60)
        fan_out_ms = (time.perf_counter() - started) * 1000
        for task in pending:
            task.cancel()
        await asyncio.gather(*(socket.close() for socket in sockets), return_exceptions=True)
        return {
            "connections": count,
            "received_broadcast": len(done),
            "open_seconds": round(opened_seconds, 1),
            "broadcast_to_all_ms": round(fan_out_ms, 1),
            "rss_before_mib": round(before / 1024, 1),
            "rss_after_mib": round(after / 1024, 1),
            "kib_per_connection": round((after - before) / count, 1),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    options = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the children inherit it
    model_dir = os.environ.get("LIFELINE_MODEL_DIR", str(REPO / ".cache" / "models"))
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("LIFELINE_")}
    base_env["LIFELINE_MODEL_DIR"] = model_dir
    # One customer sends hundreds of messages a minute here: measure latency, not the limits.
    base_env["LIFELINE_RATE_LIMITS_ENABLED"] = "false"
    work = Path(tempfile.mkdtemp(prefix="lifeline-chat-bench-"))
    servers: list[Server] = []
    try:
        if options.database_url:
            env = {
                **base_env,
                "LIFELINE_DATABASE_URL": options.database_url,
                "LIFELINE_REDIS_URL": options.redis_url,
                "LIFELINE_DATA_DIR": str(work),
            }
            asyncio.run(prepare_postgres(options.database_url, env))
            servers.append(start(["serve"], env, work / "a.log"))
            servers.append(start(["serve", "--no-migrate"], env, work / "b.log"))
            setup = "2 x lifeline serve, PostgreSQL" + (" + Redis" if options.redis_url else "")
        else:
            servers.append(start(["demo", "--data-dir", str(work)], base_env, work / "demo.log"))
            servers.append(servers[0])
            setup = "1 x lifeline demo, SQLite"
        to_customer, to_agent = asyncio.run(round_trips(servers[0], servers[1], options.messages))
        print(f"setup: {setup}")
        for label, values in (("agent -> customer", to_customer), ("customer -> agent", to_agent)):
            print(
                f"round trip {label}: n={len(values)} p50 {percentile(values, 0.5):.1f} ms  "
                f"p99 {percentile(values, 0.99):.1f} ms"
            )
        held = asyncio.run(hold_connections(servers[0], options.connections))
        print("connections:", json.dumps(held))
    finally:
        for server in {id(s): s for s in servers}.values():
            server.process.terminate()
            try:
                server.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.process.kill()


if __name__ == "__main__":
    main()
