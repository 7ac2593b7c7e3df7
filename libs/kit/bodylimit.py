"""Request bodies are bounded before anything parses or buffers them: a declared `Content-Length` over the
limit is refused before the app runs, and a body without one (chunked, streamed) is counted as it arrives and
refused the moment it passes the limit, so no more of it is read. The refusal is a 413 with the error
envelope. The limit is the service's default, or a larger one a route is declared with (an upload)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kit.errors import error_response

MIB = 1024 * 1024


class BodyTooLarge(HTTPException):
    """Raised from `receive` while the app reads the body. An HTTPException, because FastAPI turns any other
    exception met while reading a body into a 400; the kit's handler renders it as the 413 envelope."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body may be at most {limit} bytes")


def _template(path: str) -> re.Pattern[str]:
    """A route's path template as a pattern over the request path: a `{param}` is one segment."""
    parts = re.split(r"({[^}]+})", path)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + "$")


class BodyLimitMiddleware:
    """`route_limits` maps route path templates (`/users/{user_id}/avatar`) to their own limit; it is looked up
    by the request's path before routing, so a declared length is refused without running the app."""

    def __init__(self, app: ASGIApp, *, default_bytes: int, route_limits: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.default = default_bytes
        self.routes = [(_template(path), limit) for path, limit in (route_limits or {}).items()]

    def limit(self, path: str) -> int:
        return next((limit for pattern, limit in self.routes if pattern.match(path)), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            # Raised where no handler renders it (a middleware reading the body): answered here if still possible.
            if started:
                raise
            await self._refuse(scope, receive, send, limit)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        refusal = BodyTooLarge(limit)
        response = error_response(Request(scope), 413, "PAYLOAD_TOO_LARGE", str(refusal.detail))
        await response(scope, receive, send)
