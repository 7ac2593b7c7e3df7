"""kit.server's HTTP protocol against a real uvicorn server on 127.0.0.1 and a raw client socket: an answer's head
and body leave in one write, a streamed answer's head leaves while the app waits, and everything else (pipelined
requests, HEAD, bodiless answers, `Connection: close`, an app's error, `Expect: 100-continue`) is answered as
uvicorn answers it. Every write reaching the connection's transport is recorded, so a count cannot come out right
by the timing of the client's reads."""

from __future__ import annotations

import asyncio
import inspect
import re
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any, cast

import pytest
import uvicorn
from starlette.responses import JSONResponse, Response, StreamingResponse
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

from kit.roles import _EmbeddedServer
from kit.server import HTTP_PROTOCOL, OneWriteHttpProtocol
from kit.settings import ServiceSettings
from kit.testing import AppServer, free_port

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

# What the tests serve with: swap in uvicorn's own HttpToolsProtocol to see which of them it fails.
PROTOCOL: type[HttpToolsProtocol] = OneWriteHttpProtocol


class App:
    """/json, /stream (its one chunk once `go` is set), /empty (204), /upload (the body's size), /broken (an error
    after the head), /crash (an error before it)."""

    def __init__(self) -> None:
        self.go = asyncio.Event()
        # Called in the same step as an answer's last write (a server shutting down its connections meanwhile).
        self.answered: Callable[[], None] = lambda: None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        if path == "/json":
            await JSONResponse({"n": scope["query_string"].decode()})(scope, receive, send)
            self.answered()
        elif path == "/stream":

            async def chunks() -> AsyncIterator[bytes]:
                await self.go.wait()
                yield b"first"

            await StreamingResponse(chunks(), media_type="text/event-stream")(scope, receive, send)
        elif path == "/empty":
            await Response(status_code=204)(scope, receive, send)
        elif path == "/upload":
            size, more = 0, True
            while more:
                message = await receive()
                size += len(message.get("body", b""))
                more = message.get("more_body", False)
            await JSONResponse({"size": size})(scope, receive, send)
        elif path == "/broken":
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"10")]})
            raise RuntimeError("broken after the head")
        else:
            raise RuntimeError("crashed before the head")


class _Recorder:
    """The connection's transport, keeping each write that carries data."""

    def __init__(self, transport: asyncio.Transport, writes: list[bytes]) -> None:
        self._transport = transport
        self._writes = writes

    def write(self, data: bytes) -> None:
        if data:
            self._writes.append(bytes(data))
        self._transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def recording(base: type[HttpToolsProtocol], writes: list[bytes]) -> type[HttpToolsProtocol]:
    def connection_made(self: HttpToolsProtocol, transport: asyncio.Transport) -> None:
        base.connection_made(self, cast(asyncio.Transport, _Recorder(transport, writes)))

    return type(f"Recording{base.__name__}", (base,), {"connection_made": connection_made})


@asynccontextmanager
async def serving(
    app: App, writes: list[bytes]
) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter, uvicorn.Server]]:
    """The app served on its own port; a raw connection to it."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, http=recording(PROTOCOL, writes), lifespan="off", log_level="critical"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(30):
            while not server.started:
                assert not task.done(), "the server stopped while starting"
                await asyncio.sleep(0.01)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            yield reader, writer, server
        finally:
            writer.close()
    finally:
        server.should_exit = True
        await task


def request(path: str, *headers: str, method: str = "GET") -> bytes:
    return "\r\n".join([f"{method} {path} HTTP/1.1", "host: test", *headers, "", ""]).encode()


async def answer(reader: asyncio.StreamReader, *, body: bool = True) -> tuple[bytes, bytes]:
    """One answer's head and, unless it has none, its body (by its content-length)."""
    async with asyncio.timeout(10):
        head = await reader.readuntil(b"\r\n\r\n")
        length = re.search(rb"content-length: (\d+)", head)
        return head, await reader.readexactly(int(length.group(1))) if body and length else b""


async def test_a_json_answer_leaves_in_one_write_and_arrives_in_one_read() -> None:
    writes: list[bytes] = []
    async with serving(App(), writes) as (reader, writer, _):
        writer.write(request("/json?n=1"))
        async with asyncio.timeout(10):
            received = await reader.read(65536)

    assert received.startswith(b"HTTP/1.1 200 OK\r\n")
    assert received.endswith(b'\r\n\r\n{"n":"n=1"}')
    assert writes == [received]


async def test_a_streamed_answer_sends_its_head_while_the_app_waits_for_its_first_chunk() -> None:
    app, writes = App(), list[bytes]()
    async with serving(app, writes) as (reader, writer, _):
        writer.write(request("/stream"))
        head, _ = await answer(reader)
        assert not app.go.is_set()
        app.go.set()
        async with asyncio.timeout(10):
            rest = await reader.readuntil(b"0\r\n\r\n")

    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"transfer-encoding: chunked\r\n" in head
    assert rest == b"5\r\nfirst\r\n0\r\n\r\n"
    assert writes[0] == head


