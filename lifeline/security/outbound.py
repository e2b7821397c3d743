"""Holding agents' outgoing text to the rule the bot follows: never ask for a secret.

A blocked text is answered with a clear 422 in the agent's language, and logged for
supervisors in the audit log (``guard.blocked``). The route returns the answer rather than
raising, so the log entry commits with the request.
"""

from __future__ import annotations

from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.security.audit import Actor, record_audit
from lifeline.security.guard import check_outbound
from lifeline.security.masking import mask_secrets

GUARD_ACTION = "guard.blocked"


async def blocked_outbound(
    session: AsyncSession,
    texts: list[str],
    actor: Actor,
    *,
    lang: str,
    object_type: str,
    object_id: str | int | None,
) -> JSONResponse | None:
    """None when every text may go out; else the 422 to return (already logged)."""
    for text in texts:
        verdict = check_outbound(text)
        if verdict.allowed:
            continue
        await record_audit(
            session,
            actor,
            GUARD_ACTION,
            object_type=object_type,
            object_id=object_id,
            details={
                "reason": verdict.reason_code,
                "excerpt": mask_secrets(text).masked[:300],
            },
        )
        return JSONResponse(
            {
                "error": {
                    "code": "outbound_blocked",
                    "message": verdict.reason(lang),
                    "details": {
                        "reason_code": verdict.reason_code,
                        "en": verdict.reason("en"),
                        "zh": verdict.reason("zh"),
                        "reasons": {"en": verdict.reason("en"), "zh": verdict.reason("zh")},
                    },
                }
            },
            status_code=422,
        )
    return None
