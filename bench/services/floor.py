"""The framework's floor for `run.py --floor`: media's one-row read by primary key on a bare FastAPI app over an
asyncpg pool (no kit: no middleware, no auth, no SQLAlchemy, no logging), beside a bare `/health`. What a
service's read and `/health` would cost if the kit and the service added nothing to FastAPI and the driver.
Served by uvicorn as `floor:app`, `FLOOR_DSN` the media role's asyncpg DSN."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

import asyncpg
from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel

# The columns media's `MediaView` shows, with the same names; the pool's size is the services' (DB_POOL_SIZE).
SQL = """
SELECT id, id AS media_id, owner_id, invitation_id, question_id, kind, file_name, content_type, declared_size,
       size, status, reject_reason, upload_mode, duration_seconds, transcript_status,
       thumbnail_key IS NOT NULL AS has_thumbnail, rendition_status, created_at, updated_at
FROM media_objects WHERE id = $1
"""


class Media(BaseModel):
    id: uuid.UUID
    media_id: uuid.UUID
    owner_id: str
    invitation_id: uuid.UUID
    question_id: uuid.UUID
    kind: str
    file_name: str
    content_type: str
    declared_size: int
    size: int | None
    status: str
    reject_reason: str | None
    upload_mode: str
    duration_seconds: float | None
    transcript_status: str
    has_thumbnail: bool
    rendition_status: str | None
    created_at: datetime
    updated_at: datetime


async def keep_session(connection: asyncpg.Connection) -> None:
    """The pool's reset on release. asyncpg's default sends `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
    RESET ALL;`, a second round trip per read; this app takes no lock, opens no cursor, listens to nothing and sets
    nothing, so there is no session state to reset. The pool still rolls back a transaction left open first. The
    services' reads make one round trip (`kit.db.Query` on a connection from SQLAlchemy's pool, which resets
    nothing on an autocommit connection), so the floor makes one too."""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    dsn = os.environ["FLOOR_DSN"]
    settings = {"search_path": "media"}
    async with asyncpg.create_pool(dsn, min_size=1, max_size=20, server_settings=settings, reset=keep_session) as pool:
        app.state.pool = pool
        yield


app = FastAPI(lifespan=lifespan)


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok", "service": "floor"}


@app.get("/api/v1/media/{media_id}")
async def read(media_id: uuid.UUID, request: Request) -> Media:
    row = await request.app.state.pool.fetchrow(SQL, media_id)
    if row is None:
        raise HTTPException(404)
    return Media(**row)
