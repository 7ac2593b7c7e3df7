from fastapi import FastAPI

from kit.app import create_service_app
from users.api import router
from users.domain import VersionConflict
from users.settings import Settings
from users.storage import MULTIPART_OVERHEAD, AvatarStore


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = create_service_app(
        settings,
        routers=[router],
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
