"""Agents' replies and macros that ask a customer for a secret are blocked and logged."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tickets.conftest import Desk, new_ticket


@pytest.mark.parametrize(
    ("agent", "text", "reason"),
    [
        (
            "emma@example.com",
            "To verify you, please send me your Google Authenticator code.",
            "ask_otp_code",
        ),
        ("lina@example.com", "为了核实身份，请把您的登录密码发给我。", "ask_password"),
        ("lina@example.com", "请提供您的助记词，我们帮您恢复钱包", "ask_seed_phrase"),
        (
            "emma@example.com",
            "Please install AnyDesk so I can check your screen.",
            "ask_remote_access",
        ),
    ],
)
async def test_forbidden_asks_are_blocked_and_logged(
    desk: Desk, make_client: Any, agent: str, text: str, reason: str
) -> None:
    customer = await make_client(customer="U1001")
    created = await customer.post("/api/v1/customer/tickets", json=new_ticket())
    number = created.json()["ticket"]["number"]
    staff = await make_client(agent=agent)
    blocked = await staff.post(f"/api/v1/tickets/{number}/replies", json={"body": text})
    assert blocked.status_code == 422, blocked.text
    error = blocked.json()["error"]
    assert error["code"] == "outbound_blocked"
    assert error["details"]["reason_code"] == reason
    assert error["details"]["zh"] and error["details"]["en"]
    detail = (await customer.get(f"/api/v1/customer/tickets/{number}")).json()
    assert text not in str(detail)  # nothing reached the customer

    supervisor = await make_client(agent="sam@example.com")
    log = (await supervisor.get("/api/v1/security/guard-log")).json()
    assert log[0]["details"]["reason"] == reason
    assert log[0]["object_id"] == str(number)
    plain = await make_client(agent="emma@example.com")
    assert (await plain.get("/api/v1/security/guard-log")).status_code == 403


async def test_ordinary_replies_go_through(desk: Desk, make_client: Any) -> None:
    customer = await make_client(customer="U1001")
    number = (await customer.post("/api/v1/customer/tickets", json=new_ticket())).json()["ticket"][
        "number"
    ]
    staff = await make_client(agent="emma@example.com")
    for text in (
        "Please send the TxID and a screenshot of the withdrawal page.",
        "Never share your password or 2FA codes with anyone, including us.",
        "请在App里自己输入验证码完成验证，不要告诉任何人。",
    ):
        response = await staff.post(f"/api/v1/tickets/{number}/replies", json={"body": text})
        assert response.status_code == 200, (text, response.text)


async def test_a_macro_that_asks_for_a_secret_cannot_be_created(
    desk: Desk, make_client: Any
) -> None:
    staff = await make_client(agent="sam@example.com")
    response = await staff.post(
        "/api/v1/macros",
        json={
            "name": "verify",
            "bodies": {
                "en": "Hi {{customer.name}}, reply with your SMS code.",
                "zh": "您好，请回复短信验证码。",
            },
        },
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "outbound_blocked"
    fine = await staff.post(
        "/api/v1/macros",
        json={"name": "txid", "bodies": {"en": "Please send the TxID.", "zh": "请提供 TxID。"}},
    )
    assert fine.status_code == 201


async def test_a_final_reply_that_asks_for_a_secret_does_not_resolve_the_ticket(
    desk: Desk, make_client: Any
) -> None:
    customer = await make_client(customer="U1001")
    number = (await customer.post("/api/v1/customer/tickets", json=new_ticket())).json()["ticket"][
        "number"
    ]
    staff = await make_client(agent="emma@example.com")
    text = "Before I close this, please send me your 2FA code."
    blocked = await staff.post(f"/api/v1/tickets/{number}/resolve", json={"reply": text})
    assert blocked.status_code == 422, blocked.text
    assert blocked.json()["error"]["code"] == "outbound_blocked"
    detail = (await customer.get(f"/api/v1/customer/tickets/{number}")).json()
    assert detail["status"] != "resolved"
    assert text not in str(detail)

    fine = await staff.post(
        f"/api/v1/tickets/{number}/resolve", json={"reply": "Your deposit is credited now."}
    )
    assert fine.status_code == 200, fine.text
    assert fine.json()["status"] == "resolved"
