"""A local stand-in of Resend's e-mail API for the notifications tests: the official `resend` SDK, pointed at it
with `resend.api_url`, sends `POST /emails` over HTTP on 127.0.0.1. It checks the bearer key, records each
e-mail as received and answers with its id, or with Resend's error shape when told to fail."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from standins.server import HttpStandIn


@dataclass
class ResendStandIn(HttpStandIn):
    api_key: str = "re_test_key"
    failing: bool = False
    emails: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/emails")
        async def send(request: Request) -> JSONResponse:
            if request.headers.get("authorization") != f"Bearer {self.api_key}":
                return JSONResponse(
                    {"statusCode": 401, "name": "validation_error", "message": "API key is invalid"}, status_code=401
                )
            if self.failing:
                return JSONResponse(
                    {"statusCode": 500, "name": "application_error", "message": "Something went wrong"},
                    status_code=500,
                )
            body = await request.json()
            email_id = str(uuid.uuid4())
            self.emails.append({"id": email_id, **body})
            return JSONResponse({"id": email_id})

        return app
