from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from kit.app import create_service_app
from kit.http import Breakers, ServiceClient
from users.api import router
from users.domain import VersionConflict
from users.members_api import router as members_router
from users.privacy_api import router as privacy_router
from users.quota import Quota
from users.settings import Settings
from users.storage import MULTIPART_OVERHEAD, AvatarStore


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
        routers=[router, members_router, privacy_router],
        lifespan=lifespan,
        title="users service",
        description="Users, roles, companies, skills taxonomy and candidate profiles.",
        # A writer that lost the race past the If-Match check answers like a stale If-Match.
        stale_version_code=VersionConflict.code,
        # The avatar's multipart body may be larger than the kit's default body limit (read_avatar bounds it).
        body_limits={"/users/{userId}/avatar": settings.avatar_max_bytes + MULTIPART_OVERHEAD},
    )
    app.state.avatars = AvatarStore(settings)
    return app


app = create_app()
