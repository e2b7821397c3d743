"""The demo exchange backend: deterministic demo data kept in Lifeline's own database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.db import current_session, transaction, utcnow
from lifeline.exchange.demo_data import build_demo_dataset
from lifeline.exchange.models import DemoExchangeRecord
from lifeline.exchange.schemas import (
    AccountState,
    CustomerProfile,
    Deposit,
    FreezeResult,
    Liquidation,
    Order,
    Position,
    Withdrawal,
)

ModelT = TypeVar("ModelT", bound=BaseModel)

CUSTOMER = "customer"
DEPOSIT = "deposit"
WITHDRAWAL = "withdrawal"
ORDER = "order"
POSITION = "position"
LIQUIDATION = "liquidation"


class UnknownExchangeCustomer(LookupError):
    pass


async def load_demo_data(session: AsyncSession, now: datetime | None = None) -> int:
    """Replace the demo exchange's records with a fresh deterministic set; returns the count."""
    dataset = build_demo_dataset(now or utcnow())
    await session.execute(delete(DemoExchangeRecord))
    records: list[DemoExchangeRecord] = []

    def add(kind: str, ref: str, model: Any, created_at: datetime, **extra: Any) -> None:
        records.append(
            DemoExchangeRecord(
                kind=kind,
                user_id=model.user_id,
                ref=ref,
                created_at=created_at,
                data=model.model_dump(mode="json"),
                **extra,
            )
        )

    for customer in dataset.customers:
        add(
            CUSTOMER,
            customer.user_id,
            customer,
            customer.registered_at,
            email=customer.email.lower(),
        )
    for deposit in dataset.deposits:
        add(DEPOSIT, deposit.id, deposit, deposit.created_at, txid=_txid_key(deposit.txid))
    for withdrawal in dataset.withdrawals:
        add(
            WITHDRAWAL,
            withdrawal.id,
            withdrawal,
            withdrawal.created_at,
            txid=_txid_key(withdrawal.txid),
        )
    for order in dataset.orders:
        add(ORDER, order.order_id, order, order.created_at)
    for position in dataset.positions:
        add(POSITION, position.position_id, position, position.opened_at)
    for index, liquidation in enumerate(dataset.liquidations):
        add(
            LIQUIDATION,
            f"{liquidation.position_id}:{index}",
            liquidation,
            liquidation.liquidated_at,
        )
    session.add_all(records)
    await session.flush()
    return len(records)


async def demo_data_loaded(session: AsyncSession) -> bool:
    count = await session.scalar(select(func.count()).select_from(DemoExchangeRecord))
    return bool(count)


def _txid_key(txid: str | None) -> str | None:
    """TxIDs are hex: compare them without case or a 0x prefix."""
    if txid is None:
        return None
    lowered = txid.strip().lower()
    return lowered[2:] if lowered.startswith("0x") else lowered


class DemoExchange:
    """Reads and writes the demo records in Lifeline's database: inside the caller's unit of
    work when there is one (a request), else in a short transaction of its own."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        joined = current_session.get()
        if joined is not None and joined.bind is self._sessionmaker.kw.get("bind"):
            yield joined
            return
        async with transaction(self._sessionmaker) as session:
            yield session

    async def _records(
        self, kind: str, *conditions: Any, limit: int = 50
    ) -> Sequence[DemoExchangeRecord]:
        async with self._session() as session:
            query = (
                select(DemoExchangeRecord)
                .where(DemoExchangeRecord.kind == kind, *conditions)
                .order_by(DemoExchangeRecord.created_at.desc(), DemoExchangeRecord.id.desc())
                .limit(limit)
            )
            return (await session.scalars(query)).all()

    async def _one(self, model: type[ModelT], kind: str, *conditions: Any) -> ModelT | None:
        rows = await self._records(kind, *conditions, limit=1)
        return model.model_validate(rows[0].data) if rows else None

    async def _many(self, model: type[ModelT], kind: str, user_id: str, limit: int) -> list[ModelT]:
        rows = await self._records(kind, DemoExchangeRecord.user_id == user_id, limit=limit)
        return [model.model_validate(row.data) for row in rows]

    async def get_customer(self, user_id: str) -> CustomerProfile | None:
        return await self._one(CustomerProfile, CUSTOMER, DemoExchangeRecord.ref == user_id)

    async def find_customer_by_email(self, email: str) -> CustomerProfile | None:
        return await self._one(
            CustomerProfile, CUSTOMER, DemoExchangeRecord.email == email.strip().lower()
        )

    async def list_deposits(self, user_id: str, limit: int = 20) -> list[Deposit]:
        return await self._many(Deposit, DEPOSIT, user_id, limit)

    async def find_deposit(self, user_id: str, txid: str) -> Deposit | None:
        return await self._one(
            Deposit,
            DEPOSIT,
            DemoExchangeRecord.user_id == user_id,
            DemoExchangeRecord.txid == _txid_key(txid),
        )

    async def list_withdrawals(self, user_id: str, limit: int = 20) -> list[Withdrawal]:
        return await self._many(Withdrawal, WITHDRAWAL, user_id, limit)

    async def find_withdrawal(self, user_id: str, reference: str) -> Withdrawal | None:
        by_id = await self._one(
            Withdrawal,
            WITHDRAWAL,
            DemoExchangeRecord.user_id == user_id,
            DemoExchangeRecord.ref == reference.strip(),
        )
        if by_id is not None:
            return by_id
        return await self._one(
            Withdrawal,
            WITHDRAWAL,
            DemoExchangeRecord.user_id == user_id,
            DemoExchangeRecord.txid == _txid_key(reference),
        )

    async def list_orders(self, user_id: str, limit: int = 20) -> list[Order]:
        return await self._many(Order, ORDER, user_id, limit)

    async def get_order(self, user_id: str, order_id: str) -> Order | None:
        return await self._one(
            Order,
            ORDER,
            DemoExchangeRecord.user_id == user_id,
            DemoExchangeRecord.ref == order_id.strip(),
        )

    async def list_positions(self, user_id: str) -> list[Position]:
        return await self._many(Position, POSITION, user_id, 50)

    async def list_liquidations(self, user_id: str, limit: int = 20) -> list[Liquidation]:
        return await self._many(Liquidation, LIQUIDATION, user_id, limit)

    async def freeze_account(self, user_id: str, reason: str) -> FreezeResult:
        return await self._set_account_state(user_id, AccountState.FROZEN, reason)

    async def unfreeze_account(self, user_id: str, reason: str) -> FreezeResult:
        return await self._set_account_state(user_id, AccountState.ACTIVE, None)

    async def _set_account_state(
        self, user_id: str, state: AccountState, reason: str | None
    ) -> FreezeResult:
        async with self._session() as session:
            record = await session.scalar(
                select(DemoExchangeRecord)
                .where(DemoExchangeRecord.kind == CUSTOMER, DemoExchangeRecord.ref == user_id)
                .with_for_update()
            )
            if record is None:
                raise UnknownExchangeCustomer(user_id)
            profile = CustomerProfile.model_validate(record.data)
            profile.account_status = state
            profile.account_status_reason = reason
            record.data = profile.model_dump(mode="json")
            await session.flush()
        return FreezeResult(user_id=user_id, account_status=state, frozen_at=utcnow())

    async def aclose(self) -> None:
        return None
