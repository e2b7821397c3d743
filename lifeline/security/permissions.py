"""The permission matrix: which role may do what. Checked in one place, ``require``."""

from __future__ import annotations

import enum

from lifeline.accounts.models import Role
from lifeline.errors import Forbidden


class Permission(enum.StrEnum):
    CONVERSATIONS_HANDLE = "conversations:handle"
    TICKETS_HANDLE = "tickets:handle"
    TICKETS_SUPERVISE = "tickets:supervise"
    CUSTOMERS_READ = "customers:read"
    CUSTOMERS_REVEAL_PII = "customers:reveal_pii"
    ACCOUNTS_FREEZE = "accounts:freeze"
    ACCOUNTS_UNFREEZE = "accounts:unfreeze"
    KB_EDIT = "kb:edit"
    KB_PUBLISH = "kb:publish"
    INCIDENTS_MANAGE = "incidents:manage"
    AGENTS_MANAGE = "agents:manage"
    TOKENS_MANAGE = "tokens:manage"
    AUDIT_READ = "audit:read"
    GUARD_LOG_READ = "guard_log:read"
    COMPLIANCE_REVIEW = "compliance:review"
    ANALYTICS_READ = "analytics:read"


_P = Permission
_AGENT = {
    _P.CONVERSATIONS_HANDLE,
    _P.TICKETS_HANDLE,
    _P.CUSTOMERS_READ,
}
_SUPERVISOR = _AGENT | {
    _P.TICKETS_SUPERVISE,
    _P.CUSTOMERS_REVEAL_PII,
    _P.GUARD_LOG_READ,
    _P.INCIDENTS_MANAGE,
    _P.ANALYTICS_READ,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.AGENT: frozenset(_AGENT),
    Role.SUPERVISOR: frozenset(_SUPERVISOR),
    Role.SECURITY: frozenset(
        _AGENT
        | {
            _P.CUSTOMERS_REVEAL_PII,
            _P.ACCOUNTS_FREEZE,
            _P.ACCOUNTS_UNFREEZE,
            _P.GUARD_LOG_READ,
            _P.AUDIT_READ,
            _P.INCIDENTS_MANAGE,
        }
    ),
    Role.COMPLIANCE: frozenset(
        _AGENT | {_P.CUSTOMERS_REVEAL_PII, _P.COMPLIANCE_REVIEW, _P.AUDIT_READ}
    ),
    Role.KB_EDITOR: frozenset({_P.KB_EDIT, _P.KB_PUBLISH, _P.ANALYTICS_READ}),
    Role.ADMIN: frozenset(Permission),
}


def role_allows(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


def require(granted: frozenset[Permission] | set[Permission], permission: Permission) -> None:
    if permission not in granted:
        raise Forbidden(f"This needs the '{permission.value}' permission.")
