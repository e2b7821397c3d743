"""A server that speaks the exchange HTTP contract on top of any adapter.

Operators can read it as the executable form of docs/exchange-api.md; the test suite and
``lifeline exchange serve-demo`` run it over the demo backend.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Query
from pydantic import BaseModel

from lifeline.exchange.adapter import ExchangeAdapter
from lifeline.exchange.demo import UnknownExchangeCustomer
from lifeline.exchange.schemas import CustomerProfile, FreezeResult, Order


class FreezeRequest(BaseModel):
    reason: str


def _items(values: list[Any]) -> dict[str, list[Any]]:
    return {"items": values}


def create_reference_api(adapter: ExchangeAdapter, token: str) -> FastAPI:
    def authorised(authorization: Annotated[str, Header()] = "") -> None:
        if not hmac.compare_digest(authorization, f"Bearer {token}"):
            raise HTTPException(status_code=401, detail="bad token")

    api = FastAPI(title="Exchange API for Lifeline", dependencies=[Depends(authorised)])

    def found(value: Any) -> Any:
        if value is None:
            raise HTTPException(status_code=404, detail="not found")
        return value

    @api.get("/v1/customers")
    async def customers_by_email(email: str) -> dict[str, list[CustomerProfile]]:
        customer = await adapter.find_customer_by_email(email)
        return _items([customer] if customer else [])

    @api.get("/v1/customers/{user_id}")
    async def customer(user_id: str) -> CustomerProfile:
        result: CustomerProfile = found(await adapter.get_customer(user_id))
        return result

    @api.get("/v1/customers/{user_id}/deposits")
    async def deposits(
        user_id: str, limit: Annotated[int, Query(ge=1, le=200)] = 20, txid: str | None = None
    ) -> dict[str, list[Any]]:
        if txid:
            deposit = await adapter.find_deposit(user_id, txid)
            return _items([deposit] if deposit else [])
        return _items(await adapter.list_deposits(user_id, limit))

    @api.get("/v1/customers/{user_id}/withdrawals")
    async def withdrawals(
        user_id: str,
        limit: Annotated[int, Query(ge=1, le=200)] = 20,
        reference: str | None = None,
    ) -> dict[str, list[Any]]:
        if reference:
            withdrawal = await adapter.find_withdrawal(user_id, reference)
            return _items([withdrawal] if withdrawal else [])
        return _items(await adapter.list_withdrawals(user_id, limit))

    @api.get("/v1/customers/{user_id}/orders")
    async def orders(
        user_id: str, limit: Annotated[int, Query(ge=1, le=200)] = 20
    ) -> dict[str, list[Any]]:
        return _items(await adapter.list_orders(user_id, limit))

    @api.get("/v1/customers/{user_id}/orders/{order_id}")
    async def order(user_id: str, order_id: str) -> Order:
        result: Order = found(await adapter.get_order(user_id, order_id))
        return result

    @api.get("/v1/customers/{user_id}/positions")
    async def positions(user_id: str) -> dict[str, list[Any]]:
        return _items(await adapter.list_positions(user_id))

    @api.get("/v1/customers/{user_id}/liquidations")
    async def liquidations(
        user_id: str, limit: Annotated[int, Query(ge=1, le=200)] = 20
    ) -> dict[str, list[Any]]:
        return _items(await adapter.list_liquidations(user_id, limit))

    @api.post("/v1/customers/{user_id}/freeze")
    async def freeze(user_id: str, request: FreezeRequest) -> FreezeResult:
        try:
            return await adapter.freeze_account(user_id, request.reason)
        except UnknownExchangeCustomer as error:
            raise HTTPException(status_code=404, detail="not found") from error

    @api.post("/v1/customers/{user_id}/unfreeze")
    async def unfreeze(user_id: str, request: FreezeRequest) -> FreezeResult:
        try:
            return await adapter.unfreeze_account(user_id, request.reason)
        except UnknownExchangeCustomer as error:
            raise HTTPException(status_code=404, detail="not found") from error

    return api
