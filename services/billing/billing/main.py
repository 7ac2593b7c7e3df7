"""The billing service's app: `uvicorn billing.main:app`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from billing.api import MAX_WEBHOOK_BYTES, router
from billing.cache import QuotaCache
from billing.payments import Payments
from billing.privacy_api import router as privacy_router
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
        routers=[router, privacy_router],
        lifespan=lifespan,
        title="billing service",
        description="Plans, subscriptions, quotas, usage and Stripe.",
        stale_version_code="CONCURRENT_MODIFICATION",
        body_limits={"/api/billing/webhooks/stripe": MAX_WEBHOOK_BYTES},
    )
    app.state.clock = utcnow
    return app


app = create_app()
