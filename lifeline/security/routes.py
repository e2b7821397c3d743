"""HTTP API of the security domain: secret scanning, the outbound guard, official-channel
verification and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from lifeline.accounts.deps import CurrentCustomer, Staff, require_permission
from lifeline.accounts.schemas import AuditEntryRead
from lifeline.deps import Context, Session, client_ip
from lifeline.errors import InvalidRequest, Unauthorized
from lifeline.security import freeze
from lifeline.security.audit import list_audit_entries
from lifeline.security.guard import check_outbound
from lifeline.security.masking import mask_secrets, secret_warning
from lifeline.security.outbound import GUARD_ACTION
from lifeline.security.permissions import Permission
from lifeline.security.ratelimit import rate_limit
from lifeline.security.schemas import (
    FreezeCodeRequest,
    FreezeConfirm,
    FreezeResponse,
    FreezeSignedIn,
    GuardRequest,
    GuardResult,
    ScanRequest,
    ScanResult,
    UnfreezeRequest,
    VerifyResult,
)
from lifeline.security.verifier import configured_registry, verify

router = APIRouter(prefix="/api/v1", tags=["security"])


@router.get("/audit", response_model=list[AuditEntryRead])
async def audit_log(
    session: Session,
    _staff: Staff = require_permission(Permission.AUDIT_READ),
    action: Annotated[str | None, Query(max_length=100)] = None,
    object_type: Annotated[str | None, Query(max_length=64)] = None,
    object_id: Annotated[str | None, Query(max_length=64)] = None,
    actor_id: Annotated[str | None, Query(max_length=64)] = None,
    before_id: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AuditEntryRead]:
    entries = await list_audit_entries(
        session,
        action=action,
        object_type=object_type,
        object_id=object_id,
        actor_id=actor_id,
        before_id=before_id,
        limit=limit,
    )
    return [AuditEntryRead.model_validate(entry) for entry in entries]


@router.post("/security/scan", response_model=ScanResult, dependencies=[rate_limit("scan", 60, 60)])
async def scan(body: ScanRequest) -> ScanResult:
    """Mask the secrets in a text (nothing is stored) and say what to tell the customer."""
    result = mask_secrets(body.text)
    return ScanResult(
        kinds=result.kinds, masked=result.masked, warning=secret_warning(result.kinds, body.lang)
    )


@router.post("/security/guard", response_model=GuardResult)
async def guard(
    body: GuardRequest, _staff: Staff = require_permission(Permission.CONVERSATIONS_HANDLE)
) -> GuardResult:
    """Would this outgoing text be blocked for asking the customer for a secret?"""
    verdict = check_outbound(body.text)
    return GuardResult(
        allowed=verdict.allowed,
        reason_code=verdict.reason_code,
        reason=None if verdict.allowed else verdict.reason(body.lang),
    )


@router.get("/verify", response_model=VerifyResult, dependencies=[rate_limit("verify", 60, 60)])
async def verify_channel(
    context: Context, value: Annotated[str, Query(min_length=1, max_length=2000)]
) -> VerifyResult:
    """Is this website, email address, phone number or social account really the exchange's?"""
    registry = configured_registry(context.settings.official_channels_file)
    verdict = verify(value, registry)
    return VerifyResult(
        value=value,
        verdict=verdict.verdict,
        reason=verdict.reason,
        kind=verdict.kind,
        normalized=verdict.normalized,
    )


# --- emergency freeze ----------------------------------------------------------------------


def _freeze_response(outcome: freeze.FreezeOutcome) -> FreezeResponse:
    return FreezeResponse(
        account_status=outcome.account_status.value,
        ticket_number=outcome.ticket_number,
        already_frozen=outcome.already_frozen,
    )


@router.post("/freeze", response_model=FreezeResponse, dependencies=[rate_limit("freeze", 10, 60)])
async def freeze_my_account(
    body: FreezeSignedIn,
    identity: CurrentCustomer,
    session: Session,
    context: Context,
    request: Request,
) -> FreezeResponse:
    """Freeze the signed-in customer's own account at once."""
    if not body.confirm:
        raise InvalidRequest("Confirm the freeze with confirm=true.")
    if identity.customer is None:
        raise Unauthorized("Sign in, or freeze with your email and a code instead.")
    outcome = await freeze.freeze_signed_in(session, context, identity.customer, client_ip(request))
    return _freeze_response(outcome)


@router.post(
    "/freeze/request-code",
    status_code=202,
    dependencies=[rate_limit("freeze_code", 5, 60, per="ip")],
)
async def freeze_request_code(
    body: FreezeCodeRequest, session: Session, context: Context, request: Request
) -> dict[str, str]:
    """Email a one-time code and a single-use link (the answer is the same for any email)."""
    await freeze.request_code(session, context, body.email, body.lang, client_ip(request))
    return {"status": "sent_if_registered"}


@router.post(
    "/freeze/confirm",
    response_model=FreezeResponse,
    dependencies=[rate_limit("freeze_confirm", 10, 60, per="ip")],
)
async def freeze_confirm(
    body: FreezeConfirm, session: Session, context: Context, request: Request
) -> FreezeResponse:
    ip = client_ip(request)
    if body.token:
        outcome = await freeze.confirm_with_link(session, context, body.token, ip)
    elif body.email and body.code:
        outcome = await freeze.confirm_with_code(
            context.sessionmaker, context, body.email, body.code, ip
        )
    else:
        raise InvalidRequest("Send the email and code, or the token from the link.")
    return _freeze_response(outcome)


@router.post("/security/accounts/{user_id}/freeze", response_model=FreezeResponse)
async def freeze_account(
    user_id: Annotated[str, Path(min_length=1, max_length=64)],
    session: Session,
    context: Context,
    staff: Staff = require_permission(Permission.ACCOUNTS_FREEZE),
) -> FreezeResponse:
    """The security team freezes a customer's account for them (from a chat or a ticket)."""
    outcome = await freeze.freeze(
        session, context, user_id, via="security_team", ip=staff.actor.ip, staff=staff.actor
    )
    return _freeze_response(outcome)


@router.post("/security/accounts/{user_id}/unfreeze")
async def unfreeze_account(
    user_id: str,
    body: UnfreezeRequest,
    session: Session,
    context: Context,
    staff: Staff = require_permission(Permission.ACCOUNTS_UNFREEZE),
) -> dict[str, str]:
    status = await freeze.unfreeze(session, context, user_id, body.verification, staff.actor)
    return {"account_status": status.value}


@router.get("/security/guard-log", response_model=list[AuditEntryRead])
async def guard_log(
    session: Session,
    _staff: Staff = require_permission(Permission.GUARD_LOG_READ),
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AuditEntryRead]:
    """Outgoing texts the guard blocked: who tried to ask a customer for what."""
    entries = await list_audit_entries(session, action=GUARD_ACTION, limit=limit)
    return [AuditEntryRead.model_validate(entry) for entry in entries]
