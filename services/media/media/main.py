from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from kit.app import create_service_app
from media.api import router
from media.commands import Jobs
from media.privacy_api import router as privacy_router
from media.settings import Settings
from media.storage import Storage


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.storage = Storage(settings)
        app.state.jobs = Jobs(settings)
        try:
            yield
        finally:
            await app.state.jobs.close()

    return create_service_app(
        settings,
        routers=[router, privacy_router],
        lifespan=lifespan,
        title="media service",
        description="Video and audio answers: presigned uploads to S3, ffprobe checks and transcription.",
    )


app = create_app()
