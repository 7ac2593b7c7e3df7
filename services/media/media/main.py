from fastapi import FastAPI

from kit.app import create_service_app
from media.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings or Settings(),
        title="media service",
        description="Video and audio uploads to S3, probing and transcription.",
    )


app = create_app()
