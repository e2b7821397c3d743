"""Domain errors carry their HTTP status and a stable code; one handler renders them."""

from __future__ import annotations

from typing import Any


class LifelineError(Exception):
    status_code = 400
    code = "bad_request"
    message = "The request could not be processed."

    def __init__(self, message: str | None = None, **details: Any) -> None:
        self.message = message or self.message
        self.details = details
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return {"error": body}


class NotFound(LifelineError):
    status_code = 404
    code = "not_found"
    message = "Not found."


class Unauthorized(LifelineError):
    status_code = 401
    code = "unauthorized"
    message = "Sign-in required."


class Forbidden(LifelineError):
    status_code = 403
    code = "forbidden"
    message = "You are not allowed to do this."


class Conflict(LifelineError):
    status_code = 409
    code = "conflict"
    message = "This conflicts with the current state."


class InvalidRequest(LifelineError):
    status_code = 422
    code = "invalid"
    message = "The request is not valid."


class TooManyRequests(LifelineError):
    status_code = 429
    code = "rate_limited"
    message = "Too many requests; try again later."

    def __init__(self, message: str | None = None, retry_after: int = 60, **details: Any) -> None:
        super().__init__(message, retry_after=retry_after, **details)
        self.retry_after = retry_after


class ServiceUnavailable(LifelineError):
    status_code = 503
    code = "unavailable"
    message = "A service this request needs is unavailable."
