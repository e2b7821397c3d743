"""Routing: category to team, language to speakers, VIP to the account manager, load."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.accounts.models import Customer
from lifeline.tickets.routing import Candidate, choose_agent
from tests.support.factories import make_agent
from tests.tickets.conftest import Desk, new_ticket

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_only_speakers_of_the_language_are_chosen() -> None:
    candidates = [
        Candidate(1, ("en",), capacity=3, load=0),
        Candidate(2, ("zh", "en"), capacity=3, load=5),
    ]
    assert choose_agent(candidates, "zh") == 2
    assert choose_agent(candidates, "zh-CN") == 2
    assert choose_agent(candidates, "en") == 1
    assert choose_agent(candidates, "fr") is None


def test_agents_at_capacity_get_nothing() -> None:
    full = Candidate(1, ("en",), capacity=1, load=10)
    assert choose_agent([full], "en") is None
    assert choose_agent([full, Candidate(2, ("en",), capacity=1, load=9)], "en") == 2


def test_least_loaded_relative_to_capacity_wins() -> None:
    candidates = [
        Candidate(1, ("en",), capacity=1, load=5),  # half full
        Candidate(2, ("en",), capacity=4, load=10),  # a quarter full
    ]
    assert choose_agent(candidates, "en") == 2


def test_round_robin_among_equals() -> None:
    candidates = [
        Candidate(1, ("en",), capacity=3, load=0, last_assigned_at=T0 + timedelta(minutes=5)),
        Candidate(2, ("en",), capacity=3, load=0, last_assigned_at=T0),
        Candidate(3, ("en",), capacity=3, load=0, last_assigned_at=T0 + timedelta(minutes=1)),
    ]
    assert choose_agent(candidates, "en") == 2
    never = Candidate(4, ("en",), capacity=3, load=0, last_assigned_at=None)
    assert choose_agent([*candidates, never], "en") == 4


async def _assignee(make_client: Any, number: int) -> tuple[str | None, int | None]:
    sam = await make_client(agent="sam@example.com")
    detail = (await sam.get(f"/api/v1/tickets/{number}")).json()
    return detail["team"], detail["assignee"]["id"] if detail["assignee"] else None


async def test_category_goes_to_its_team(desk: Desk, make_client: Any) -> None:
    alice = await make_client(customer="U1001")
    security = await alice.post(
        "/api/v1/customer/tickets",
        json=new_ticket(
            subject="Login alert",
            description="Strange login from another country",
            category="account_security",
            fields={},
        ),
    )
    assert await _assignee(make_client, security.json()["ticket"]["number"]) == (
        "account-security",
        desk.omar.id,
    )
    kyc = await alice.post(
        "/api/v1/customer/tickets",
        json=new_ticket(
            subject="KYC stuck",
            description="My identity verification is pending for days",
            category="identity_verification",
            fields={},
        ),
    )
    assert await _assignee(make_client, kyc.json()["ticket"]["number"]) == (
        "identity-verification",
        desk.lina.id,
    )


async def test_chinese_tickets_go_to_chinese_speakers(desk: Desk, make_client: Any) -> None:
    wei = await make_client(customer="U1002", lang="zh")
    response = await wei.post(
        "/api/v1/customer/tickets",
        json=new_ticket(subject="充值未到账", description="我的USDT充值两个小时了还没到账"),
    )
    # funds has emma (en only), lina (zh) and sam (supervisor, zh): the least loaded speaker.
    team, assignee = await _assignee(make_client, response.json()["ticket"]["number"])
    assert team == "funds"
    assert assignee in {desk.lina.id, desk.sam.id}
    assert assignee != desk.emma.id


async def test_round_robin_spreads_tickets(desk: Desk, make_client: Any) -> None:
    assignees = []
    for index, user in enumerate(["U2001", "U2002", "U2003", "U2004"]):
        customer = await make_client(customer=user)
        response = await customer.post(
            "/api/v1/customer/tickets",
            json=new_ticket(fields={"txid": f"{index:064x}"}),
        )
        assignees.append((await _assignee(make_client, response.json()["ticket"]["number"]))[1])
    # Three English speakers in funds (emma, lina, sam) share the load before anyone repeats.
    assert set(assignees[:3]) == {desk.emma.id, desk.lina.id, desk.sam.id}


async def test_vip_goes_to_the_account_manager(
    desk: Desk, make_client: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    grace = await make_client(customer="U1004", vip_tier=2)
    # The exchange names the account manager in the customer's attributes.
    await grace.get("/api/v1/customer/tickets")
    from sqlalchemy import select

    async with sessionmaker() as session:
        customer = await session.scalar(select(Customer).where(Customer.external_id == "U1004"))
        assert customer is not None
        customer.attributes = {"account_manager": "sophie@example.com"}
        await session.commit()
    response = await grace.post(
        "/api/v1/customer/tickets",
        json=new_ticket(subject="Spot order", description="Order rejected", category="trading"),
    )
    assert await _assignee(make_client, response.json()["ticket"]["number"]) == (
        "vip",
        desk.sophie.id,
    )


async def test_vip_without_a_manager_goes_to_the_vip_team(desk: Desk, make_client: Any) -> None:
    grace = await make_client(customer="U1004", vip_tier=1)
    response = await grace.post("/api/v1/customer/tickets", json=new_ticket())
    assert await _assignee(make_client, response.json()["ticket"]["number"]) == (
        "vip",
        desk.sophie.id,
    )


async def test_nobody_with_room_leaves_the_ticket_in_the_team_queue(
    desk: Desk, make_client: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    # Nobody in P2P: queued for the team, unassigned.
    alice = await make_client(customer="U1001")
    response = await alice.post(
        "/api/v1/customer/tickets",
        json=new_ticket(
            subject="P2P dispute", description="Seller did not release", category="p2p"
        ),
    )
    assert await _assignee(make_client, response.json()["ticket"]["number"]) == ("p2p", None)
    await make_agent(sessionmaker, "pia@example.com", teams=("p2p",))
    emma = await make_client(agent="emma@example.com")
    unassigned = (await emma.get("/api/v1/tickets", params={"view": "unassigned"})).json()
    assert unassigned["items"] == []  # emma is not in p2p
    pia = await make_client(agent="pia@example.com")
    queue = (await pia.get("/api/v1/tickets", params={"view": "unassigned"})).json()
    assert [item["number"] for item in queue["items"]] == [response.json()["ticket"]["number"]]


async def test_manual_assignment_and_transfer(desk: Desk, make_client: Any) -> None:
    alice = await make_client(customer="U1001")
    number = (await alice.post("/api/v1/customer/tickets", json=new_ticket())).json()["ticket"][
        "number"
    ]
    emma = await make_client(agent="emma@example.com")
    assigned = await emma.post(f"/api/v1/tickets/{number}/assign", json={"agent_id": desk.lina.id})
    assert assigned.json()["assignee"]["id"] == desk.lina.id
    moved = await emma.post(
        f"/api/v1/tickets/{number}/transfer",
        json={"team": "account-security", "reason": "looks like account takeover"},
    )
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert body["team"] == "account-security"
    assert body["assignee"]["id"] == desk.omar.id
    assert [e["event"] for e in body["entries"]][-2:] == ["assign", "transfer"]
    unknown = await emma.post(
        f"/api/v1/tickets/{number}/transfer", json={"team": "nowhere", "reason": "x"}
    )
    assert unknown.status_code == 422


async def test_vip_security_cases_still_go_to_security(desk: Desk, make_client: Any) -> None:
    grace = await make_client(customer="U1004", vip_tier=2)
    response = await grace.post(
        "/api/v1/customer/tickets",
        json=new_ticket(
            subject="Unknown API key",
            description="An API key I never made appeared",
            category="account_security",
            fields={},
        ),
    )
    assert await _assignee(make_client, response.json()["ticket"]["number"]) == (
        "account-security",
        desk.omar.id,
    )


async def test_agent_load_counters_follow_every_change(
    desk: Desk, make_client: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    from sqlalchemy import func, select, update

    from lifeline.tickets import repository
    from lifeline.tickets.models import RoutingState, Ticket

    async def counters() -> tuple[dict[int, int], dict[int, int]]:
        async with sessionmaker() as session:
            kept = {
                row.agent_id: row.active_tickets
                for row in (await session.scalars(select(RoutingState))).all()
                if row.active_tickets
            }
            rows = await session.execute(
                select(Ticket.assignee_id, func.count())
                .where(Ticket.active.is_(True), Ticket.assignee_id.is_not(None))
                .group_by(Ticket.assignee_id)
            )
            actual = {int(agent): int(count) for agent, count in rows.all() if agent}
        return kept, actual

    numbers = []
    customer = await make_client(customer="U3000")
    for index in range(4):
        response = await customer.post(
            "/api/v1/customer/tickets", json=new_ticket(fields={"txid": f"{index:064x}"})
        )
        numbers.append(response.json()["ticket"]["number"])
    emma = await make_client(agent="emma@example.com")
    await emma.post(f"/api/v1/tickets/{numbers[0]}/assign", json={"agent_id": desk.lina.id})
    await emma.post(f"/api/v1/tickets/{numbers[1]}/resolve", json={})
    await emma.post(f"/api/v1/tickets/{numbers[1]}/reopen", json={})
    await emma.post(f"/api/v1/tickets/{numbers[2]}/status", json={"status": "closed"})
    await emma.post(
        f"/api/v1/tickets/{numbers[3]}/escalate", json={"reason": "x", "to_supervisor": True}
    )
    await emma.post(f"/api/v1/tickets/{numbers[3]}/merge", json={"into": numbers[0]})
    await emma.post(
        f"/api/v1/tickets/{numbers[0]}/transfer", json={"team": "account-security", "reason": "x"}
    )
    kept, actual = await counters()
    assert kept == actual
    assert sum(actual.values()) == 2
    async with sessionmaker() as session:
        await session.execute(update(RoutingState).values(active_tickets=99))
        await repository.recount_load(session)
        await session.commit()
    assert (await counters())[0] == actual
