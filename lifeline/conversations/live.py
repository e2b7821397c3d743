"""The live conversation over WebSocket.

Protocol (JSON frames). The server sends ``{"seq": n, "type": ...}`` with ``seq`` increasing
per connection: ``message.created`` (with the stored message), ``typing``, ``read``,
``status`` (the conversation's state changed), ``ping`` (heartbeat every 20 s) and ``resync``
(reconnect and catch up). On connect, every message after ``after_id`` is sent first, so a
client that reconnects with the last message id it saw has every message exactly once.
The client may send ``{"type": "typing"}`` and ``{"type": "read", "message_id": n}``.
Customers authenticate with ``?token=`` (the exchange's JWT) or ``?visitor=``; agents with
their session cookie.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Coroutine
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts.deps import SESSION_COOKIE, NeedsWrite, Staff, identify_customer
from lifeline.accounts.service import resolve_session_token
from lifeline.context import AppContext
from lifeline.conversations import repository, service
from lifeline.conversations.models import Conversation, Message
from lifeline.conversations.schemas import MessageRead
from lifeline.db import reading, transaction
from lifeline.errors import LifelineError
from lifeline.livechat.read_marker import mark_read
from lifeline.security.audit import Actor
from lifeline.security.permissions import ROLE_PERMISSIONS

log = logging.getLogger(__name__)

router = APIRouter()
HEARTBEAT_SECONDS = 20.0


def channel_of(conversation_public_id: str) -> str:
    return f"conversation:{conversation_public_id}"


def message_event(message: Message) -> dict[str, Any]:
    return {
        "type": "message.created",
        "internal": message.internal,
        "message": MessageRead.model_validate(message).model_dump(mode="json"),
    }


async def _authenticate(
    websocket: WebSocket, context: AppContext, conversation_id: str
) -> tuple[Conversation, int | None, str]:
    """The conversation, the agent's id when the caller is staff, and who they are (for
    events).

    A returning customer is identified in a read-only transaction, which on SQLite waits for
    no writer: after a restart every open widget reconnects at once. Staff sessions, new
    customers and changed customer details take a write transaction.
    """
    ip = websocket.client.host if websocket.client else None
    cookie = websocket.cookies.get(SESSION_COOKIE)
    if cookie and not websocket.query_params.get("token"):
        async with transaction(context.sessionmaker) as session:
            agent, agent_session = await resolve_session_token(session, cookie)
            staff = Staff(
                actor=Actor(type="agent", id=str(agent.id), ip=ip),
                permissions=ROLE_PERMISSIONS[agent.role],
                agent=agent,
                agent_session=agent_session,
            )
            conversation = await service.access_conversation(session, staff, conversation_id)
            return conversation, agent.id, f"agent:{agent.id}"
    try:
        async with reading(context.sessionmaker) as session:
            return await _customer_access(websocket, context, session, conversation_id, ip, True)
    except NeedsWrite:
        async with transaction(context.sessionmaker) as session:
            return await _customer_access(websocket, context, session, conversation_id, ip, False)


async def _customer_access(
    websocket: WebSocket,
    context: AppContext,
    session: AsyncSession,
    conversation_id: str,
    ip: str | None,
    read_only: bool,
) -> tuple[Conversation, int | None, str]:
    who = await identify_customer(
        session,
        context.settings,
        bearer=websocket.query_params.get("token"),
        visitor_token=websocket.query_params.get("visitor"),
        ip=ip,
        read_only=read_only,
    )
    conversation = await service.access_conversation(session, who, conversation_id)
    return conversation, None, f"{who.actor.type}:{who.actor.id}"


@router.websocket("/api/v1/conversations/{conversation_id}/live")
async def live(websocket: WebSocket, conversation_id: str) -> None:
    context: AppContext = websocket.app.state.context
    try:
        conversation, agent_id, who = await _authenticate(websocket, context, conversation_id)
    except LifelineError as error:
        await websocket.close(code=4401 if error.status_code == 401 else 4404)
        return
    try:
        after_id = max(0, int(websocket.query_params.get("after_id", "0")))
    except ValueError:
        after_id = 0
    is_staff = agent_id is not None
    await websocket.accept()
    channel = channel_of(conversation.public_id)
    sequence = 0
    last_message_id = after_id

    async def send(event: dict[str, Any]) -> None:
        nonlocal sequence
        sequence += 1
        await websocket.send_text(json.dumps({"seq": sequence, **event}, default=str))

    async def catch_up() -> None:
        nonlocal last_message_id
        async with reading(context.sessionmaker) as session:
            missed = await repository.messages(
                session, conversation.id, include_internal=is_staff, after_id=last_message_id
            )
        for message in missed:
            await send(message_event(message))
            last_message_id = message.id

    async def forward(queue: asyncio.Queue[dict[str, Any]]) -> None:
        nonlocal last_message_id
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
            except TimeoutError:
                await send({"type": "ping"})
                continue
            if event.get("type") == "resync":
                await catch_up()
                continue
            if event.get("type") == "message.created":
                message_id = int(event["message"]["id"])
                if message_id <= last_message_id:
                    continue  # already sent during catch-up
                if event.get("internal") and not is_staff:
                    continue  # internal notes never reach customers
                last_message_id = message_id
            if event.get("from") == who:
                continue  # one's own typing and read receipts are not echoed
            await send(event)

    async def receive() -> None:
        while True:
            frame = await websocket.receive_text()
            try:
                data = json.loads(frame)
            except ValueError:
                continue
            kind = data.get("type") if isinstance(data, dict) else None
            if kind == "typing":
                await context.hub.publish(channel, {"type": "typing", "from": who})
            elif kind == "read" and isinstance(data.get("message_id"), int):
                if agent_id is not None:
                    await _remember_read(context, conversation.id, agent_id, data["message_id"])
                await context.hub.publish(
                    channel, {"type": "read", "from": who, "message_id": data["message_id"]}
                )

    # Subscribe before catching up, so nothing published in between is missed.
    async with context.hub.subscribe(channel) as queue:
        try:
            await catch_up()
        except WebSocketDisconnect:
            return
        await serve_until_gone(websocket, forward(queue), receive())


async def _remember_read(
    context: AppContext, conversation_id: int, agent_id: int, message_id: int
) -> None:
    """Move the agent's read marker; a failure costs an unread count, never the connection."""
    try:
        async with transaction(context.sessionmaker) as session:
            conversation = await session.get(Conversation, conversation_id)
            if conversation is not None:
                await mark_read(session, conversation, agent_id, message_id)
    except Exception as error:  # the receipt is still relayed to the customer
        log.warning("read marker of conversation %s not saved: %s", conversation_id, error)


async def serve_until_gone(websocket: WebSocket, *loops: Coroutine[Any, Any, None]) -> None:
    """Run a connection's loops until the client goes (or one fails), then close it."""
    tasks = [asyncio.create_task(loop) for loop in loops]
    try:
        done, _pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            failure = task.exception()
            if failure is not None and not isinstance(failure, WebSocketDisconnect):
                raise failure
    finally:
        for task in tasks:
            task.cancel()
        with contextlib.suppress(Exception):
            await websocket.close()


async def publish_messages(context: AppContext, public_id: str, messages: list[Message]) -> None:
    for message in messages:
        await context.hub.publish(channel_of(public_id), message_event(message))