async def test_two_pipelined_requests_are_answered_in_order_each_in_one_write() -> None:
    writes: list[bytes] = []
    async with serving(App(), writes) as (reader, writer, _):
        writer.write(request("/json?n=1") + request("/json?n=2"))
        first = await answer(reader)
        second = await answer(reader)

    assert (first[1], second[1]) == (b'{"n":"n=1"}', b'{"n":"n=2"}')
    assert writes == [b"".join(first), b"".join(second)]


async def test_head_and_a_204_are_answered_without_a_body_and_the_connection_serves_the_next_request() -> None:
    writes: list[bytes] = []
    async with serving(App(), writes) as (reader, writer, _):
        writer.write(request("/json?n=1", method="HEAD") + request("/empty") + request("/json?n=2"))
        head_only = await answer(reader, body=False)
        empty = await answer(reader)
        after = await answer(reader)

    assert head_only[0].startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"content-length: 11\r\n" in head_only[0]
    assert empty[0].startswith(b"HTTP/1.1 204 No Content\r\n")
    assert after[1] == b'{"n":"n=2"}'
    assert writes == [head_only[0], empty[0], b"".join(after)]


async def test_an_answer_to_connection_close_leaves_in_one_write_and_then_the_connection_closes() -> None:
    writes: list[bytes] = []
    async with serving(App(), writes) as (reader, writer, _):
        writer.write(request("/json?n=1", "connection: close"))
        async with asyncio.timeout(10):
            received = await reader.read()

    assert b"\r\nconnection: close\r\n" in received
    assert received.endswith(b'{"n":"n=1"}')
    assert writes == [received]


async def test_an_error_after_the_head_sends_the_head_and_closes_the_connection_as_uvicorn_does() -> None:
    writes: list[bytes] = []
    async with serving(App(), writes) as (reader, writer, _):
        writer.write(request("/broken"))
        async with asyncio.timeout(10):
            received = await reader.read()

    assert received.startswith(b"HTTP/1.1 200 OK\r\n")
    assert received.endswith(b"content-length: 10\r\n\r\n")
    assert writes == [received]


async def test_an_error_before_the_head_is_uvicorns_500_in_one_write() -> None:
    writes: list[bytes] = []
    async with serving(App(), writes) as (reader, writer, _):
        writer.write(request("/crash"))
        async with asyncio.timeout(10):
            received = await reader.read()

    assert received.startswith(b"HTTP/1.1 500 Internal Server Error\r\n")
    assert received.endswith(b"\r\n\r\nInternal Server Error")
    assert writes == [received]


async def test_a_client_expecting_100_continue_gets_it_before_sending_its_body() -> None:
    writes: list[bytes] = []
    async with serving(App(), writes) as (reader, writer, _):
        writer.write(request("/upload", "expect: 100-continue", "content-length: 4", method="POST"))
        async with asyncio.timeout(10):
            interim = await reader.readuntil(b"\r\n\r\n")
        writer.write(b"abcd")
        _, body = await answer(reader)

    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert body == b'{"size":4}'


async def test_an_answer_completed_as_the_server_shuts_its_connections_down_still_reaches_the_client() -> None:
    # uvicorn's graceful shutdown closes a connection whose answer is complete, from its own task: the last write
    # must be in the transport by then, not waiting for the end of the step.
    app, writes = App(), list[bytes]()
    async with serving(app, writes) as (reader, writer, server):

        def shut_down() -> None:
            for connection in server.server_state.connections:
                connection.shutdown()

        app.answered = shut_down
        writer.write(request("/json?n=1", method="HEAD"))
        async with asyncio.timeout(10):
            received = await reader.read()

    assert received.startswith(b"HTTP/1.1 200 OK\r\n")
    assert writes == [received]


def test_the_deploy_commands_name_the_protocol_uvicorn_loads() -> None:
    config = uvicorn.Config(App(), http=HTTP_PROTOCOL)
    config.load()

    assert config.http_protocol_class is OneWriteHttpProtocol


def test_a_services_api_role_serves_with_the_same_protocol(settings: ServiceSettings) -> None:
    assert _EmbeddedServer("users.main:app", settings).server.config.http is OneWriteHttpProtocol


async def test_a_test_server_serves_with_the_same_protocol(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[OneWriteHttpProtocol] = []
    made = OneWriteHttpProtocol.connection_made

    def connection_made(self: OneWriteHttpProtocol, transport: asyncio.Transport) -> None:
        served.append(self)
        made(self, transport)

    monkeypatch.setattr(OneWriteHttpProtocol, "connection_made", connection_made)
    async with AppServer(App(), lifespan="off") as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(request("/json?n=1"))
        _, body = await answer(reader)
        writer.close()

    assert body == b'{"n":"n=1"}'
    assert len(served) == 1


def test_uvicorns_cycle_uses_only_the_transport_calls_the_writer_answers() -> None:
    # kit.server's writer implements write, close and is_closing; a uvicorn whose cycle calls more needs them.
    calls = set(re.findall(r"self\.transport\.(\w+)", inspect.getsource(RequestResponseCycle)))
    # And it relies on a cycle made in on_headers_complete, its end reported through on_response_complete.
    made = inspect.getsource(HttpToolsProtocol.on_headers_complete)

    assert calls == {"write", "close", "is_closing"}
    assert "self.cycle = RequestResponseCycle(" in made
    assert "on_response=self.on_response_complete" in made
