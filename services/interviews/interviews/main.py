from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from interviews.api import router
from interviews.quota import Quota
from interviews.settings import Settings
from kit.app import create_service_app
from kit.domain import utcnow
from kit.errors import error_response
from kit.http import Breakers, ServiceClient

UNIQUE_VIOLATION = "23505"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        billing = None
        if settings.quota_enforcement:
            billing = ServiceClient(
                "billing",
                settings.billing_url,
                Breakers(settings.service_name),
                internal_token=settings.internal_token.get_secret_value(),
                timeout_s=settings.quota_timeout_s,
            )
        app.state.quota = Quota(billing)
        try:
            yield
        finally:
            if billing is not None:
                await billing.aclose()

    app = create_service_app(
        settings,
        routers=[router],
        lifespan=lifespan,
        title="interviews service",
        description="Interview templates, questions, invitations and responses.",
    )
    app.state.clock = utcnow

    # Two requests that raced on one row: the loser learns it, the way the reference's users service says it.
    @app.exception_handler(StaleDataError)
    async def on_stale(request: Request, exc: StaleDataError) -> JSONResponse:
        return error_response(request, 409, "CONCURRENT_MODIFICATION", "Resource was modified by another request")

    @app.exception_handler(IntegrityError)
    async def on_integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        if getattr(exc.orig, "sqlstate", None) == UNIQUE_VIOLATION:
            return error_response(request, 409, "CONFLICT", "The resource already exists")
        raise exc

    return app


app = create_app()
