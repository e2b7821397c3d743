"""The customer's side: place in the queue and the wait, files in the chat, rating, and
nobody else's conversation reachable."""

from __future__ import annotations

import httpx
import pytest

from lifeline.config import Settings
from lifeline.exchange import demo_data as d
from tests.attachments import samples
from tests.livechat.conftest import CustomerClient, Desk


async def _upload(
    customer: CustomerClient, chat: str, content: bytes, name: str = "shot.png"
) -> httpx.Response:
    return await customer.client.post(
        f"/api/v1/conversations/{chat}/attachments",
        files={"file": (name, content, "image/png")},
        data={"text": "here is the screenshot"},
    )


async def test_positions_and_estimated_waits(desk: Desk) -> None:
    customers = [await desk.customer(user) for user in ("U4001", "U4002", "U4003")]
    chats = [await desk.queued_chat(customer, team=None) for customer in customers]

    async def statuses() -> list[dict[str, object]]:
        return [await c.queue(chat) for c, chat in zip(customers, chats, strict=True)]

    waiting = await statuses()
    assert [s["position"] for s in waiting] == [1, 2, 3]
    # Nobody online: position x default handle time (300 s) / max(1, 0).
    assert [s["estimated_wait_seconds"] for s in waiting] == [300, 600, 900]
    assert waiting[0]["status"] == "queued" and waiting[0]["agent"] is None
    # Two English speakers online, though busy, share the queue: the wait halves.
    for email in ("emma@example.com", "lina@example.com"):
        agent = await desk.agent(email, capacity=1, online=False)
        busy = await desk.queued_chat(await desk.customer(f"U5-{email[:4]}"), team=None)
        assert (await agent.post(f"/conversations/{busy}/accept")).status_code == 200
        await agent.presence("online")
    waiting = await statuses()
    assert [s["position"] for s in waiting] == [1, 2, 3]
    assert [s["estimated_wait_seconds"] for s in waiting] == [150, 300, 450]


async def test_a_chinese_chat_is_counted_among_chinese_chats(desk: Desk) -> None:
    await desk.queued_chat(await desk.customer("U4001"), team=None)
    wei = await desk.customer("U1002", "zh")
    chat = await desk.queued_chat(wei, lang="zh", team=None)
    assert (await wei.queue(chat))["position"] == 1


async def test_rating_only_once_and_only_when_resolved(desk: Desk) -> None:
    agent = await desk.agent("emma@example.com")
    customer = await desk.customer()
    chat = await desk.queued_chat(customer)
    path = f"/api/v1/conversations/{chat}/rating"
    early = await customer.client.post(path, json={"score": 5})
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_resolved"
    await agent.post(f"/conversations/{chat}/wrap-up", {"outcome": "resolved"})
    assert (await customer.client.post(path, json={"score": 6})).status_code == 422
    rated = await customer.client.post(path, json={"score": 4, "comment": " quick, thanks "})
    assert rated.status_code == 200, rated.text
    assert rated.json() == {"score": 4, "comment": "quick, thanks"}
    again = await customer.client.post(path, json={"score": 1})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_rated"
    detail = await agent.chat(chat)
    assert detail["rating"] == 4 and detail["rating_comment"] == "quick, thanks"


async def test_files_in_the_chat(desk: Desk) -> None:
    agent = await desk.agent("emma@example.com")
    customer = await desk.customer()
    chat = await desk.queued_chat(customer)
    sent = await _upload(customer, chat, samples.png(), name="../../etc/my shot<1>.PNG")
    assert sent.status_code == 201, sent.text
    attachment = sent.json()["meta"]["attachment"]
    assert attachment["content_type"] == "image/png"
    assert attachment["filename"] == "my shot_1.png"
    assert sent.json()["body"] == "here is the screenshot"
    path = f"/api/v1/conversations/{chat}/attachments/{attachment['public_id']}"
    downloaded = await customer.client.get(path)
    assert downloaded.status_code == 200
    assert downloaded.content == samples.png()
    assert downloaded.headers["x-content-type-options"] == "nosniff"
    assert downloaded.headers["content-disposition"].startswith("attachment")
    staff_copy = await agent.client.get(
        f"/api/v1/agent/conversations/{chat}/attachments/{attachment['public_id']}"
    )
    assert staff_copy.status_code == 200 and staff_copy.content == samples.png()
    detail = await agent.chat(chat)
    assert detail["messages"][-1]["meta"]["attachment"]["public_id"] == attachment["public_id"]


