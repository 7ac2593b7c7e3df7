from fastapi import FastAPI

from gateway.settings import Settings
from kit.app import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings or Settings(),
        title="gateway service",
        description="The API gateway: Keycloak OIDC, RBAC, proxy with circuit breakers, registration saga.",
    )


app = create_app()
