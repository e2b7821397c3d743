"""Who gets a waiting chat: language, team skill, VIP preference, capacity, queue order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lifeline.accounts.models import Role
from lifeline.livechat.routing import (
    Candidate,
    Waiting,
    choose,
    estimated_wait_seconds,
    queue_order_key,
)
from tests.livechat.conftest import Desk


def _agent(
    agent_id: int,
    *,
    languages: tuple[str, ...] = ("en",),
    teams: tuple[str, ...] = (),
    role: str = "agent",
    capacity: int = 3,
    active: int = 0,
) -> Candidate:
    return Candidate(
        agent_id=agent_id,
        role=role,
        languages=frozenset(languages),
        teams=frozenset(teams),
        capacity=capacity,
        active_chats=active,
    )


def _chat(
    language: str = "en", team: str | None = "funds", vip: int = 0, **extra: object
) -> Waiting:
    return Waiting(conversation_id=1, language=language, team=team, vip_tier=vip, **extra)  # type: ignore[arg-type]


def test_only_speakers_of_the_language_get_the_chat() -> None:
    english, chinese = _agent(1), _agent(2, languages=("zh", "en"))
    assert choose([english, chinese], _chat("zh")) is chinese
    assert choose([english], _chat("zh-Hans")) is None


def test_team_members_first_and_anyone_speaking_the_language_when_none_is_online() -> None:
    general, funds = _agent(1), _agent(2, teams=("funds",), active=2)
    assert choose([general, funds], _chat(team="funds")) is funds
    assert choose([general], _chat(team="funds")) is general
    # The team's member is online but full: the chat waits for the skill.
    full = _agent(2, teams=("funds",), capacity=1, active=1)
    assert choose([general, full], _chat(team="funds")) is None


def test_capacity_is_respected_and_the_least_loaded_wins() -> None:
    busy, free = _agent(1, active=3), _agent(2, active=1)
    assert choose([busy], _chat(team=None)) is None
    assert choose([busy, free], _chat(team=None)) is free
    assert choose([_agent(1, active=2), _agent(2, active=1)], _chat(team=None)).agent_id == 2  # type: ignore[union-attr]


def test_high_tier_vips_prefer_supervisors_or_the_vip_team() -> None:
    plain, supervisor = _agent(1), _agent(2, role="supervisor", active=2)
    vip_member = _agent(3, teams=("vip",), active=1)
    assert choose([plain, supervisor], _chat(team=None, vip=2)) is supervisor
    assert choose([plain, vip_member], _chat(team=None, vip=3)) is vip_member
    assert choose([plain, supervisor], _chat(team=None, vip=1)) is plain


def test_transfers_narrow_the_choice() -> None:
    plain, supervisor = _agent(1), _agent(2, role="supervisor", active=2)
    assert choose([plain, supervisor], _chat(supervisor_required=True)) is supervisor
    assert choose([plain, supervisor], _chat(required_agent_id=2)) is supervisor
    assert choose([plain], _chat(required_agent_id=2)) is None


def test_queue_order_and_wait_estimate() -> None:
    now = datetime.now(UTC)
    keys = sorted(
        [
            (queue_order_key(0, now - timedelta(minutes=9), 1), "old"),
            (queue_order_key(3, now, 2), "vip"),
            (queue_order_key(0, now - timedelta(minutes=1), 3), "new"),
        ]
    )
    assert [name for _, name in keys] == ["vip", "old", "new"]
    assert estimated_wait_seconds(3, 300, 0) == 900
    assert estimated_wait_seconds(3, 300, 2) == 450


async def test_chats_go_to_online_agents_by_language_and_skill(desk: Desk) -> None:
    emma = await desk.agent("emma@example.com", languages=("en",), teams=("general",))
    lina = await desk.agent("lina@example.com", languages=("zh", "en"), teams=("funds",))
    away = await desk.agent("away@example.com", languages=("zh",), teams=("funds",))
    await away.presence("away")
    alice, wei = await desk.customer("U1001"), await desk.customer("U1002", "zh")
    chinese = await desk.queued_chat(wei, lang="zh", team="funds")
    english = await desk.queued_chat(alice, lang="en", team="general")
    assert (await lina.chat(chinese))["assigned_agent"]["id"] == lina.id
    assert (await emma.chat(english))["assigned_agent"]["id"] == emma.id
    mine = (await lina.client.get("/api/v1/agent/conversations?view=mine")).json()
    assert [item["id"] for item in mine] == [chinese]
    assert (await wei.queue(chinese))["agent"] == {"name": lina.name}
    # The customer is told who joined, in their language.
    system = [m for m in await wei.messages(chinese) if m["sender_type"] == "system"]
    assert "已加入对话" in system[-1]["body"]


async def test_vip_tier_two_goes_to_a_supervisor_and_vips_jump_the_queue(desk: Desk) -> None:
    emma = await desk.agent("emma@example.com", capacity=1, online=False)
    sam = await desk.agent("sam@example.com", role=Role.SUPERVISOR, capacity=1, online=False)
    ordinary = await desk.queued_chat(await desk.customer("U2001"), team="general")
    vip = await desk.queued_chat(await desk.customer("U2002"), team="general", vip_tier=2)
    listed = (await emma.client.get("/api/v1/agent/conversations?view=unassigned")).json()
    assert {item["id"] for item in listed} == {ordinary, vip}
    vip_only = (await emma.client.get("/api/v1/agent/conversations?vip=true")).json()
    assert [item["id"] for item in vip_only] == [vip]
    await sam.presence("online")
    await emma.presence("online")
    assert (await sam.chat(vip))["assigned_agent"]["id"] == sam.id
    assert (await emma.chat(ordinary))["assigned_agent"]["id"] == emma.id


async def test_a_vip_without_a_supervisor_online_still_gets_an_agent(desk: Desk) -> None:
    emma = await desk.agent("emma@example.com")
    vip = await desk.queued_chat(await desk.customer("U2003"), team="general", vip_tier=3)
    assert (await emma.chat(vip))["assigned_agent"]["id"] == emma.id


async def test_highest_vip_first_then_longest_waiting_when_capacity_frees(desk: Desk) -> None:
    emma = await desk.agent("emma@example.com", capacity=1, online=False)
    first = await desk.queued_chat(await desk.customer("U3001"), team=None)
    second = await desk.queued_chat(await desk.customer("U3002"), team=None)
    vip = await desk.queued_chat(await desk.customer("U3003"), team=None, vip_tier=1)
    await emma.presence("online")
    assert (await emma.chat(vip))["status"] == "assigned"
    assert (await emma.chat(first))["status"] == "queued"
    wrapped = await emma.post(f"/conversations/{vip}/wrap-up", {"outcome": "resolved"})
    assert wrapped.status_code == 200, wrapped.text
    assert (await emma.chat(first))["assigned_agent"]["id"] == emma.id
    assert (await emma.chat(second))["status"] == "queued"
