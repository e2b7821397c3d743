from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal

import pytest
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.config import Settings
from lifeline.db import create_engine, create_sessionmaker
from lifeline.exchange import demo_data as d
from lifeline.exchange.adapter import ExchangeAdapter
from lifeline.exchange.demo import DemoExchange
from lifeline.exchange.http import ExchangeUnavailable, HttpExchange
from lifeline.exchange.reference_api import create_reference_api
from lifeline.exchange.schemas import (
    AccountState,
    DepositIssue,
    DepositStatus,
    KycStatus,
    OrderStatus,
    OrderType,
    PositionStatus,
    ReviewState,
    WithdrawalStatus,
)
from tests.support.servers import free_port

TOKEN = "reference-api-test-token"


async def check_every_demo_situation(exchange: ExchangeAdapter) -> None:
    """The situations the assistant's flows depend on, as any backend must report them."""
    confirming = await exchange.find_deposit(d.ALICE, d.DEPOSIT_CONFIRMING_TXID.upper())
    assert confirming is not None
    assert confirming.status == DepositStatus.CONFIRMING
    assert (confirming.confirmations, confirming.required_confirmations) == (3, 12)

    credited = await exchange.find_deposit(d.ALICE, d.DEPOSIT_CREDITED_TXID)
    assert credited is not None and credited.status == DepositStatus.CREDITED
    assert credited.credited_at is not None

    wrong_network = await exchange.find_deposit(d.WEI, d.DEPOSIT_WRONG_NETWORK_TXID)
    assert wrong_network is not None
    assert wrong_network.issue == DepositIssue.WRONG_NETWORK
    assert (wrong_network.network, wrong_network.sent_network) == ("ERC20", "BEP20")

    missing_memo = await exchange.find_deposit(d.WEI, d.DEPOSIT_MISSING_MEMO_TXID.lower())
    assert missing_memo is not None
    assert missing_memo.issue == DepositIssue.MISSING_MEMO and missing_memo.memo is None

    # Another customer's TxID is never found for this one.
    assert await exchange.find_deposit(d.ALICE, d.DEPOSIT_WRONG_NETWORK_TXID) is None

    review = await exchange.find_withdrawal(d.ALICE, d.WITHDRAWAL_REVIEW_ID)
    assert review is not None and review.status == WithdrawalStatus.UNDER_REVIEW
    assert review.review_state == ReviewState.DOCUMENTS_REQUESTED

    failed = await exchange.find_withdrawal(d.ALICE, d.WITHDRAWAL_FAILED_ID)
    assert failed is not None and failed.status == WithdrawalStatus.FAILED
    assert failed.failure_reason == "security_hold_after_password_change"

    sent = await exchange.find_withdrawal(d.ALICE, "0x" + d.WITHDRAWAL_SENT_TXID)
    assert sent is not None and sent.id == d.WITHDRAWAL_SENT_ID
    assert sent.explorer_url and d.WITHDRAWAL_SENT_TXID in sent.explorer_url

    rejected = await exchange.get_order(d.ALICE, d.ORDER_REJECTED_ID)
    assert rejected is not None and rejected.status == OrderStatus.REJECTED
    assert rejected.reject_reason == "insufficient_balance"

    far = await exchange.get_order(d.ALICE, d.ORDER_LIMIT_FAR_ID)
    assert far is not None and far.status == OrderStatus.OPEN
    assert far.price == Decimal(52000) and far.market_price == Decimal(97250)

    stop = await exchange.get_order(d.ALICE, d.ORDER_STOP_UNTRIGGERED_ID)
    assert stop is not None and stop.type == OrderType.STOP_LIMIT
    assert stop.status == OrderStatus.UNTRIGGERED

    filled = await exchange.get_order(d.ALICE, d.ORDER_FILLED_ID)
    assert filled is not None and filled.fee == Decimal("48.55")

    positions = {p.position_id: p for p in await exchange.list_positions(d.ALICE)}
    liquidated = positions[d.POSITION_LIQUIDATED_ID]
    assert liquidated.status == PositionStatus.LIQUIDATED and liquidated.leverage == 20
    assert liquidated.liquidation_price == Decimal(96455)
    liquidations = await exchange.list_liquidations(d.ALICE)
    assert [event.position_id for event in liquidations] == [d.POSITION_LIQUIDATED_ID]

    wei = await exchange.get_customer(d.WEI)
    assert wei is not None and wei.kyc_status == KycStatus.REJECTED
    assert wei.kyc_rejection_reason == "blurry_photo"

    bob = await exchange.find_customer_by_email("BOB@example.com")
    assert bob is not None and bob.account_status == AccountState.LOCKED
    assert bob.account_status_reason == "too_many_failed_logins"

    grace = await exchange.get_customer(d.GRACE)
    assert grace is not None and grace.vip_tier == 3 and grace.account_manager

    assert await exchange.get_customer("U-nobody") is None
    assert len(await exchange.list_deposits(d.ALICE)) == 3
    assert len(await exchange.list_withdrawals(d.ALICE, limit=2)) == 2
    assert len(await exchange.list_orders(d.ALICE)) == 4

    frozen = await exchange.freeze_account(d.ALICE, "customer_reported_theft")
    assert frozen.account_status == AccountState.FROZEN
    alice = await exchange.get_customer(d.ALICE)
    assert alice is not None and alice.account_status == AccountState.FROZEN
    # Freezing one customer leaves the others alone.
    other = await exchange.get_customer(d.MING)
    assert other is not None and other.account_status == AccountState.ACTIVE


async def test_demo_backend_reports_every_situation(
    demo_data: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await check_every_demo_situation(DemoExchange(sessionmaker))


@pytest.fixture
def reference_server(demo_data: None, settings: Settings) -> Iterator[str]:
    """A real HTTP server on loopback speaking the documented contract over the demo data.
    It runs its own event loop in a thread, so it gets an engine of its own."""
    port = free_port()
    engine = create_engine(settings, pooled=False)
    api = create_reference_api(DemoExchange(create_sessionmaker(engine)), TOKEN)
    server = uvicorn.Server(uvicorn.Config(api, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        threading.Event().wait(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    asyncio.run(engine.dispose())


@pytest.fixture
async def http_exchange(reference_server: str) -> AsyncIterator[HttpExchange]:
    exchange = HttpExchange(reference_server, TOKEN)
    yield exchange
    await exchange.aclose()


async def test_http_backend_against_a_server_speaking_the_contract(
    http_exchange: HttpExchange,
) -> None:
    await check_every_demo_situation(http_exchange)


async def test_http_backend_reports_a_bad_token_as_unavailable(reference_server: str) -> None:
    exchange = HttpExchange(reference_server, "wrong-token")
    try:
        with pytest.raises(ExchangeUnavailable):
            await exchange.get_customer(d.ALICE)
    finally:
        await exchange.aclose()


async def test_http_backend_reports_an_unreachable_exchange(tmp_path: object) -> None:
    exchange = HttpExchange(f"http://127.0.0.1:{free_port()}", TOKEN, timeout=1)
    try:
        with pytest.raises(ExchangeUnavailable):
            await asyncio.wait_for(exchange.list_deposits(d.ALICE), timeout=5)
    finally:
        await exchange.aclose()
