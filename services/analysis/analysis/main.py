from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from analysis.api import router
from analysis.commands import Jobs
from analysis.privacy_api import router as privacy_router
from analysis.settings import Settings
from kit.app import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.jobs = Jobs(settings)
        try:
            yield
        finally:
            await app.state.jobs.close()

    return create_service_app(
        settings,
        routers=[router, privacy_router],
        lifespan=lifespan,
        title="analysis service",
        description="LLM scoring of completed interviews.",
    )


app = create_app()
