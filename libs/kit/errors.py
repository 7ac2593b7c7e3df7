"""Domain errors carry their HTTP status and code; one handler renders the envelope of design.md §5."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

import structlog
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kit.observability import correlation_id

log = structlog.get_logger("kit.errors")


class DomainError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "BAD_REQUEST"

    def __init__(self, message: str, *, details: Any = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = headers


class Invalid(DomainError):
    status, code = 422, "VALIDATION_ERROR"


class Unauthorized(DomainError):
    status, code = 401, "UNAUTHORIZED"


class Forbidden(DomainError):
    status, code = 403, "FORBIDDEN"


class NotFound(DomainError):
    status, code = 404, "NOT_FOUND"


class Conflict(DomainError):
    status, code = 409, "CONFLICT"


class ServiceUnavailable(DomainError):
    status, code = 503, "SERVICE_UNAVAILABLE"


_STATUS_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "TOO_MANY_REQUESTS",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


def error_body(request: Request, status: int, code: str, message: str, details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "success": False,
        "statusCode": status,
        "code": code,
        "error": message,
        "path": request.url.path,
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "correlationId": correlation_id.get(),
    }
    if details is not None:
        body["details"] = details
    return body


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(jsonable_encoder(error_body(request, status, code, message, details)), status, headers=headers)


def _field_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "field": ".".join(str(p) for p in err["loc"] if p not in ("body", "query", "path", "header")),
            "location": str(err["loc"][0]) if err["loc"] else "body",
            "message": err["msg"],
            "type": err["type"],
        }
        for err in exc.errors()
    ]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def on_domain_error(request: Request, exc: DomainError) -> JSONResponse:
        return error_response(request, exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(request, 422, "VALIDATION_ERROR", "Request validation failed", _field_details(exc))

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "HTTP_ERROR")
        return error_response(
            request, exc.status_code, code, str(exc.detail), headers=dict(exc.headers) if exc.headers else None
        )

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        # A 5xx is a bug by definition (domain outcomes are DomainErrors), so it is logged with the stack.
        log.exception("http.unhandled_error", path=request.url.path)
        return error_response(request, 500, "INTERNAL_ERROR", "Internal server error")
