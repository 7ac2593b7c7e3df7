from fastapi import FastAPI

from kit.app import create_service_app
from notifications.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings or Settings(),
        title="notifications service",
        description="E-mail, in-app notifications and webhooks.",
    )


app = create_app()
