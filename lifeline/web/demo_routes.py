"""Demo sign-in: mint a customer token for one of the demo customers.

Only with ``LIFELINE_DEMO_SIGN_IN`` (``lifeline demo`` turns it on); otherwise the endpoint
answers 404 as if it did not exist. In production the exchange signs its customers' tokens.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter
from pydantic import BaseModel, Field

from lifeline.accounts.tokens import CustomerClaims, encode_customer_token
from lifeline.config import Settings
from lifeline.db import utcnow
from lifeline.deps import Context
from lifeline.errors import NotFound
from lifeline.exchange.demo_data import build_demo_dataset
from lifeline.exchange.schemas import CustomerProfile
from lifeline.security.ratelimit import rate_limit

router = APIRouter(prefix="/api/v1/demo", tags=["demo"])
DEMO_TOKEN_LIFETIME = timedelta(hours=8)


class DemoTokenRequest(BaseModel):
    user_id: str = Field(min_length=1, max_length=128)


class DemoToken(BaseModel):
    token: str
    user_id: str
    name: str
    language: str


def demo_customers(settings: Settings) -> list[CustomerProfile]:
    """The demo customers, or none when demo sign-in is off."""
    if not settings.demo_sign_in:
        return []
    return build_demo_dataset(utcnow()).customers


@router.post(
    "/customer-token",
    response_model=DemoToken,
    dependencies=[rate_limit("demo_token", 30, 60, per="ip")],
)
async def demo_customer_token(body: DemoTokenRequest, context: Context) -> DemoToken:
    settings = context.settings
    if not settings.demo_sign_in:
        raise NotFound()
    profile = next((c for c in demo_customers(settings) if c.user_id == body.user_id), None)
    if profile is None:
        raise NotFound("No demo customer has this id.", user_id=body.user_id)
    token = encode_customer_token(
        CustomerClaims(
            sub=profile.user_id, email=profile.email, name=profile.name, lang=profile.language
        ),
        settings.customer_token_secret,
        settings.customer_token_issuer,
        utcnow() + DEMO_TOKEN_LIFETIME,
    )
    return DemoToken(
        token=token, user_id=profile.user_id, name=profile.name, language=profile.language
    )
