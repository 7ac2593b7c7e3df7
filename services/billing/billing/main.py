"""The billing service's app: `uvicorn billing.main:app`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from billing.api import router
from billing.cache import QuotaCache
from billing.payments import Payments
from billing.settings import Settings
from kit.app import create_service_app
from kit.domain import utcnow


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.payments = Payments(settings)
        app.state.quota_cache = QuotaCache(app.state.redis, ttl_s=settings.quota_cache_ttl_s)
        try:
            yield
        finally:
            await app.state.quota_cache.drain()
            await app.state.payments.aclose()

    app = create_service_app(
        settings,
        routers=[router],
        lifespan=lifespan,
        title="billing service",
        description="Plans, subscriptions, quotas, usage and Stripe.",
        stale_version_code="CONCURRENT_MODIFICATION",
        # The Stripe webhook keeps the kit's 1 MiB body limit: billing's design refuses larger events (413),
        # and its route enforces the same cap while reading.
    )
    app.state.clock = utcnow
    return app


app = create_app()
