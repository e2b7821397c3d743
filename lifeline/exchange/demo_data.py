"""Deterministic demo data: one customer situation for each thing customers ask support about.

Times are relative to when the data is loaded, so "3 of 12 confirmations, 20 minutes ago"
stays true in a fresh demo. Every identifier is fixed, so tests and the demo can name them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from lifeline.exchange.schemas import (
    AccountState,
    CustomerProfile,
    Deposit,
    DepositIssue,
    DepositStatus,
    KycStatus,
    Liquidation,
    Order,
    OrderMarket,
    OrderStatus,
    OrderType,
    Position,
    PositionStatus,
    ReviewState,
    Withdrawal,
    WithdrawalStatus,
)

ALICE = "U1001"  # English-speaking trader: deposits, withdrawals, orders, futures
WEI = "U1002"  # Chinese-speaking customer: wrong network, missing memo, KYC rejected
BOB = "U1003"  # locked account
GRACE = "U1004"  # VIP with an account manager
MING = "U1005"  # Chinese-speaking futures trader, liquidated

# TxIDs and ids named by tests and the demo guide.
DEPOSIT_CONFIRMING_TXID = "0x8f3c5a1e9b7d2c4f6a8e0b1d3c5e7f9a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e"
DEPOSIT_CREDITED_TXID = "6a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e4f6a8b"
DEPOSIT_WRONG_NETWORK_TXID = "0x2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a0c2e4b6d8f0a1c3e5b7d9f1a2c4e6b8d0f"
DEPOSIT_MISSING_MEMO_TXID = "C6A2E4F6B8D0A1C3E5F7B9D1A3C5E7F9B0D2A4C6E8F0B1D3A5C7E9F1B2D4A6C8"
DEPOSIT_STUCK_TXID = "b7e9f1a3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e4f6"
WITHDRAWAL_REVIEW_ID = "W-50001"
WITHDRAWAL_FAILED_ID = "W-50002"
WITHDRAWAL_SENT_ID = "W-50003"
WITHDRAWAL_SENT_TXID = "9c1e3a5b7d9f0e2c4a6b8d0f1e3c5a7b9d1f2e4c6a8b0d2f4e6c8a0b2d4f6e8a"
ORDER_REJECTED_ID = "8389765487341"
ORDER_LIMIT_FAR_ID = "8389765487342"
ORDER_STOP_UNTRIGGERED_ID = "8389765487343"
ORDER_FILLED_ID = "8389765487344"
ORDER_FUTURES_REJECTED_ID = "8389765487345"
POSITION_LIQUIDATED_ID = "P-70001"
POSITION_OPEN_ID = "P-70002"
POSITION_MING_LIQUIDATED_ID = "P-70003"


@dataclass(frozen=True)
class DemoDataset:
    customers: list[CustomerProfile]
    deposits: list[Deposit]
    withdrawals: list[Withdrawal]
    orders: list[Order]
    positions: list[Position]
    liquidations: list[Liquidation]


def build_demo_dataset(now: datetime) -> DemoDataset:
    def ago(**delta: float) -> datetime:
        return now - timedelta(**delta)

    customers = [
        CustomerProfile(
            user_id=ALICE,
            email="alice@example.com",
            name="Alice Martin",
            language="en",
            kyc_level=2,
            kyc_status=KycStatus.APPROVED,
            anti_phishing_code="BLUE-HERON-42",
            withdrawal_limit_24h_usd=Decimal(2_000_000),
            registered_at=ago(days=420),
        ),
        CustomerProfile(
            user_id=WEI,
            email="wang.wei@example.com",
            name="王伟",
            language="zh",
            kyc_level=0,
            kyc_status=KycStatus.REJECTED,
            kyc_rejection_reason="blurry_photo",
            withdrawal_limit_24h_usd=Decimal(2_000),
            registered_at=ago(days=35),
        ),
        CustomerProfile(
            user_id=BOB,
            email="bob@example.com",
            name="Bob Okafor",
            language="en",
            kyc_level=1,
            kyc_status=KycStatus.APPROVED,
            account_status=AccountState.LOCKED,
            account_status_reason="too_many_failed_logins",
            withdrawal_limit_24h_usd=Decimal(100_000),
            registered_at=ago(days=200),
        ),
        CustomerProfile(
            user_id=GRACE,
            email="grace@example.com",
            name="Grace Liu",
            language="en",
            vip_tier=3,
            account_manager="Sophie Lambert",
            kyc_level=3,
            kyc_status=KycStatus.APPROVED,
            withdrawal_limit_24h_usd=Decimal(10_000_000),
            registered_at=ago(days=900),
        ),
        CustomerProfile(
            user_id=MING,
            email="li.ming@example.com",
            name="李明",
            language="zh",
            kyc_level=2,
            kyc_status=KycStatus.APPROVED,
            withdrawal_limit_24h_usd=Decimal(2_000_000),
            registered_at=ago(days=610),
        ),
    ]
    deposits = [
        Deposit(
            id="D-30001",
            user_id=ALICE,
            asset="USDT",
            network="ERC20",
            amount=Decimal("1500"),
            address="0x52908400098527886E0F7030069857D2E4169EE7",
            txid=DEPOSIT_CONFIRMING_TXID,
            status=DepositStatus.CONFIRMING,
            confirmations=3,
            required_confirmations=12,
            created_at=ago(minutes=2),
        ),
        Deposit(
            id="D-30002",
            user_id=ALICE,
            asset="BTC",
            network="BTC",
            amount=Decimal("0.25"),
            address="bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            txid=DEPOSIT_CREDITED_TXID,
            status=DepositStatus.CREDITED,
            confirmations=2,
            required_confirmations=2,
            created_at=ago(days=2),
            credited_at=ago(days=2, minutes=-25),
        ),
        Deposit(
            id="D-30003",
            user_id=ALICE,
            asset="ETH",
            network="ERC20",
            amount=Decimal("2"),
            address="0x52908400098527886E0F7030069857D2E4169EE7",
            txid=DEPOSIT_STUCK_TXID,
            status=DepositStatus.CONFIRMING,
            confirmations=5,
            required_confirmations=64,
            created_at=ago(hours=6),
        ),
        Deposit(
            id="D-30004",
            user_id=WEI,
            asset="USDT",
            network="ERC20",
            amount=Decimal("800"),
            address="0xfeFFf4e539B4265E5b4B233BF138E7D1Aa981CFf",
            txid=DEPOSIT_WRONG_NETWORK_TXID,
            status=DepositStatus.NEEDS_RECOVERY,
            issue=DepositIssue.WRONG_NETWORK,
            sent_network="BEP20",
            confirmations=15,
            required_confirmations=15,
            created_at=ago(hours=3),
        ),
        Deposit(
            id="D-30005",
            user_id=WEI,
            asset="XRP",
            network="XRP",
            amount=Decimal("350"),
            address="rN7n7otQDd6FczFgLdSqtcsAUxDkw6fzRH",
            memo=None,
            txid=DEPOSIT_MISSING_MEMO_TXID,
            status=DepositStatus.NEEDS_RECOVERY,
            issue=DepositIssue.MISSING_MEMO,
            confirmations=1,
            required_confirmations=1,
            created_at=ago(hours=5),
        ),
    ]
    withdrawals = [
        Withdrawal(
            id=WITHDRAWAL_REVIEW_ID,
            user_id=ALICE,
            asset="USDT",
            network="TRC20",
            amount=Decimal("250000"),
            fee=Decimal("1"),
            address="TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW",
            status=WithdrawalStatus.UNDER_REVIEW,
            review_state=ReviewState.DOCUMENTS_REQUESTED,
            created_at=ago(hours=4),
        ),
        Withdrawal(
            id=WITHDRAWAL_FAILED_ID,
            user_id=ALICE,
            asset="ETH",
            network="ERC20",
            amount=Decimal("1.5"),
            fee=Decimal("0.0016"),
            address="0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            status=WithdrawalStatus.FAILED,
            failure_reason="security_hold_after_password_change",
            created_at=ago(hours=20),
        ),
        Withdrawal(
            id=WITHDRAWAL_SENT_ID,
            user_id=ALICE,
            asset="BTC",
            network="BTC",
            amount=Decimal("0.1"),
            fee=Decimal("0.0002"),
            address="1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
            txid=WITHDRAWAL_SENT_TXID,
            status=WithdrawalStatus.COMPLETED,
            explorer_url=f"https://mempool.space/tx/{WITHDRAWAL_SENT_TXID}",
            created_at=ago(hours=2),
            completed_at=ago(hours=1, minutes=30),
        ),
    ]
    orders = [
        Order(
            order_id=ORDER_REJECTED_ID,
            user_id=ALICE,
            symbol="ETH/USDT",
            side="buy",
            type=OrderType.LIMIT,
            status=OrderStatus.REJECTED,
            price=Decimal("3400"),
            quantity=Decimal("5"),
            market_price=Decimal("3412.50"),
            reject_reason="insufficient_balance",
            created_at=ago(hours=1),
        ),
        Order(
            order_id=ORDER_LIMIT_FAR_ID,
            user_id=ALICE,
            symbol="BTC/USDT",
            side="buy",
            type=OrderType.LIMIT,
            status=OrderStatus.OPEN,
            price=Decimal("52000"),
            quantity=Decimal("0.2"),
            market_price=Decimal("97250"),
            created_at=ago(days=1),
        ),
        Order(
            order_id=ORDER_STOP_UNTRIGGERED_ID,
            user_id=ALICE,
            symbol="SOL/USDT",
            side="sell",
            type=OrderType.STOP_LIMIT,
            status=OrderStatus.UNTRIGGERED,
            stop_price=Decimal("180"),
            price=Decimal("179"),
            quantity=Decimal("40"),
            market_price=Decimal("182.40"),
            created_at=ago(hours=8),
        ),
        Order(
            order_id=ORDER_FILLED_ID,
            user_id=ALICE,
            symbol="BTC/USDT",
            side="sell",
            type=OrderType.MARKET,
            status=OrderStatus.FILLED,
            quantity=Decimal("0.5"),
            filled_quantity=Decimal("0.5"),
            price=Decimal("97100"),
            market_price=Decimal("97250"),
            fee=Decimal("48.55"),
            fee_asset="USDT",
            fee_rate=Decimal("0.001"),
            is_maker=False,
            created_at=ago(hours=3),
        ),
        Order(
            order_id=ORDER_FUTURES_REJECTED_ID,
            user_id=MING,
            market=OrderMarket.FUTURES,
            symbol="BTCUSDT-PERP",
            side="buy",
            type=OrderType.LIMIT,
            status=OrderStatus.REJECTED,
            price=Decimal("97000"),
            quantity=Decimal("2"),
            market_price=Decimal("97250"),
            reject_reason="insufficient_margin",
            created_at=ago(minutes=40),
        ),
    ]
    positions = [
        Position(
            position_id=POSITION_LIQUIDATED_ID,
            user_id=ALICE,
            symbol="BTCUSDT-PERP",
            side="long",
            leverage=20,
            quantity=Decimal("0.5"),
            entry_price=Decimal("101000"),
            mark_price=Decimal("96200"),
            margin=Decimal("2525"),
            margin_ratio=Decimal("1.00"),
            maintenance_margin_rate=Decimal("0.005"),
            liquidation_price=Decimal("96455"),
            status=PositionStatus.LIQUIDATED,
            opened_at=ago(days=1, hours=3),
            closed_at=ago(hours=9),
        ),
        Position(
            position_id=POSITION_OPEN_ID,
            user_id=ALICE,
            symbol="ETHUSDT-PERP",
            side="short",
            leverage=10,
            quantity=Decimal("10"),
            entry_price=Decimal("3300"),
            mark_price=Decimal("3412.50"),
            margin=Decimal("3300"),
            margin_ratio=Decimal("0.62"),
            maintenance_margin_rate=Decimal("0.005"),
            liquidation_price=Decimal("3613.50"),
            status=PositionStatus.OPEN,
            opened_at=ago(days=3),
        ),
        Position(
            position_id=POSITION_MING_LIQUIDATED_ID,
            user_id=MING,
            symbol="ETHUSDT-PERP",
            side="long",
            leverage=50,
            quantity=Decimal("20"),
            entry_price=Decimal("3500"),
            mark_price=Decimal("3412.50"),
            margin=Decimal("1400"),
            margin_ratio=Decimal("1.00"),
            maintenance_margin_rate=Decimal("0.005"),
            liquidation_price=Decimal("3447.50"),
            status=PositionStatus.LIQUIDATED,
            opened_at=ago(hours=30),
            closed_at=ago(hours=2),
        ),
    ]
    liquidations = [
        Liquidation(
            position_id=POSITION_LIQUIDATED_ID,
            user_id=ALICE,
            symbol="BTCUSDT-PERP",
            side="long",
            quantity=Decimal("0.5"),
            price=Decimal("96455"),
            loss=Decimal("2525"),
            liquidated_at=ago(hours=9),
        ),
        Liquidation(
            position_id=POSITION_MING_LIQUIDATED_ID,
            user_id=MING,
            symbol="ETHUSDT-PERP",
            side="long",
            quantity=Decimal("20"),
            price=Decimal("3447.50"),
            loss=Decimal("1400"),
            liquidated_at=ago(hours=2),
        ),
    ]
    return DemoDataset(customers, deposits, withdrawals, orders, positions, liquidations)
