from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.accounts.models import Role
from lifeline.config import Settings
from lifeline.security.models import AuditEntry
from tests.support.factories import PASSWORD, customer_token, make_agent, sign_in


async def _audit_actions(sessionmaker: async_sessionmaker[AsyncSession]) -> list[str]:
    async with sessionmaker() as session:
        return list(
            (await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all()
        )


async def test_agent_signs_in_and_out(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await make_agent(sessionmaker, "emma@example.com")
    await sign_in(client, "emma@example.com")
    me = await client.get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.json()["email"] == "emma@example.com"

    out = await client.post("/api/v1/auth/sign-out")
    assert out.status_code == 204
    assert (await client.get("/api/v1/auth/me")).status_code == 401


async def test_a_signed_out_session_cookie_cannot_be_replayed(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await make_agent(sessionmaker, "replay@example.com")
    await sign_in(client, "replay@example.com")
    stolen = dict(client.cookies)
    await client.post("/api/v1/auth/sign-out")
    client.cookies.update(stolen)
    assert (await client.get("/api/v1/auth/me")).status_code == 401


async def test_wrong_password_is_refused(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await make_agent(sessionmaker, "wrong@example.com")
    response = await client.post(
        "/api/v1/auth/sign-in", json={"email": "wrong@example.com", "password": "not it"}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    unknown = await client.post(
        "/api/v1/auth/sign-in", json={"email": "nobody@example.com", "password": "x"}
    )
    # An unknown email looks exactly like a wrong password.
    assert unknown.status_code == 401
    assert unknown.json() == response.json()


async def test_repeated_failures_lock_the_account(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    await make_agent(sessionmaker, "target@example.com")
    for _ in range(settings.login_max_failures):
        response = await client.post(
            "/api/v1/auth/sign-in", json={"email": "target@example.com", "password": "guess"}
        )
        assert response.status_code == 401
    locked = await client.post(
        "/api/v1/auth/sign-in", json={"email": "target@example.com", "password": PASSWORD}
    )
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "sign_in_locked"
    assert 0 < int(locked.headers["Retry-After"]) <= settings.login_lockout_seconds
    assert "agent.sign_in_locked" in await _audit_actions(sessionmaker)


async def test_privileged_actions_are_audited(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await make_agent(sessionmaker, "root@example.com", role=Role.ADMIN)
    await sign_in(client, "root@example.com")
    created = await client.post(
        "/api/v1/agents",
        json={
            "name": "New Agent",
            "email": "new@example.com",
            "password": "a long enough password",
            "teams": ["funds"],
            "languages": ["zh"],
        },
    )
    assert created.status_code == 201, created.text
    token = await client.post(
        "/api/v1/api-tokens", json={"name": "crm", "scopes": ["customers:read"]}
    )
    assert token.status_code == 201
    audit = (await client.get("/api/v1/audit", params={"action": "agent.create"})).json()
    entry = next(item for item in audit if item["details"].get("email") == "new@example.com")
    assert entry["actor_type"] == "agent"
    assert entry["ip"] == "203.0.113.7"
    actions = await _audit_actions(sessionmaker)
    assert {"agent.sign_in", "agent.create", "api_token.create"} <= set(actions)


async def test_audit_log_is_append_only(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    import pytest
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DBAPIError

    await make_agent(sessionmaker, "audited@example.com")
    async with sessionmaker() as session:
        with pytest.raises(DBAPIError, match="append-only"):
            async with session.begin():
                await session.execute(update(AuditEntry).values(action="tampered"))
        with pytest.raises(DBAPIError, match="append-only"):
            async with session.begin():
                await session.execute(delete(AuditEntry))


async def test_agents_cannot_read_the_audit_log_or_manage_agents(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await make_agent(sessionmaker, "plain@example.com", role=Role.AGENT)
    await sign_in(client, "plain@example.com")
    assert (await client.get("/api/v1/audit")).status_code == 403
    response = await client.post(
        "/api/v1/agents",
        json={"name": "x", "email": "x@example.com", "password": "long password here"},
    )
    assert response.status_code == 403


async def test_cookie_writes_need_the_csrf_token(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await make_agent(sessionmaker, "csrf@example.com")
    await sign_in(client, "csrf@example.com")
    del client.headers["X-CSRF-Token"]
    assert (await client.post("/api/v1/auth/sign-out")).status_code == 403
    assert (await client.get("/api/v1/auth/me")).status_code == 200


async def test_api_tokens_carry_only_their_scopes(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await make_agent(sessionmaker, "admin2@example.com", role=Role.ADMIN)
    await sign_in(client, "admin2@example.com")
    created = await client.post(
        "/api/v1/api-tokens", json={"name": "siem", "scopes": ["audit:read"]}
    )
    raw = created.json()["token"]
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token")
    bearer = {"Authorization": f"Bearer {raw}"}
    assert (await client.get("/api/v1/audit", headers=bearer)).status_code == 200
    assert (await client.get("/api/v1/agents", headers=bearer)).status_code == 403
    bad = {"Authorization": "Bearer llt_forged"}
    assert (await client.get("/api/v1/audit", headers=bad)).status_code == 401


async def test_unknown_scopes_are_refused(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await make_agent(sessionmaker, "admin3@example.com", role=Role.ADMIN)
    await sign_in(client, "admin3@example.com")
    response = await client.post("/api/v1/api-tokens", json={"name": "x", "scopes": ["god"]})
    assert response.status_code == 422
    assert response.json()["error"]["details"]["scopes"] == ["god"]


async def test_customer_token_signed_by_the_exchange_is_accepted(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    token = customer_token(settings, "U1001", email="Alice@Example.com", lang="zh")
    response = await client.get(
        "/api/v1/customers/me", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    customer = response.json()["customer"]
    assert customer["external_id"] == "U1001"
    assert customer["email"] == "alice@example.com"
    assert customer["preferred_language"] == "zh"


async def test_customer_token_with_a_bad_signature_is_refused(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    forged = customer_token(settings, "U1001", secret="someone-elses-secret-key-of-32-bytes")
    response = await client.get(
        "/api/v1/customers/me", headers={"Authorization": f"Bearer {forged}"}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_customer_token"


async def test_expired_or_unsigned_customer_tokens_are_refused(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    import jwt

    expired = customer_token(settings, expires_in=timedelta(seconds=-5))
    unsigned = jwt.encode({"sub": "U1001", "iss": "exchange", "exp": 9999999999}, None, "none")
    for token in (expired, unsigned, "garbage"):
        response = await client.get(
            "/api/v1/customers/me", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401, token


async def test_visitor_token_identifies_and_links_to_a_customer(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    created = await client.post("/api/v1/visitors", json={"language": "zh"})
    assert created.status_code == 201
    visitor_token = created.json()["token"]
    visitor_headers = {"X-Visitor-Token": visitor_token}
    me = (await client.get("/api/v1/customers/me", headers=visitor_headers)).json()
    assert me == {"customer": None, "visitor_id": created.json()["visitor_id"]}

    linked = await client.post(
        "/api/v1/visitors/link",
        headers=visitor_headers | {"Authorization": f"Bearer {customer_token(settings, 'U1002')}"},
    )
    assert linked.status_code == 200
    # From now on the visitor token alone carries the customer.
    me = (await client.get("/api/v1/customers/me", headers=visitor_headers)).json()
    assert me["customer"]["external_id"] == "U1002"

    tampered = visitor_token[:-2] + ("AA" if not visitor_token.endswith("AA") else "BB")
    response = await client.get("/api/v1/customers/me", headers={"X-Visitor-Token": tampered})
    assert response.status_code == 401


async def test_no_identity_is_a_401(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/customers/me")).status_code == 401


async def test_a_read_only_identification_of_a_customer_never_writes(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """What live connections use first: a returning customer needs no write; a new customer
    or changed details ask for a write transaction instead of writing."""
    import pytest

    from lifeline.accounts.deps import NeedsWrite, identify_customer
    from lifeline.db import reading, transaction

    def identify(session: AsyncSession, token: str, read_only: bool) -> Any:
        return identify_customer(
            session, settings, bearer=token, visitor_token=None, ip=None, read_only=read_only
        )

    first = customer_token(settings, "U7001", email="Carol@Example.com", lang="en")
    async with reading(sessionmaker) as session:
        with pytest.raises(NeedsWrite):
            await identify(session, first, True)
    async with transaction(sessionmaker) as session:
        created = (await identify(session, first, False)).customer
    async with reading(sessionmaker) as session:
        again = (await identify(session, first, True)).customer
        assert again is not None and again.id == created.id
        assert again.email == "carol@example.com"
    changed = customer_token(settings, "U7001", email="carol@example.com", lang="zh")
    async with reading(sessionmaker) as session:
        with pytest.raises(NeedsWrite):
            await identify(session, changed, True)
    async with transaction(sessionmaker) as session:
        updated = (await identify(session, changed, False)).customer
    assert updated is not None and updated.preferred_language == "zh"
