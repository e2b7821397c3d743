"""The security engines through the HTTP API."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.app import create_app
from lifeline.config import Settings
from lifeline.context import AppContext
from tests.support.factories import make_agent, sign_in


async def test_scan_masks_and_warns_in_the_customer_language(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/security/scan",
        json={"text": "我的谷歌验证码是 482913，TxID 0x" + "ab" * 32, "lang": "zh"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["kinds"] == ["otp_code"]
    assert "482913" not in body["masked"]
    assert "0x" + "ab" * 32 in body["masked"]  # a TxID stays visible
    assert body["warning"] and "客服" in body["warning"]


async def test_guard_needs_an_agent_and_blocks_asks_for_secrets(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    ask = {"text": "Please send me the 6-digit code from your authenticator", "lang": "en"}
    assert (await client.post("/api/v1/security/guard", json=ask)).status_code == 401
    await make_agent(sessionmaker, "agent@example.com")
    await sign_in(client, "agent@example.com")
    blocked = (await client.post("/api/v1/security/guard", json=ask)).json()
    assert blocked["allowed"] is False
    assert blocked["reason_code"] == "ask_otp_code"
    fine = (
        await client.post("/api/v1/security/guard", json={"text": "Please send the TxID."})
    ).json()
    assert fine == {"allowed": True, "reason_code": None, "reason": None}


async def test_verify_endpoint(client: httpx.AsyncClient) -> None:
    official = (
        await client.get("/api/v1/verify", params={"value": "https://support.demoexchange.com/x"})
    ).json()
    assert official["verdict"] == "official"
    lookalike = (
        await client.get("/api/v1/verify", params={"value": "t.me/demoexchange_support"})
    ).json()
    assert lookalike["verdict"] == "lookalike"
    assert (await client.get("/api/v1/verify", params={"value": ""})).status_code == 422


async def test_verify_uses_the_operators_registry_file(
    context: AppContext, settings: Settings, tmp_path: Path
) -> None:
    registry = tmp_path / "channels.yaml"
    registry.write_text(
        'domains: [examplex.com]\nemail_domains: [examplex.com]\nphones: ["+442071234567"]\n'
        'handles:\n  telegram: ["@examplex"]\n'
    )
    context.settings = settings.model_copy(update={"official_channels_file": registry})
    app = create_app(context=context)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        verdict = (await client.get("/api/v1/verify", params={"value": "examp1ex.com"})).json()
        assert verdict["verdict"] == "lookalike"
        ours = (await client.get("/api/v1/verify", params={"value": "demoexchange.com"})).json()
        assert ours["verdict"] == "unknown"
