from fastapi import FastAPI

from interviews.settings import Settings
from kit.app import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings or Settings(),
        title="interviews service",
        description="Interview templates, questions, invitations and responses.",
    )


app = create_app()