@pytest.mark.parametrize(
    ("content", "name", "status"),
    [
        (samples.HTML, "invoice.png", 415),
        (samples.EXE, "statement.pdf", 415),
        (samples.png(extra=10 * 1024 * 1024), "big.png", 413),
    ],
    ids=["html-as-png", "exe-as-pdf", "oversize"],
)
async def test_disguised_or_oversize_files_are_refused(
    desk: Desk, content: bytes, name: str, status: int
) -> None:
    customer = await desk.customer()
    chat = await desk.queued_chat(customer)
    refused = await _upload(customer, chat, content, name)
    assert refused.status_code == status, refused.text
    assert all("attachment" not in m["meta"] for m in await customer.messages(chat))


async def test_someone_elses_chat_is_out_of_reach(desk: Desk) -> None:
    agent = await desk.agent("emma@example.com")
    alice = await desk.customer("U1001")
    mallory = await desk.customer("U6666")
    chat = await desk.queued_chat(alice)
    sent = await _upload(alice, chat, samples.png())
    public_id = sent.json()["meta"]["attachment"]["public_id"]
    await agent.post(f"/conversations/{chat}/wrap-up", {"outcome": "resolved"})
    base = f"/api/v1/conversations/{chat}"
    assert (await mallory.client.get(f"{base}/queue")).status_code == 404
    assert (await mallory.client.get(f"{base}/attachments/{public_id}")).status_code == 404
    assert (await mallory.client.post(f"{base}/rating", json={"score": 1})).status_code == 404
    assert (await _upload(mallory, chat, samples.png())).status_code == 404
    # Mallory's own chat does not open Alice's file either.
    own = await desk.queued_chat(mallory)
    leak = await mallory.client.get(f"/api/v1/conversations/{own}/attachments/{public_id}")
    assert leak.status_code == 404
    anonymous = await desk.customer("U1001")
    anonymous.client.headers.pop("Authorization")
    assert (await anonymous.client.get(f"{base}/queue")).status_code == 401
    # Customers are not staff.
    assert (await alice.client.get("/api/v1/agent/conversations")).status_code == 401


async def test_the_assistant_hand_off_queues_and_routes_the_chat(
    desk: Desk, settings: Settings, demo_data: None
) -> None:
    agent = await desk.agent("emma@example.com", teams=("funds",))
    customer = await desk.customer(d.ALICE)
    started = await customer.client.post("/api/v1/conversations", json={"language": "en"})
    chat = started.json()["public_id"]
    for text in (
        f"deposit not showing up, txid {d.DEPOSIT_CONFIRMING_TXID}",
        "I want to talk to a real person please",
    ):
        response = await customer.client.post(
            f"/api/v1/conversations/{chat}/messages", json={"text": text}
        )
        assert response.status_code == 201, response.text
    assert response.json()["reply"]["handoff"]["state"] == "queued"
    detail = await agent.chat(chat)
    assert detail["status"] == "assigned" and detail["assigned_agent"]["id"] == agent.id
    assert detail["team"] == "funds"
    assert detail["handoff"]["entities"]["txid"] == [d.DEPOSIT_CONFIRMING_TXID]
    assert detail["customer"]["user_id"] == d.ALICE
    follow_up = await customer.client.post(
        f"/api/v1/conversations/{chat}/messages", json={"text": "hello? anyone there"}
    )
    assert follow_up.json()["reply"] is None
