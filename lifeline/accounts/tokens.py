"""Token formats: agent session cookies, integration API tokens, customer and visitor tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

import jwt
from itsdangerous import BadSignature, URLSafeSerializer
from pydantic import BaseModel, Field, ValidationError

from lifeline.errors import Unauthorized

API_TOKEN_PREFIX = "llt_"  # noqa: S105 - a prefix, not a secret
VISITOR_TOKEN_PREFIX = "llv_"  # noqa: S105 - a prefix, not a secret


def new_secret_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Only hashes of bearer secrets are stored: a database leak does not leak sessions."""
    return hashlib.sha256(token.encode()).hexdigest()


class CustomerClaims(BaseModel):
    """What the exchange asserts about a signed-in customer (HS256 JWT)."""

    sub: str = Field(min_length=1, max_length=128)
    email: str | None = Field(default=None, max_length=320)
    name: str | None = Field(default=None, max_length=200)
    lang: str | None = Field(default=None, max_length=16)
    vip_tier: int | None = Field(default=None, ge=0, le=20)


class InvalidCustomerToken(Unauthorized):
    code = "invalid_customer_token"
    message = "The customer token is invalid or expired."


def decode_customer_token(token: str, secret: str, issuer: str) -> CustomerClaims:
    try:
        payload: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            issuer=issuer,
            options={"require": ["sub", "exp", "iss"]},
        )
        return CustomerClaims.model_validate(payload)
    except (jwt.PyJWTError, ValidationError) as error:
        raise InvalidCustomerToken() from error


def encode_customer_token(
    claims: CustomerClaims, secret: str, issuer: str, expires_at: datetime
) -> str:
    """What an exchange does on its side; Lifeline uses it for the demo and tests."""
    payload = claims.model_dump(exclude_none=True) | {"iss": issuer, "exp": expires_at}
    return jwt.encode(payload, secret, algorithm="HS256")


def _visitor_serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt="lifeline.visitor")


def encode_visitor_token(public_id: str, secret: str) -> str:
    return VISITOR_TOKEN_PREFIX + str(_visitor_serializer(secret).dumps(public_id))


def decode_visitor_token(token: str, secret: str) -> str:
    if not token.startswith(VISITOR_TOKEN_PREFIX):
        raise Unauthorized("The visitor token is invalid.")
    try:
        value = _visitor_serializer(secret).loads(token[len(VISITOR_TOKEN_PREFIX) :])
    except BadSignature as error:
        raise Unauthorized("The visitor token is invalid.") from error
    if not isinstance(value, str):
        raise Unauthorized("The visitor token is invalid.")
    return value
