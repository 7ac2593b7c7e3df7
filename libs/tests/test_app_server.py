"""The uvicorn server tests start for an app: on its own loopback port, stopped and started again on the same
port (an upstream taken down and brought back), and a start-up that fails reported at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI

from kit.testing import AppServer


def counting_app() -> FastAPI:
    app = FastAPI()
    app.state.calls = 0

    @app.get("/calls")
    async def calls() -> dict[str, int]:
        app.state.calls += 1
        return {"calls": app.state.calls}

    return app


async def test_a_server_answers_on_its_port_refuses_while_stopped_and_answers_again_on_the_same_port() -> None:
    server = AppServer(counting_app())
    async with httpx.AsyncClient(base_url=server.url) as client:
        async with server:
            assert (await client.get("/calls")).json() == {"calls": 1}
        with pytest.raises(httpx.ConnectError):
            await client.get("/calls")
        await server.start()
        try:
            assert server.url == f"http://127.0.0.1:{server.port}"
            assert (await client.get("/calls")).json() == {"calls": 2}
        finally:
            await server.stop()


async def test_an_app_whose_start_up_fails_makes_start_raise_instead_of_waiting_out_its_timeout() -> None:
    @asynccontextmanager
    async def failing(app: FastAPI) -> AsyncIterator[None]:
        raise RuntimeError("no database")
        yield

    server = AppServer(FastAPI(lifespan=failing), lifespan="on", start_timeout_s=600)

    with pytest.raises(RuntimeError, match="stopped while starting"):
        await server.start()


async def test_a_port_already_taken_makes_start_raise_instead_of_ending_the_test_run() -> None:
    async with AppServer(counting_app()) as first:
        second = AppServer(counting_app(), port=first.port)

        with pytest.raises(RuntimeError, match="stopped while starting"):
            await second.start()
