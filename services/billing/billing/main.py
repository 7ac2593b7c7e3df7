"""The billing service's app: `uvicorn billing.main:app`."""

from fastapi import FastAPI

from billing.api import router
from billing.settings import Settings
from kit.app import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings or Settings(),
        routers=[router],
        title="billing service",
        description="Plans, subscriptions, quotas, usage and Stripe.",
    )


app = create_app()
