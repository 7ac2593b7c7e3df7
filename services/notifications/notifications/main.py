"""The notifications service's app: `uvicorn notifications.main:app`."""

from fastapi import FastAPI

from kit.app import create_service_app
from kit.domain import utcnow
from notifications import stream
from notifications.api import router
from notifications.privacy_api import router as privacy_router
from notifications.settings import Settings
from notifications.webhooks import api as webhooks


def create_app(settings: Settings | None = None) -> FastAPI:
    app = create_service_app(
        settings or Settings(),
        routers=[router, stream.router, webhooks.router, privacy_router],
        title="notifications service",
        description="E-mail, in-app notifications and webhooks.",
    )
    app.state.clock = utcnow
    return app


app = create_app()
