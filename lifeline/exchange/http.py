"""The ``http`` backend: calls the operator's internal API (contract in docs/exchange-api.md)."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from lifeline.errors import ServiceUnavailable
from lifeline.exchange.schemas import (
    CustomerProfile,
    Deposit,
    FreezeResult,
    Liquidation,
    Order,
    Position,
    Withdrawal,
)

ModelT = TypeVar("ModelT", bound=BaseModel)


class ExchangeUnavailable(ServiceUnavailable):
    code = "exchange_unavailable"
    message = "The exchange could not be reached; please try again shortly."


class HttpExchange:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
        )

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any | None:
        try:
            response = await self._client.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise ExchangeUnavailable(details=str(error)) from error
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise ExchangeUnavailable(f"The exchange answered {response.status_code}.", path=path)
        return response.json()

    async def _get_one(self, model: type[ModelT], path: str, **params: Any) -> ModelT | None:
        body = await self._request("GET", path, params=params or None)
        return None if body is None else model.model_validate(body)

    async def _get_items(self, model: type[ModelT], path: str, **params: Any) -> list[ModelT]:
        body = await self._request("GET", path, params=params or None)
        if body is None:
            return []
        return [model.model_validate(item) for item in body["items"]]

    @staticmethod
    def _user(user_id: str) -> str:
        return f"/v1/customers/{quote(user_id, safe='')}"

    async def get_customer(self, user_id: str) -> CustomerProfile | None:
        return await self._get_one(CustomerProfile, self._user(user_id))

    async def find_customer_by_email(self, email: str) -> CustomerProfile | None:
        items = await self._get_items(CustomerProfile, "/v1/customers", email=email)
        return items[0] if items else None

    async def list_deposits(self, user_id: str, limit: int = 20) -> list[Deposit]:
        return await self._get_items(Deposit, f"{self._user(user_id)}/deposits", limit=limit)

    async def find_deposit(self, user_id: str, txid: str) -> Deposit | None:
        items = await self._get_items(Deposit, f"{self._user(user_id)}/deposits", txid=txid)
        return items[0] if items else None

    async def list_withdrawals(self, user_id: str, limit: int = 20) -> list[Withdrawal]:
        return await self._get_items(Withdrawal, f"{self._user(user_id)}/withdrawals", limit=limit)

    async def find_withdrawal(self, user_id: str, reference: str) -> Withdrawal | None:
        items = await self._get_items(
            Withdrawal, f"{self._user(user_id)}/withdrawals", reference=reference
        )
        return items[0] if items else None

    async def list_orders(self, user_id: str, limit: int = 20) -> list[Order]:
        return await self._get_items(Order, f"{self._user(user_id)}/orders", limit=limit)

    async def get_order(self, user_id: str, order_id: str) -> Order | None:
        return await self._get_one(
            Order, f"{self._user(user_id)}/orders/{quote(order_id, safe='')}"
        )

    async def list_positions(self, user_id: str) -> list[Position]:
        return await self._get_items(Position, f"{self._user(user_id)}/positions")

    async def list_liquidations(self, user_id: str, limit: int = 20) -> list[Liquidation]:
        return await self._get_items(
            Liquidation, f"{self._user(user_id)}/liquidations", limit=limit
        )

    async def freeze_account(self, user_id: str, reason: str) -> FreezeResult:
        body = await self._request("POST", f"{self._user(user_id)}/freeze", json={"reason": reason})
        if body is None:
            raise ExchangeUnavailable("The exchange does not know this customer.")
        return FreezeResult.model_validate(body)

    async def unfreeze_account(self, user_id: str, reason: str) -> FreezeResult:
        body = await self._request(
            "POST", f"{self._user(user_id)}/unfreeze", json={"reason": reason}
        )
        if body is None:
            raise ExchangeUnavailable("The exchange does not know this customer.")
        return FreezeResult.model_validate(body)

    async def aclose(self) -> None:
        await self._client.aclose()
