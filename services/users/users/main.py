from fastapi import FastAPI

from kit.app import create_service_app
from users.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings or Settings(),
        title="users service",
        description="Users, roles, companies, skills taxonomy and candidate profiles.",
    )


app = create_app()
