"""uvicorn's HTTP protocol with a response's head and body in one write.

uvicorn (httptools) writes a response's status line and headers when the app sends `http.response.start` and its
body with a second `transport.write`. With TCP_NODELAY those are two segments: the receiver (the gateway's
aiohttp client, a browser) is woken twice for one answer, and the sender pays two write system calls. Here the
head waits for the body when the app sends both in the same step of the event loop (every `Response`); a
streamed answer (the notification stream, the gateway's relay of it) still gets its head out at the end of the
step, before the app waits for its first event. uvicorn has no setting for this (h11 and zttp write the same way).

Every api runs with it: `uvicorn <svc>.main:app --http kit.server:OneWriteHttpProtocol` (compose, helm, devstack,
the benches), and `kit.roles` passes the class.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HTTP_PROTOCOL = "kit.server:OneWriteHttpProtocol"


class _OneWrite(asyncio.Transport):
    """The transport as a request's cycle sees it: a write waits until the end of the event loop's step, and goes
    out with the next write if one comes first. So at most one write is held, and the transport's own buffer and
    its flow control see every other write as before."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._transport = transport
        self._loop = loop
        self._held = b""
        self._flush: asyncio.Handle | None = None

    def write(self, data: bytes | bytearray | memoryview[Any]) -> None:
        if self._flush is None:
            self._held = bytes(data)
            self._flush = self._loop.call_soon(self.flush)
            return
        self._flush.cancel()
        self._flush = None
        held, self._held = self._held, b""
        self._transport.write(held + data)

    def flush(self) -> None:
        if self._flush is None:
            return
        self._flush.cancel()
        self._flush = None
        held, self._held = self._held, b""
        # As uvicorn's cycle, which stops writing once the client has gone.
        if not self._transport.is_closing():
            self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()


class OneWriteHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol whose request cycles write through `_OneWrite`; the rest is uvicorn's."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._one_write = _OneWrite(transport, self.loop)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        # The cycle's task has not run yet (it is only scheduled, or queued behind a pipelined request). Without
        # a new cycle (a websocket upgrade) the current one keeps the writer it has.
        if self.cycle is not None:
            self.cycle.transport = self._one_write

    def on_response_complete(self) -> None:
        # The answer's last write goes into the transport now, not at the end of the step: uvicorn's graceful
        # shutdown closes a connection whose answer is complete from its own task, which may run first.
        self._one_write.flush()
        super().on_response_complete()
