"""What Lifeline knows of the exchange: the adapter's data types (also the HTTP contract's)."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class KycStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class AccountState(enum.StrEnum):
    ACTIVE = "active"
    LOCKED = "locked"
    FROZEN = "frozen"


class DepositStatus(enum.StrEnum):
    CONFIRMING = "confirming"
    CREDITED = "credited"
    # Arrived but cannot be credited automatically (wrong network, missing memo).
    NEEDS_RECOVERY = "needs_recovery"
    FAILED = "failed"


class DepositIssue(enum.StrEnum):
    WRONG_NETWORK = "wrong_network"
    MISSING_MEMO = "missing_memo"
    CONTRACT_ADDRESS = "contract_address"


class WithdrawalStatus(enum.StrEnum):
    PROCESSING = "processing"
    UNDER_REVIEW = "under_review"
    SENT = "sent"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ReviewState(enum.StrEnum):
    PENDING_REVIEW = "pending_review"
    DOCUMENTS_REQUESTED = "documents_requested"
    APPROVED = "approved"
    REJECTED = "rejected"


class OrderStatus(enum.StrEnum):
    OPEN = "open"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    UNTRIGGERED = "untriggered"
    EXPIRED = "expired"


class OrderType(enum.StrEnum):
    LIMIT = "limit"
    MARKET = "market"
    STOP_LIMIT = "stop_limit"
    STOP_MARKET = "stop_market"
    TAKE_PROFIT_LIMIT = "take_profit_limit"


class OrderMarket(enum.StrEnum):
    SPOT = "spot"
    FUTURES = "futures"


class PositionStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    LIQUIDATED = "liquidated"


class _Model(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CustomerProfile(_Model):
    user_id: str
    email: str
    name: str
    language: str = "en"
    vip_tier: int = 0
    account_manager: str | None = None
    kyc_level: int = 0
    kyc_status: KycStatus = KycStatus.NOT_STARTED
    kyc_rejection_reason: str | None = None
    account_status: AccountState = AccountState.ACTIVE
    account_status_reason: str | None = None
    anti_phishing_code: str | None = None
    withdrawal_limit_24h_usd: Decimal | None = None
    registered_at: datetime


class Deposit(_Model):
    id: str
    user_id: str
    asset: str
    network: str
    amount: Decimal
    address: str
    memo: str | None = None
    txid: str | None = None
    status: DepositStatus
    issue: DepositIssue | None = None
    sent_network: str | None = None
    confirmations: int = 0
    required_confirmations: int = 0
    created_at: datetime
    credited_at: datetime | None = None


class Withdrawal(_Model):
    id: str
    user_id: str
    asset: str
    network: str
    amount: Decimal
    fee: Decimal
    address: str
    memo: str | None = None
    txid: str | None = None
    status: WithdrawalStatus
    review_state: ReviewState | None = None
    failure_reason: str | None = None
    explorer_url: str | None = None
    created_at: datetime
    completed_at: datetime | None = None


class Order(_Model):
    order_id: str
    user_id: str
    market: OrderMarket = OrderMarket.SPOT
    symbol: str
    side: str
    type: OrderType
    status: OrderStatus
    price: Decimal | None = None
    stop_price: Decimal | None = None
    quantity: Decimal
    filled_quantity: Decimal = Decimal(0)
    market_price: Decimal | None = None
    reject_reason: str | None = None
    fee: Decimal | None = None
    fee_asset: str | None = None
    fee_rate: Decimal | None = None
    is_maker: bool | None = None
    created_at: datetime


class Position(_Model):
    position_id: str
    user_id: str
    symbol: str
    side: str
    leverage: int
    quantity: Decimal
    entry_price: Decimal
    mark_price: Decimal
    margin: Decimal
    margin_ratio: Decimal
    maintenance_margin_rate: Decimal
    liquidation_price: Decimal
    status: PositionStatus
    opened_at: datetime
    closed_at: datetime | None = None


class Liquidation(_Model):
    position_id: str
    user_id: str
    symbol: str
    side: str
    quantity: Decimal
    price: Decimal
    loss: Decimal
    liquidated_at: datetime


class FreezeResult(_Model):
    user_id: str
    account_status: AccountState
    frozen_at: datetime
