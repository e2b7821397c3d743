"""The customer's pages in both languages: the chat launcher on each, CSP-compatible markup,
the sign-in holder, tickets rendered inert, and the satisfaction survey page."""

from __future__ import annotations

from html.parser import HTMLParser

import httpx
import pytest

from lifeline.context import AppContext
from lifeline.db import transaction
from lifeline.security.audit import Actor
from lifeline.tickets import lifecycle, repository
from lifeline.web.customer_pages import CUSTOMER_COOKIE
from tests.web.conftest import CustomerClient, ticket_body

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class _Markup(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.inline_script_text: list[str] = []
        self.inline_handlers: list[str] = []
        self.style_attributes: list[str] = []
        self.ids: set[str] = set()
        self.testids: set[str] = set()
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, _ in attrs:
            if name.startswith("on"):
                self.inline_handlers.append(f"{tag} {name}")
            if name == "style":
                self.style_attributes.append(tag)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if values.get("data-testid"):
            self.testids.add(str(values["data-testid"]))
        if tag == "script":
            self.scripts.append(values)
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_script_text.append(data)


def parse(html: str) -> _Markup:
    markup = _Markup()
    markup.feed(html)
    return markup


def assert_csp_compatible(response: httpx.Response) -> _Markup:
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp
    markup = parse(response.text)
    assert markup.inline_script_text == []
    assert markup.inline_handlers == []
    assert markup.style_attributes == []
    for script in markup.scripts:
        assert str(script.get("src", "")).startswith("/static/"), script
    return markup


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("path", ["", "verify", "freeze", "account", "search?q=deposit"])
async def test_every_page_has_the_chat_launcher(
    client: httpx.AsyncClient, lang: str, path: str
) -> None:
    response = await client.get(f"/help/{lang}/{path}")
    assert response.status_code == 200
    markup = assert_csp_compatible(response)
    assert {"lifeline-launcher", "lifeline-widget", "lifeline-panel"} <= markup.ids
    assert {
        "chat-input",
        "chat-send",
        "queue-position",
        "csat-form",
        "chat-file",
        "menu-verify",
        "menu-freeze",
    } <= markup.testids
    assert {"src": "/static/widget.js", "defer": None} in markup.scripts
    assert f'data-lang="{lang}"' in response.text
    assert f'href="/help/{lang}/tickets"' in response.text
    assert f'href="/help/{lang}/tickets/new"' in response.text
    launcher_label = "在线咨询" if lang == "zh" else "Chat with us"
    assert launcher_label in response.text


async def test_the_scripts_and_styles_are_served(client: httpx.AsyncClient) -> None:
    for name in ("widget.js", "customer.js"):
        script = await client.get(f"/static/{name}")
        assert script.status_code == 200
        assert "javascript" in script.headers["content-type"]
        # Text from people is only ever set with textContent.
        assert "innerHTML" not in script.text and "insertAdjacentHTML" not in script.text
    assert (await client.get("/static/widget.css")).status_code == 200


async def test_ticket_pages_send_the_signed_out_to_the_account_page(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/help/en/tickets", "/help/zh/tickets/new", "/help/en/tickets/100001"):
        response = await client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith(
            f"/help/{path.split('/')[2]}/account?next=/help/"
        )
    client.cookies.set(CUSTOMER_COOKIE, "not-a-token")
    expired = await client.get("/help/en/tickets")
    assert expired.status_code == 303


async def test_demo_token_endpoint_is_absent_unless_demo_sign_in(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/api/v1/demo/customer-token", json={"user_id": "U1001"})
    assert response.status_code == 404
    page = await client.get("/help/en/account")
    assert "demo-sign-in" not in page.text


async def test_demo_token_signs_in_a_demo_customer(demo_client: httpx.AsyncClient) -> None:
    page = await demo_client.get("/help/zh/account")
    assert page.status_code == 200
    assert 'data-user-id="U1002"' in page.text and "王伟" in page.text
    assert_csp_compatible(page)
    response = await demo_client.post("/api/v1/demo/customer-token", json={"user_id": "U1002"})
    assert response.status_code == 200, response.text
    token = response.json()["token"]
    me = await demo_client.get("/api/v1/customers/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["customer"]["external_id"] == "U1002"
    assert me.json()["customer"]["preferred_language"] == "zh"
    unknown = await demo_client.post("/api/v1/demo/customer-token", json={"user_id": "U9999"})
    assert unknown.status_code == 404
    invalid = await demo_client.post("/api/v1/demo/customer-token", json={"user_id": ""})
    assert invalid.status_code == 422


async def test_duplicate_check_points_to_the_open_ticket(
    client: httpx.AsyncClient, customer_client: CustomerClient
) -> None:
    alice = await customer_client("U1001")
    check = ticket_body(subject="Where is my deposit", description="Still missing")
    before = await alice.post("/api/v1/customer/tickets/check-duplicate", json=check)
    assert before.status_code == 200, before.text
    assert before.json() == {"duplicate": False, "ticket": None}
    created = await alice.post("/api/v1/customer/tickets", json=ticket_body())
    assert created.status_code == 201, created.text
    number = created.json()["ticket"]["number"]
    same_txid = await alice.post(
        "/api/v1/customer/tickets/check-duplicate",
        json=ticket_body(subject="Where is my deposit", fields={"txid": "A" * 64}),
    )
    assert same_txid.json()["duplicate"] is True
    assert same_txid.json()["ticket"]["number"] == number
    assert same_txid.json()["ticket"]["status"] == "new"
    other_txid = await alice.post(
        "/api/v1/customer/tickets/check-duplicate", json=ticket_body(fields={"txid": "b" * 64})
    )
    assert other_txid.json()["duplicate"] is False
    # Another customer's open tickets are never a match, nor revealed.
    bob = await customer_client("U1003")
    theirs = await bob.post("/api/v1/customer/tickets/check-duplicate", json=ticket_body())
    assert theirs.json() == {"duplicate": False, "ticket": None}
    assert (
        await client.post("/api/v1/customer/tickets/check-duplicate", json=ticket_body())
    ).status_code == 401
    wrong = await alice.post(
        "/api/v1/customer/tickets/check-duplicate", json=ticket_body(category="nonsense")
    )
    assert wrong.status_code == 422
    visitor = (await client.post("/api/v1/visitors", json={"language": "en"})).json()["token"]
    anonymous = await client.post(
        "/api/v1/customer/tickets/check-duplicate",
        json=ticket_body(),
        headers={"X-Visitor-Token": visitor},
    )
    assert anonymous.status_code == 422


async def test_my_tickets_render_a_hostile_title_inert(
    customer_client: CustomerClient,
) -> None:
    alice = await customer_client("U1001")
    created = await alice.post(
        "/api/v1/customer/tickets",
        json=ticket_body(subject=XSS, description=f"Details {XSS} here, please check"),
    )
    assert created.status_code == 201, created.text
    number = created.json()["ticket"]["number"]
    for lang in ("en", "zh"):
        listing = await alice.get(f"/help/{lang}/tickets")
        assert listing.status_code == 200
        assert_csp_compatible(listing)
        assert "&lt;script&gt;alert(" in listing.text
        assert "<img src=x" not in listing.text and "<script>alert" not in listing.text
        assert f'href="/help/{lang}/tickets/{number}"' in listing.text
        assert 'data-status="new"' in listing.text
    assert "新建" in (await alice.get("/help/zh/tickets")).text
    thread = await alice.get(f"/help/en/tickets/{number}")
    assert thread.status_code == 200
    assert_csp_compatible(thread)
    assert "<img src=x" not in thread.text and "<script>alert" not in thread.text
    assert thread.text.count("&lt;img src=x onerror=alert(1)&gt;") >= 2
    assert 'data-testid="reply-form"' in thread.text


async def test_a_ticket_page_shows_replies_but_not_internal_notes_or_others_tickets(
    customer_client: CustomerClient, context: AppContext
) -> None:
    alice = await customer_client("U1001")
    number = (await alice.post("/api/v1/customer/tickets", json=ticket_body())).json()["ticket"][
        "number"
    ]
    async with transaction(context.sessionmaker) as session:
        from lifeline.tickets import actions

        ticket = await repository.ticket_by_number(session, number)
        assert ticket is not None
        await actions.reply(session, ticket, Actor(type="agent", id="1"), "We are checking it.")
        await actions.add_note(session, ticket, Actor(type="agent", id="1"), "internal: VIP?")
    page = await alice.get(f"/help/en/tickets/{number}")
    assert "We are checking it." in page.text
    assert "internal: VIP?" not in page.text
    assert 'data-author="agent"' in page.text
    mallory = await customer_client("U1003")
    stranger = await mallory.get(f"/help/en/tickets/{number}")
    assert stranger.status_code == 404
    assert "We are checking it." not in stranger.text


async def test_new_ticket_form(customer_client: CustomerClient) -> None:
    alice = await customer_client("U1001")
    for lang, label in (("en", "Deposits &amp; withdrawals"), ("zh", "充值与提现")):
        page = await alice.get(f"/help/{lang}/tickets/new")
        assert page.status_code == 200
        markup = assert_csp_compatible(page)
        assert {
            "ticket-form",
            "ticket-subject",
            "ticket-category",
            "ticket-description",
            "ticket-files",
            "ticket-email",
            "duplicate-warning",
        } <= markup.testids
        assert 'value="deposits_withdrawals"' in page.text and label in page.text
        assert 'value="u1001@example.com"' in page.text
        assert {"src": "/static/customer.js", "defer": None} in markup.scripts


async def _survey_token(context: AppContext, customer: httpx.AsyncClient) -> tuple[str, int]:
    number = (await customer.post("/api/v1/customer/tickets", json=ticket_body())).json()["ticket"][
        "number"
    ]
    async with transaction(context.sessionmaker) as session:
        ticket = await repository.ticket_by_number(session, number)
        assert ticket is not None
        token = await lifecycle.resolve(
            session, context.settings, ticket, Actor.system(), reply_body="It is credited now."
        )
    return token, number


async def test_satisfaction_page_rates_once(
    client: httpx.AsyncClient, customer_client: CustomerClient, context: AppContext
) -> None:
    token, number = await _survey_token(context, await customer_client("U1001"))
    page = await client.get(f"/help/zh/csat/{token}")
    assert page.status_code == 200
    markup = assert_csp_compatible(page)
    assert {"survey-form", "survey-star", "survey-comment", "survey-submit"} <= markup.testids
    assert f"#{number}" in page.text and "为我们的服务评分" in page.text
    out_of_range = await client.post(f"/help/en/csat/{token}", data={"rating": "9"})
    assert out_of_range.status_code == 422
    rated = await client.post(
        f"/help/en/csat/{token}", data={"rating": "4", "comment": "Quick <b>help</b>"}
    )
    assert rated.status_code == 200
    assert 'data-testid="survey-thanks"' in rated.text
    survey = (await client.get(f"/api/v1/csat/{token}")).json()
    assert survey["used"] is True
    again = await client.post(f"/help/en/csat/{token}", data={"rating": "1"})
    assert again.status_code == 410
    assert 'data-testid="survey-used"' in again.text
    shown_used = await client.get(f"/help/en/csat/{token}")
    assert 'data-testid="survey-used"' in shown_used.text
    forged = await client.get(f"/help/en/csat/{token[:-3]}xyz")
    assert forged.status_code == 200
    assert 'data-testid="survey-invalid"' in forged.text
    assert 'data-testid="survey-form"' not in forged.text
