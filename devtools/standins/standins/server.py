"""Serve an ASGI app on 127.0.0.1, on a free port, inside the running event loop."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field

import uvicorn
from fastapi import FastAPI


@dataclass
class HttpStandIn:
    """Base of every stand-in: `app()` builds its API; `start()` serves it until `stop()`."""

    port: int = field(default=0, init=False)
    _server: uvicorn.Server | None = field(default=None, init=False, repr=False)
    _task: asyncio.Task[None] | None = field(default=None, init=False, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app(self) -> FastAPI:
        raise NotImplementedError

    async def start(self) -> None:
        # The socket is bound here and handed to uvicorn, so no other process can take the port in between.
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app(), log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                sock.close()
                await self._task  # raises why it could not start
                raise RuntimeError(f"{type(self).__name__} stopped before it started")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
            self._server = self._task = None
