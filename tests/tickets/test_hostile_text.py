"""Script payloads in every customer text field come back as inert data: JSON served with
nosniff (never sniffed into HTML), and escaped wherever a page shows text."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tickets.conftest import Desk, new_ticket

PAYLOADS = [
    "<script>alert(document.cookie)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_ticket_and_chat_text_fields(desk: Desk, make_client: Any, payload: str) -> None:
    customer = await make_client(customer="U1001")
    created = await customer.post(
        "/api/v1/customer/tickets",
        json=new_ticket(subject=f"Help {payload}", description=f"My deposit {payload} is late"),
    )
    number = created.json()["ticket"]["number"]
    await customer.post(f"/api/v1/customer/tickets/{number}/replies", json={"body": payload})
    detail = await customer.get(f"/api/v1/customer/tickets/{number}")
    assert detail.headers["content-type"].startswith("application/json")
    assert detail.headers["x-content-type-options"] == "nosniff"
    assert payload in detail.json()["subject"]  # stored as text, not interpreted

    conversation = (await customer.post("/api/v1/conversations", json={})).json()["public_id"]
    posted = await customer.post(
        f"/api/v1/conversations/{conversation}/messages", json={"text": payload}
    )
    assert posted.headers["content-type"].startswith("application/json")
    assert "<script" not in (posted.json()["reply"] or {}).get("text", "")

    page = await customer.get("/help/en/search", params={"q": payload})
    if "<" in payload:
        assert payload not in page.text  # the page escapes what it echoes
    assert 'href="javascript:' not in page.text
