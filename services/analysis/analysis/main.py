from fastapi import FastAPI

from analysis.settings import Settings
from kit.app import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings or Settings(),
        title="analysis service",
        description="LLM scoring of completed interviews.",
    )


app = create_app()
