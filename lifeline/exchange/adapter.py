"""The interface Lifeline needs from an exchange. Lifeline owns no balances or orders."""

from __future__ import annotations

from typing import Protocol

from lifeline.exchange.schemas import (
    CustomerProfile,
    Deposit,
    FreezeResult,
    Liquidation,
    Order,
    Position,
    Withdrawal,
)


class ExchangeAdapter(Protocol):
    async def get_customer(self, user_id: str) -> CustomerProfile | None: ...

    async def find_customer_by_email(self, email: str) -> CustomerProfile | None: ...

    async def list_deposits(self, user_id: str, limit: int = 20) -> list[Deposit]: ...

    async def find_deposit(self, user_id: str, txid: str) -> Deposit | None: ...

    async def list_withdrawals(self, user_id: str, limit: int = 20) -> list[Withdrawal]: ...

    async def find_withdrawal(self, user_id: str, reference: str) -> Withdrawal | None:
        """By withdrawal id or TxID."""
        ...

    async def list_orders(self, user_id: str, limit: int = 20) -> list[Order]: ...

    async def get_order(self, user_id: str, order_id: str) -> Order | None: ...

    async def list_positions(self, user_id: str) -> list[Position]: ...

    async def list_liquidations(self, user_id: str, limit: int = 20) -> list[Liquidation]: ...

    async def freeze_account(self, user_id: str, reason: str) -> FreezeResult: ...

    async def unfreeze_account(self, user_id: str, reason: str) -> FreezeResult: ...

    async def aclose(self) -> None: ...
