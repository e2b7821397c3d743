"""Request and response shapes of the security API."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ScanRequest(BaseModel):
    text: str = Field(max_length=20_000)
    lang: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Za-z]{2,4})?$")


class ScanResult(BaseModel):
    kinds: list[str]
    masked: str
    warning: str | None = Field(description="What to tell the customer, in their language.")


class GuardRequest(BaseModel):
    text: str = Field(max_length=20_000)
    lang: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Za-z]{2,4})?$")


class GuardResult(BaseModel):
    allowed: bool
    reason_code: str | None
    reason: str | None


class VerifyResult(BaseModel):
    value: str
    verdict: str = Field(description="official, lookalike or unknown")
    reason: str
    kind: str
    normalized: str


class FreezeCodeRequest(BaseModel):
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    lang: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Za-z]{2,4})?$")


class FreezeConfirm(BaseModel):
    """Either the email and its code, or the token from the emailed link."""

    email: str | None = Field(default=None, max_length=320)
    code: str | None = Field(default=None, pattern=r"^\s*\d{6}\s*$")
    token: str | None = Field(default=None, min_length=20, max_length=100)


class FreezeSignedIn(BaseModel):
    confirm: bool = Field(description="Must be true: freezing stops logins, trading, withdrawals.")


class FreezeResponse(BaseModel):
    account_status: str
    ticket_number: int | None
    already_frozen: bool


class UnfreezeRequest(BaseModel):
    verification: str = Field(
        min_length=5, max_length=500, description="How the customer's identity was verified."
    )
