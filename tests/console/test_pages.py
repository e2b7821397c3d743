"""The agent console's server-rendered pages: who gets them, in which language, and that
nothing a customer or an agent typed can become markup."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.accounts.models import Agent
from lifeline.accounts.service import ensure_default_teams
from lifeline.accounts.tokens import CustomerClaims, encode_customer_token
from lifeline.config import Settings
from lifeline.db import utcnow
from lifeline.tickets.policies import ensure_default_policies
from lifeline.web.templating import STATIC_DIR, TEMPLATES_DIR
from tests.console.conftest import HOSTILE_NAME, SignedIn
from tests.support.factories import make_agent

LOCALES = Path(TEMPLATES_DIR).parent / "locales"
PAGES = [
    "/console",
    "/console/conversations/c0ffee",
    "/console/tickets/100001",
    "/console/supervisor",
]


@pytest.mark.parametrize("path", PAGES)
async def test_signed_out_pages_redirect_to_sign_in(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == f"/console/sign-in?next={path}"


async def test_a_revoked_session_counts_as_signed_out(signed_in: SignedIn, agent: Agent) -> None:
    browser = await signed_in(agent.email)
    assert (await browser.get("/console")).status_code == 200
    assert (await browser.post("/api/v1/auth/sign-out")).status_code == 204
    browser.cookies.set("lifeline_session", "not-a-session")
    response = await browser.get("/console")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/sign-in")


async def test_sign_in_page_in_english_and_chinese(client: httpx.AsyncClient) -> None:
    english = await client.get("/console/sign-in", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english.status_code == 200
    assert 'data-testid="sign-in-form"' in english.text
    assert '<html lang="en">' in english.text
    assert ">Sign in</h1>" in english.text

    chinese = await client.get("/console/sign-in", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert '<html lang="zh-CN">' in chinese.text
    assert ">登录</h1>" in chinese.text


async def test_pages_run_no_inline_script_under_the_csp(client: httpx.AsyncClient) -> None:
    response = await client.get("/console/sign-in")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    scripts = re.findall(r"<script([^>]*)>", response.text)
    assert scripts, "the page loads its script"
    for attributes in scripts:
        assert (
            'type="module" src="/static/console/main.js"' in attributes
            or 'type="application/json"' in attributes
        )
    assert " on" not in "".join(re.findall(r"<[a-z]+\s[^>]*>", response.text)).replace(
        " one", ""
    ), "no inline event handlers"


async def test_signed_in_inbox_renders_with_the_agent_and_filters(
    signed_in: SignedIn, agent: Agent
) -> None:
    browser = await signed_in(agent.email)
    response = await browser.get("/console")
    assert response.status_code == 200
    page = response.text
    assert f'data-agent-id="{agent.id}"' in page
    assert 'data-page="inbox"' in page
    for testid in [
        "filter-mine",
        "filter-team",
        "filter-unassigned",
        "filter-breaching",
        "filter-language",
        "filter-vip",
        "conversation-list",
        "ticket-list",
        "presence-select",
    ]:
        assert f'data-testid="{testid}"' in page
    # An agent without the supervise permission is not offered the supervisor page.
    assert 'data-testid="nav-supervisor"' not in page
    assert response.headers["cache-control"] == "no-store"


async def test_language_choice_overrides_accept_language_and_is_remembered(
    signed_in: SignedIn, agent: Agent
) -> None:
    browser = await signed_in(agent.email, **{"Accept-Language": "en"})
    chosen = await browser.get("/console?lang=zh")
    assert '<html lang="zh-CN">' in chosen.text
    assert "收件箱" in chosen.text
    assert chosen.cookies.get("lifeline_console_lang") == "zh"
    later = await browser.get("/console/conversations/abc")
    assert "收件箱" in later.text and "智能助手转接摘要" in later.text
    back = await browser.get("/console?lang=en")
    assert "Inbox" in back.text and "收件箱" not in back.text


async def test_unknown_language_falls_back(signed_in: SignedIn, agent: Agent) -> None:
    browser = await signed_in(agent.email, **{"Accept-Language": "fr-FR"})
    response = await browser.get("/console?lang=xx")
    assert '<html lang="en">' in response.text
    assert response.cookies.get("lifeline_console_lang") is None


async def test_interface_strings_for_the_script_are_embedded_as_data(
    signed_in: SignedIn, agent: Agent
) -> None:
    browser = await signed_in(agent.email)
    page = (await browser.get("/console?lang=zh")).text
    match = re.search(
        r'<script type="application/json" id="console-strings">(.*?)</script>', page, re.S
    )
    assert match is not None
    import json

    strings = json.loads(match.group(1))
    assert strings["console_status_queued"] == "排队中"
    assert all(key.startswith("console_") for key in strings)


async def test_supervisor_page_is_403_for_an_agent(signed_in: SignedIn, agent: Agent) -> None:
    browser = await signed_in(agent.email)
    response = await browser.get("/console/supervisor")
    assert response.status_code == 403
    assert 'data-testid="forbidden"' in response.text
    assert "tickets:supervise" in response.text
    assert 'data-testid="queue-table"' not in response.text


@pytest.mark.parametrize("path", PAGES)
async def test_roles_without_desk_work_get_a_clear_403(
    signed_in: SignedIn,
    sessionmaker: async_sessionmaker[AsyncSession],
    fast_hashing: None,
    path: str,
) -> None:
    from lifeline.accounts.models import Role

    editor = await make_agent(sessionmaker, "ken@example.com", role=Role.KB_EDITOR)
    browser = await signed_in(editor.email)
    response = await browser.get(path)
    assert response.status_code == 403
    assert 'data-testid="forbidden"' in response.text
    assert 'data-testid="reply-input"' not in response.text


async def test_supervisor_page_renders_for_a_supervisor(
    signed_in: SignedIn, supervisor: Agent
) -> None:
    browser = await signed_in(supervisor.email)
    response = await browser.get("/console/supervisor?lang=zh")
    assert response.status_code == 200
    assert 'data-testid="queue-table"' in response.text
    assert 'data-testid="agent-table"' in response.text
    assert "主管视图" in response.text
    inbox = await browser.get("/console")
    assert 'data-testid="nav-supervisor"' in inbox.text


async def test_conversation_page_has_the_workspace(signed_in: SignedIn, agent: Agent) -> None:
    browser = await signed_in(agent.email)
    response = await browser.get("/console/conversations/5f2a9c")
    assert response.status_code == 200
    page = response.text
    assert 'data-conversation-id="5f2a9c"' in page
    for testid in [
        "handoff-summary",
        "transcript",
        "reply-input",
        "reply-send",
        "guard-error",
        "accept",
        "wrap-up-resolve",
        "wrap-up-ticket",
        "transfer",
        "macro-picker",
        "tags-input",
        "customer-context",
        "typing-indicator",
    ]:
        assert f'data-testid="{testid}"' in page
    # Only roles that may freeze or reveal get those buttons.
    assert 'data-testid="freeze-account"' not in page
    assert 'data-testid="reveal-pii"' not in page


async def test_freeze_button_is_for_roles_that_may_freeze(
    signed_in: SignedIn,
    agent: Agent,
    sessionmaker: async_sessionmaker[AsyncSession],
    fast_hashing: None,
) -> None:
    from lifeline.accounts.models import Role

    officer = await make_agent(sessionmaker, "omar@example.com", role=Role.SECURITY)
    security = await signed_in(officer.email)
    page = (await security.get("/console/conversations/5f2a9c")).text
    assert 'data-testid="reveal-pii"' in page
    assert 'data-testid="freeze-account"' in page
    plain = await signed_in(agent.email)
    assert 'data-testid="freeze-account"' not in (await plain.get("/console/conversations/x")).text


async def test_hostile_agent_name_and_path_are_escaped(
    signed_in: SignedIn, sessionmaker: async_sessionmaker[AsyncSession], fast_hashing: None
) -> None:
    hostile = await make_agent(sessionmaker, "mallory@example.com")
    async with sessionmaker() as session:
        stored = await session.get(Agent, hostile.id)
        assert stored is not None
        stored.name = HOSTILE_NAME
        await session.commit()
    browser = await signed_in(hostile.email)
    evil_id = '"><svg onload=alert(2)>'
    response = await browser.get("/console/conversations/" + httpx.URL(evil_id).raw_path.decode())
    assert response.status_code == 200
    page = response.text
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "<svg onload" not in page
    assert "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;" in page
    assert 'data-conversation-id="&#34;&gt;&lt;svg onload=alert(2)&gt;"' in page


async def test_sign_in_redirects_a_signed_in_agent_only_inside_the_console(
    signed_in: SignedIn, agent: Agent
) -> None:
    browser = await signed_in(agent.email)
    inside = await browser.get("/console/sign-in?next=/console/supervisor")
    assert inside.status_code == 303
    assert inside.headers["location"] == "/console/supervisor"
    for evil in ["//evil.example/console", "https://evil.example", "/console//evil.example"]:
        response = await browser.get("/console/sign-in", params={"next": evil})
        assert response.headers["location"] == "/console", evil


async def test_sign_in_page_keeps_next_as_an_escaped_attribute(client: httpx.AsyncClient) -> None:
    response = await client.get("/console/sign-in", params={"next": '/console"><script>x'})
    assert response.status_code == 200
    assert 'data-next="/console"' in response.text
    assert "<script>x" not in response.text


async def test_ticket_page_points_the_side_panel_at_the_requester(
    client: httpx.AsyncClient,
    signed_in: SignedIn,
    agent: Agent,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    demo_data: None,
) -> None:
    async with sessionmaker() as session:
        await ensure_default_policies(session, await ensure_default_teams(session))
        await session.commit()
    token = encode_customer_token(
        CustomerClaims(sub="U1001", email="alice@example.com", lang="en"),
        settings.customer_token_secret,
        settings.customer_token_issuer,
        utcnow() + timedelta(hours=1),
    )
    created = await client.post(
        "/api/v1/customer/tickets",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "subject": "<b>Deposit</b> not credited",
            "description": "I sent 0.5 BTC and it is not there.",
            "category": "deposits_withdrawals",
        },
    )
    assert created.status_code == 201, created.text
    number = created.json()["ticket"]["number"]
    me = await client.get("/api/v1/customers/me", headers={"Authorization": f"Bearer {token}"})
    public_id = me.json()["customer"]["public_id"]

    browser = await signed_in(agent.email)
    page = (await browser.get(f"/console/tickets/{number}")).text
    assert f'data-ticket-number="{number}"' in page
    assert f'data-customer-id="{public_id}"' in page
    for testid in [
        "sla-first-response",
        "sla-resolution",
        "status-select",
        "escalate",
        "reply-input",
        "customer-context",
    ]:
        assert f'data-testid="{testid}"' in page

    missing = await browser.get("/console/tickets/999999")
    assert missing.status_code == 200
    assert "data-customer-id" not in missing.text
    assert (await browser.get("/console/tickets/not-a-number")).status_code == 422


def test_locale_files_have_the_same_keys_and_cover_the_templates() -> None:
    english = yaml.safe_load((LOCALES / "en.console.yaml").read_text(encoding="utf-8"))
    chinese = yaml.safe_load((LOCALES / "zh.console.yaml").read_text(encoding="utf-8"))
    assert set(english) == set(chinese)
    assert all(key.startswith("console_") for key in english)
    used: set[str] = set()
    for template in Path(TEMPLATES_DIR).glob("console_*.html"):
        used |= set(re.findall(r"t\(lang, '(console_[a-z_]+)'", template.read_text()))
    script = console_script()
    used |= {f"console_{key}" for key in re.findall(r'\bt\("([a-z_]+)"', script)}
    # `t("status_" + value)` and the like name a family of keys: each needs members.
    families = {key for key in used if key.endswith("_")}
    missing = sorted(key for key in used - families if key not in english)
    assert missing == []
    for family in families:
        assert any(key.startswith(family) for key in english), family
    for status in [
        "bot",
        "queued",
        "assigned",
        "resolved",
        "closed",
        "new",
        "open",
        "pending_customer",
        "on_hold",
        "escalated",
    ]:
        assert f"console_status_{status}" in english


def console_script() -> str:
    """The console's modules, all of them."""
    modules = sorted((Path(STATIC_DIR) / "console").glob("*.js"))
    assert len(modules) > 1
    return "\n".join(module.read_text() for module in modules)


def test_the_script_never_writes_markup() -> None:
    script = console_script()
    code = re.sub(r"/\*.*?\*/", "", script, flags=re.S)
    for sink in [".innerHTML", ".outerHTML", "insertAdjacentHTML", "document.write", "eval("]:
        assert sink not in code, sink


async def test_static_assets_are_served(client: httpx.AsyncClient) -> None:
    main = await client.get("/static/console/main.js")
    assert main.status_code == 200
    assert "javascript" in main.headers["content-type"]
    # Every module main.js imports, and every module those import, is served as JavaScript.
    pending, seen = re.findall(r'from "\./([a-z_]+\.js)"', main.text), set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        module = await client.get(f"/static/console/{name}")
        assert module.status_code == 200, name
        assert "javascript" in module.headers["content-type"]
        pending += re.findall(r'from "\./([a-z_]+\.js)"', module.text)
    assert {"core.js", "inbox.js", "conversation.js", "ticket.js"} <= seen
    style = await client.get("/static/console.css")
    assert style.status_code == 200
