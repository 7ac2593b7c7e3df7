from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from interviews.api import router
from interviews.fairness_api import router as fairness_router
from interviews.invite_api import router as invite_router
from interviews.message_api import router as message_router
from interviews.privacy_api import router as privacy_router
from interviews.quota import Quota
from interviews.review_api import router as review_router
from interviews.settings import Settings
from kit.app import create_service_app
from kit.domain import utcnow
from kit.http import Breakers, ServiceClient


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
        app.state.quota = Quota(billing, concurrency=settings.quota_concurrency)
        try:
            yield
        finally:
            if billing is not None:
                await billing.aclose()

    app = create_service_app(
        settings,
        routers=[router, review_router, invite_router, fairness_router, privacy_router, message_router],
        lifespan=lifespan,
        title="interviews service",
        description="Interview templates, questions, invitations and responses.",
        # A lost race answers 409 with the code the reference's users service uses for it.
        stale_version_code="CONCURRENT_MODIFICATION",
    )
    app.state.clock = utcnow

    return app


app = create_app()
