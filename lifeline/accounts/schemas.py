"""Request and response shapes of the accounts API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from lifeline.accounts.models import Role


class SignInRequest(BaseModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=1024)


class TeamRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    slug: str
    name: str
    always_open: bool


class AgentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str
    role: Role
    languages: list[str]
    capacity: int
    is_active: bool
    teams: list[TeamRead]


class SignInResponse(BaseModel):
    agent: AgentRead
    csrf_token: str
    expires_at: datetime


class AgentCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    password: str = Field(min_length=10, max_length=1024)
    role: Role = Role.AGENT
    languages: list[str] = Field(default_factory=lambda: ["en"], max_length=20)
    teams: list[str] = Field(default_factory=list, max_length=20)
    capacity: int = Field(default=3, ge=0, le=50)


class ApiTokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    scopes: list[str] = Field(min_length=1, max_length=50)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class ApiTokenCreated(BaseModel):
    id: int
    name: str
    scopes: list[str]
    token: str = Field(description="Shown once; store it now.")


class CustomerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    public_id: str
    external_id: str | None
    email: str | None
    name: str | None
    preferred_language: str
    vip_tier: int


class VisitorCreate(BaseModel):
    language: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Za-z]{2,4})?$")


class VisitorCreated(BaseModel):
    visitor_id: str
    token: str


class MeResponse(BaseModel):
    customer: CustomerRead | None
    visitor_id: str | None


class AuditEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    actor_type: str
    actor_id: str | None
    action: str
    object_type: str | None
    object_id: str | None
    ip: str | None
    details: dict[str, object]


class AntiPhishingCode(BaseModel):
    code: str = Field(
        min_length=4,
        max_length=20,
        pattern=r"^[A-Za-z0-9\-_]+$",
        description="Shown in every email we send you: an email without it is not from us.",
    )


class TelegramLinkRead(BaseModel):
    code: str = Field(description="Send the bot /start followed by this code (done by the url).")
    url: str | None = Field(description="https://t.me/<bot>?start=<code>; null without a bot name.")
    expires_at: datetime
