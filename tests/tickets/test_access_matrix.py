"""Insecure direct object references, object type by object type: customer B probing customer
A's things by id, and agents probing what their role does not grant."""

from __future__ import annotations

from typing import Any

from tests.tickets.conftest import Desk, new_ticket

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


async def test_customer_b_cannot_reach_any_of_customer_a_objects(
    desk: Desk, make_client: Any, demo_data: None
) -> None:
    alice = await make_client(customer="U1001")
    wei = await make_client(customer="U1002", lang="zh")
    upload = await alice.post(
        "/api/v1/customer/attachments", files={"file": ("proof.png", PNG, "image/png")}
    )
    assert upload.status_code == 201, upload.text
    attachment = upload.json()["public_id"]
    ticket = (
        await alice.post("/api/v1/customer/tickets", json=new_ticket(attachment_ids=[attachment]))
    ).json()["ticket"]["number"]
    conversation = (await alice.post("/api/v1/conversations", json={})).json()["public_id"]

    probes = [
        ("GET", f"/api/v1/customer/tickets/{ticket}", None),
        ("POST", f"/api/v1/customer/tickets/{ticket}/replies", {"body": "hi"}),
        ("POST", f"/api/v1/customer/tickets/{ticket}/supervisor", {"reason": "x"}),
        ("GET", f"/api/v1/customer/tickets/{ticket}/attachments/{attachment}", None),
        ("GET", f"/api/v1/conversations/{conversation}", None),
        ("POST", f"/api/v1/conversations/{conversation}/messages", {"text": "hi"}),
    ]
    for method, path, body in probes:
        response = await wei.request(method, path, json=body)
        # Missing rather than forbidden: an id reveals nothing about what exists.
        assert response.status_code == 404, (method, path, response.status_code)
    assert ticket not in [t["number"] for t in (await wei.get("/api/v1/customer/tickets")).json()]
    # Attaching someone else's upload to one's own ticket is refused too.
    stolen = await wei.post(
        "/api/v1/customer/tickets", json=new_ticket(attachment_ids=[attachment])
    )
    assert stolen.status_code in {403, 404, 422}
    # Staff endpoints do not accept a customer token at all.
    for path in (
        f"/api/v1/tickets/{ticket}",
        "/api/v1/audit",
        "/api/v1/security/guard-log",
        "/api/v1/kb/manage/articles",
        "/api/v1/notifications",
    ):
        assert (await wei.get(path)).status_code in {401, 403}, path


async def test_roles_only_reach_what_they_grant(desk: Desk, make_client: Any) -> None:
    agent = await make_client(agent="emma@example.com")
    for method, path, body in (
        ("GET", "/api/v1/audit", None),
        ("GET", "/api/v1/agents", None),
        ("POST", "/api/v1/api-tokens", {"name": "x", "scopes": ["audit:read"]}),
        ("DELETE", "/api/v1/api-tokens/1", None),
        ("POST", "/api/v1/security/accounts/U1001/unfreeze", {"verification": "none at all"}),
        ("GET", "/api/v1/kb/gaps", None),
        ("POST", "/api/v1/kb/manage/articles/deposit-not-credited/publish", None),
        ("GET", "/api/v1/security/guard-log", None),
    ):
        response = await agent.request(method, path, json=body)
        assert response.status_code == 403, (method, path, response.status_code)
