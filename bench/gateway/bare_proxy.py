"""A bare FastAPI proxy route (no auth, no middleware) forwarding any GET to the users service with
either aiohttp or httpx (`BARE_PROXY_CLIENT`), to measure the client on the proxy's hot path."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import httpx
from fastapi import FastAPI, Request, Response

UPSTREAM = os.environ["BARE_PROXY_UPSTREAM"]
CLIENT = os.environ.get("BARE_PROXY_CLIENT", "aiohttp")
FORWARDED = ("x-internal-token", "x-user-id", "x-user-role")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    if CLIENT == "aiohttp":
        app.state.client = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    else:
        app.state.client = httpx.AsyncClient(limits=httpx.Limits(max_connections=None, max_keepalive_connections=100))
    yield
    if CLIENT == "aiohttp":
        await app.state.client.close()
    else:
        await app.state.client.aclose()


app = FastAPI(lifespan=lifespan)


@app.get("/{path:path}")
async def proxy(path: str, request: Request) -> Response:
    headers = {k: request.headers[k] for k in FORWARDED if k in request.headers}
    url = f"{UPSTREAM}/{path}"
    if CLIENT == "aiohttp":
        async with request.app.state.client.get(url, headers=headers) as upstream:
            body = await upstream.read()
            return Response(body, upstream.status, media_type=upstream.headers.get("content-type"))
    answer = await request.app.state.client.get(url, headers=headers)
    return Response(answer.content, answer.status_code, media_type=answer.headers.get("content-type"))
