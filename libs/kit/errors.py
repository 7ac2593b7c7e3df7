"""Domain errors carry their HTTP status and code; one set of handlers renders every error as the envelope
`{success: false, statusCode, code, error, details?, path, timestamp, correlationId}`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

import structlog
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from kit.observability import correlation_id

log = structlog.get_logger("kit.errors")


class DomainError(Exception):
    """Declare a service's errors as subclasses of the semantic parents below, overriding only `code` (and
    `status` where no parent fits). `commits = True` marks an outcome that changed state on the way to the
    refusal (an invitation found expired is marked so): `kit.db.transaction` commits before re-raising."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "BAD_REQUEST"
    commits: ClassVar[bool] = False

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


class Gone(DomainError):
    status, code = 410, "GONE"


class PayloadTooLarge(DomainError):
    status, code = 413, "PAYLOAD_TOO_LARGE"


class UnsupportedMediaType(DomainError):
    status, code = 415, "UNSUPPORTED_MEDIA_TYPE"


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


UNIQUE_VIOLATION = "23505"
CLIENT_CLOSED_REQUEST = 499


def install_error_handlers(app: FastAPI, *, stale_version_code: str = "VERSION_CONFLICT") -> None:
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

    # Two writers raced on one versioned row (SQLAlchemy's version_id_col): the loser learns it with a 409.
    @app.exception_handler(StaleDataError)
    async def on_stale_version(request: Request, exc: StaleDataError) -> JSONResponse:
        return error_response(request, 409, stale_version_code, "Resource was modified by another request")

    # A unique constraint is the last line against a duplicate that slipped past a check (two racing inserts).
    @app.exception_handler(IntegrityError)
    async def on_integrity_error(request: Request, exc: IntegrityError) -> JSONResponse:
        if getattr(exc.orig, "sqlstate", None) == UNIQUE_VIOLATION:
            return error_response(request, 409, "CONFLICT", "The resource already exists")
        log.exception("http.unhandled_error", path=request.url.path)
        return error_response(request, 500, "INTERNAL_ERROR", "Internal server error")

    # No pooled connection came free within the pool's timeout: the service is overloaded (every connection busy
    # or held while it awaits another service), not broken. A 503 with Retry-After, as for any upstream that is
    # unavailable, so a client tries again later; found by bench/journey at 200 simultaneous first sign-ins.
    @app.exception_handler(PoolTimeout)
    async def on_pool_exhausted(request: Request, exc: PoolTimeout) -> JSONResponse:
        log.warning("db.pool_exhausted", path=request.url.path, error=str(exc).split(" (Background", 1)[0])
        return error_response(
            request, 503, "SERVICE_UNAVAILABLE", "The service is busy; try again shortly", headers={"Retry-After": "5"}
        )

    # The client left while its request's body was being read (a closed tab, a cancelled upload): nothing failed
    # here and nobody is left to answer, so no 500 and no stack in the error log. 499, as nginx records it, is
    # what the metrics and the access line count.
    @app.exception_handler(ClientDisconnect)
    async def on_client_gone(request: Request, exc: ClientDisconnect) -> Response:
        log.info("http.client_disconnected", path=request.url.path)
        return Response(status_code=CLIENT_CLOSED_REQUEST)

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        # A 5xx is a bug by definition (domain outcomes are DomainErrors), so it is logged with the stack.
        log.exception("http.unhandled_error", path=request.url.path)
        return error_response(request, 500, "INTERNAL_ERROR", "Internal server error")
