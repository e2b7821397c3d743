"""The agents' console stream: ``/api/v1/agent/live`` over WebSocket (session cookie).

Frames ``{"seq": n, "type": ...}``: ``queue.changed`` (reload the inbox),
``conversation.assigned`` ``{conversation_id}`` (a chat was given to this agent), ``ping``
(heartbeat). Being connected keeps the agent's presence fresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from fastapi import APIRouter, WebSocket

from lifeline.accounts.deps import SESSION_COOKIE
from lifeline.accounts.models import Agent
from lifeline.accounts.service import resolve_session_token
from lifeline.context import AppContext
from lifeline.conversations.live import serve_until_gone
from lifeline.db import transaction
from lifeline.errors import LifelineError
from lifeline.livechat import events, service
from lifeline.security.permissions import Permission, role_allows

router = APIRouter()
log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 20.0


async def _authenticate(websocket: WebSocket, context: AppContext) -> Agent:
    cookie = websocket.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise LifelineError("Sign-in required.")
    async with transaction(context.sessionmaker) as session:
        agent, _ = await resolve_session_token(session, cookie)
    if not role_allows(agent.role, Permission.CONVERSATIONS_HANDLE):
        raise LifelineError("This needs the 'conversations:handle' permission.")
    return agent


async def _heartbeat(context: AppContext, agent: Agent) -> None:
    try:
        async with transaction(context.sessionmaker) as session:
            await service.heartbeat(session, context, agent)
    except Exception:  # a missed beat only lets presence lapse a little sooner
        log.exception("presence heartbeat of agent %s failed", agent.id)


@router.websocket("/api/v1/agent/live")
async def agent_live(websocket: WebSocket) -> None:
    context: AppContext = websocket.app.state.context
    try:
        agent = await _authenticate(websocket, context)
    except LifelineError:
        await websocket.close(code=4401)
        return
    await websocket.accept()
    sequence = 0

    async def send(event: dict[str, Any]) -> None:
        nonlocal sequence
        sequence += 1
        await websocket.send_text(json.dumps({"seq": sequence, **event}, default=str))

    async def forward(queue: asyncio.Queue[dict[str, Any]]) -> None:
        while True:
            event = await queue.get()
            if event.get("type") == "resync":
                event = {"type": "queue.changed"}  # it fell behind: reload everything
            await send(event)

    async def beat() -> None:
        # On a timer of its own, so that a busy stream cannot starve the heartbeat.
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            await _heartbeat(context, agent)
            await send({"type": "ping"})

    async def receive() -> None:
        while True:
            # The console need not send anything; reading notices when it goes away.
            await websocket.receive_text()

    async with contextlib.AsyncExitStack() as stack:
        # Subscribing before the first beat, so nothing published in between is missed.
        staff_queue = await stack.enter_async_context(context.hub.subscribe(events.STAFF_CHANNEL))
        own_queue = await stack.enter_async_context(
            context.hub.subscribe(events.agent_channel(agent.id))
        )
        await _heartbeat(context, agent)
        await serve_until_gone(
            websocket, forward(staff_queue), forward(own_queue), beat(), receive()
        )
