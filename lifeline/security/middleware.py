"""HTTP hardening for every response: security headers and request size limits."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Swagger UI and ReDoc load their assets from a CDN; everything else is served by us.
_DOCS_PATHS = ("/docs", "/redoc")
_DOCS_CDN = "https://cdn.jsdelivr.net"


def content_security_policy(path: str, frame_ancestors: Iterable[str]) -> str:
    ancestors = " ".join(["'self'", *frame_ancestors])
    if path.startswith(_DOCS_PATHS):
        return (
            f"default-src 'self'; script-src 'self' 'unsafe-inline' {_DOCS_CDN}; "
            f"style-src 'self' 'unsafe-inline' {_DOCS_CDN}; img-src 'self' data: "
            f"https://fastapi.tiangolo.com; frame-ancestors 'none'"
        )
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'self'; "
        f"form-action 'self'; frame-ancestors {ancestors}"
    )


class SecurityHeaders:
    """Adds CSP (frames limited to the operator's sites), nosniff, referrer and permissions
    policies to every response, and HSTS when served over HTTPS."""

    def __init__(self, app: ASGIApp, frame_ancestors: Iterable[str] = (), hsts: bool = False):
        self.app = app
        self.frame_ancestors = tuple(frame_ancestors)
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}

                def add(name: str, value: str) -> None:
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))

                add("content-security-policy", content_security_policy(path, self.frame_ancestors))
                add("x-content-type-options", "nosniff")
                add("referrer-policy", "strict-origin-when-cross-origin")
                add("permissions-policy", "camera=(), microphone=(), geolocation=()")
                add("cross-origin-opener-policy", "same-origin")
                if self.hsts:
                    add("strict-transport-security", "max-age=31536000; includeSubDomains")
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodySizeLimit:
    """Refuses request bodies over the limit with 413, whether or not they declare a length.
    Upload routes get a larger limit; their own validation is stricter per file type."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        upload_max_bytes: int,
        upload_prefixes: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes
        self.upload_prefixes = upload_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        is_upload = any(path.startswith(p) for p in self.upload_prefixes) and path.endswith(
            ("/attachments", "/upload", "/files")
        )
        limit = self.upload_max_bytes if is_upload else self.max_bytes
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        received = 0
        refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    raise _BodyTooLarge()
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _BodyTooLarge:
            if refused:
                await _too_large(send, limit)


class _BodyTooLarge(HTTPException):
    """Raised from inside the app's body read: rendered as a 413 by the app's HTTP error
    handler (or by this middleware if it escapes)."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="The request body is too large.")


async def _too_large(send: Send, limit: int) -> None:
    body = (
        b'{"error": {"code": "too_large", "message": "The request body is too large.", '
        b'"details": {"max_bytes": ' + str(limit).encode() + b"}}}"
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
