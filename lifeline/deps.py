"""Request-scoped dependencies shared by every domain's routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.context import AppContext
from lifeline.db import transaction


def get_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


Context = Annotated[AppContext, Depends(get_context)]


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    context = get_context(request)
    async with transaction(context.sessionmaker) as session:
        yield session
    # Whatever the request enqueued is committed now: let the in-process worker start at once.
    context.outbox.wake()


# scope="function": the transaction commits before the response is sent, so a 2xx means durable.
Session = Annotated[AsyncSession, Depends(_request_session, scope="function")]


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None
