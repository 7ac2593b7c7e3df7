"""The routes `kit.direct` serves without FastAPI's dependency solve: each answers every request as FastAPI's own
path answers it, an app with a dependency override is served by FastAPI, the API document is the same, and the
read session goes back to the pool however the request ends."""

from __future__ import annotations

import importlib
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI, Header, Path, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text
from starlette.types import Message

from kit import direct as kit_direct
from kit.app import create_service_app
from kit.auth import CurrentUser, Principal, internal_principal, principal_of, require_roles
from kit.db import ReadSession
from kit.errors import NotFound
from kit.schemas import Command, QueryModel, View
from kit.settings import ServiceSettings
from kit.testing import Caller, comparable

MISSING = uuid.UUID(int=1)
BUG = uuid.UUID(int=2)

router = APIRouter(prefix="/api")
ThingId = Annotated[uuid.UUID, Path(alias="thingId")]


class ThingView(View):
    id: uuid.UUID
    owner: str
    size: int
    note: str | None = None


@router.get("/things/{thingId}", response_model_exclude_none=True)
async def get_thing(
    thing_id: ThingId, session: ReadSession, caller: CurrentUser, size: Annotated[int, Query(ge=1, le=10)] = 1
) -> ThingView:
    # A statement through the session: it holds a connection until the request middleware closes it.
    await session.scalar(text("SELECT 1"))
    if thing_id == MISSING:
        raise NotFound("No such thing")
    if thing_id == BUG:
        raise RuntimeError("a bug")
    return ThingView(id=thing_id, owner=caller.user_id, size=size)


class ListQuery(BaseModel):
    model_config = ConfigDict(frozen=True)

    page: int = Field(default=1, ge=1, le=100)
    unread: bool = False


LIST_QUERY = QueryModel(ListQuery)


@router.get("/listed", dependencies=[require_roles("hr", "admin")], openapi_extra=LIST_QUERY.openapi)
async def listed(request: Request, session: ReadSession) -> dict[str, Any]:
    query = LIST_QUERY(request)
    return {"page": query.page, "unread": query.unread, "role": principal_of(request).role}


@router.get("/plain")
async def plain(caller: CurrentUser) -> PlainTextResponse:
    return PlainTextResponse(f"hello {caller.user_id}", headers={"x-thing": "1"})


@router.get("/page", response_class=HTMLResponse)
async def page(caller: CurrentUser) -> str:
    return f"<p>{caller.role}</p>"


@router.delete("/things/{thingId}", status_code=204)
async def delete_thing(thing_id: ThingId, caller: CurrentUser) -> None:
    return None


@router.post("/things/{thingId}/touch", status_code=201)
async def touch(thing_id: ThingId, caller: CurrentUser, session: ReadSession) -> ThingView:
    return ThingView(id=thing_id, owner=caller.user_id, size=1, note="touched")


class Body(Command):
    name: str


async def session_in_yield() -> AsyncIterator[int]:
    yield 1


def sync_dependency() -> int:
    return 1


async def nested(caller: CurrentUser) -> str:
    return caller.user_id


@asynccontextmanager
async def app_for(settings: ServiceSettings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_service_app(settings, routers=[router])
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield app, client


def served_directly(app: FastAPI) -> dict[tuple[str, str], kit_direct.Direct]:
    return {
        (method, route.path): route.app
        for route in kit_direct._routes(app)
        if isinstance(route.app, kit_direct.Direct)
        for method in route.methods
    }


@pytest.fixture
async def both(
    settings: ServiceSettings, engine: object, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[tuple[FastAPI, httpx.AsyncClient], tuple[FastAPI, httpx.AsyncClient]]]:
    """An app whose qualifying routes are served directly, and the same app served by FastAPI alone."""
    async with app_for(settings) as fast:
        with monkeypatch.context() as patched:
            patched.setattr(kit_direct, "direct", lambda route, app: None)
            async with app_for(settings) as slow:
                assert not served_directly(slow[0])
                yield fast, slow


def test_a_route_with_anything_more_to_solve_is_left_to_fastapi() -> None:
    shapes = APIRouter()

    async def with_body(body: Body, caller: CurrentUser) -> None: ...
    async def with_header(caller: CurrentUser, x_thing: Annotated[str, Header()]) -> None: ...
    async def with_yield(value: Annotated[int, Depends(session_in_yield)]) -> None: ...
    async def with_sync(value: Annotated[int, Depends(sync_dependency)]) -> None: ...
    async def with_nested(value: Annotated[str, Depends(nested)]) -> None: ...
    async def with_background(caller: CurrentUser, tasks: BackgroundTasks) -> None: ...
    def sync_endpoint(caller: CurrentUser) -> None: ...
    async def qualifies(thing_id: ThingId, session: ReadSession, caller: CurrentUser, page: int = 1) -> None: ...

    for endpoint in (
        with_body,
        with_header,
        with_yield,
        with_sync,
        with_nested,
        with_background,
        sync_endpoint,
        qualifies,
    ):
        shapes.add_api_route(f"/{endpoint.__name__}/{{thingId}}", endpoint, methods=["POST"])
    app = FastAPI()
    app.include_router(shapes)
    assert sorted(route.path for route in kit_direct._routes(app) if kit_direct.direct(route, route.app)) == [
        "/qualifies/{thingId}"
    ]


def test_the_six_hot_reads_are_served_directly_and_their_api_documents_are_unchanged() -> None:
    hot = {
        "users": ("GET", "/users/{userId}"),
        "interviews": ("GET", "/api/invitations/hr"),
        "media": ("GET", "/api/v1/media/{media_id}"),
        "analysis": ("GET", "/api/v1/analysis/{invitation_id}"),
        "notifications": ("GET", "/api/notifications"),
        "billing": ("GET", "/api/billing/subscription"),
    }
    for service, route in hot.items():
        create_app = importlib.import_module(f"{service}.main").create_app
        untouched, served = create_app(), create_app()
        kit_direct.install(served)
        assert route in served_directly(served), service
        assert json.dumps(served.openapi()) == json.dumps(untouched.openapi()), service


async def test_the_direct_path_answers_as_fastapis_path_answers(
    both: tuple[tuple[FastAPI, httpx.AsyncClient], tuple[FastAPI, httpx.AsyncClient]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (fast, direct_client), (_, fastapi_client) = both
    assert set(served_directly(fast)) >= {
        ("GET", "/api/things/{thingId}"),
        ("GET", "/api/listed"),
        ("GET", "/api/plain"),
        ("GET", "/api/page"),
        ("DELETE", "/api/things/{thingId}"),
        ("POST", "/api/things/{thingId}/touch"),
    }
    hr, candidate = Caller("hr").headers, Caller("candidate").headers
    thing = f"/api/things/{uuid.uuid4()}"
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", thing, {"headers": hr}),
        ("GET", thing, {"headers": hr, "params": {"size": "3"}}),
        ("GET", thing, {}),  # no credentials: 401
        ("GET", thing, {"headers": {**hr, "x-internal-token": "guess"}}),  # 401
        ("GET", "/api/things/not-a-uuid", {"headers": hr}),  # 422 naming the path parameter
        ("GET", thing, {"headers": hr, "params": {"size": "11"}}),  # 422 naming the query parameter
        ("GET", "/api/things/not-a-uuid", {"headers": hr, "params": {"size": "x"}}),  # both named
        ("GET", "/api/things/not-a-uuid", {}),  # the caller first: 401, as FastAPI solves it before parameters
        ("GET", f"/api/things/{MISSING}", {"headers": hr}),  # the handler's refusal: 404
        ("GET", f"/api/things/{BUG}", {"headers": hr}),  # the handler's bug: 500
        ("GET", "/api/listed", {"headers": hr, "params": {"page": "2", "unread": "true"}}),
        ("GET", "/api/listed", {"headers": candidate}),  # the roles gate: 403
        ("GET", "/api/listed", {"headers": hr, "params": {"page": "0"}}),  # the query model's 422
        ("GET", "/api/plain", {"headers": hr}),  # a response of the handler's own
        ("GET", "/api/page", {"headers": hr}),  # a declared response class
        ("DELETE", thing, {"headers": hr}),  # 204: no body
        ("POST", f"{thing}/touch", {"headers": hr}),  # a declared status
        ("PUT", thing, {"headers": hr}),  # another method only: FastAPI's 405 on both
    ]
    served: list[str] = []
    serve = kit_direct.Direct.__call__

    async def counted(self: kit_direct.Direct, scope: Any, receive: Any, send: Any) -> None:
        served.append(scope["path"])
        await serve(self, scope, receive, send)

    monkeypatch.setattr(kit_direct.Direct, "__call__", counted)
    for method, path, kwargs in requests:
        answers = [
            comparable(await client.request(method, path, **kwargs)) for client in (direct_client, fastapi_client)
        ]
        assert answers[0] == answers[1], (method, path, kwargs)
    # Each request but the 405 took the direct path once: on the first app, never on the second.
    assert served == [path for method, path, _ in requests if method != "PUT"]


async def test_an_app_with_a_dependency_override_is_served_by_fastapi_with_the_override(
    settings: ServiceSettings, engine: object
) -> None:
    async with app_for(settings) as (app, client):
        assert ("GET", "/api/things/{thingId}") in served_directly(app)

        async def stand_in() -> Principal:
            return Principal(user_id="stand-in", role="hr")

        app.dependency_overrides[internal_principal] = stand_in
        response = await client.get(f"/api/things/{uuid.uuid4()}")  # no credentials: the override is the caller
    assert (response.status_code, response.json()["owner"]) == (200, "stand-in")


async def test_the_api_document_is_the_one_fastapi_makes_for_the_same_routes(
    both: tuple[tuple[FastAPI, httpx.AsyncClient], tuple[FastAPI, httpx.AsyncClient]],
) -> None:
    (_, direct_client), (_, fastapi_client) = both
    documents = [(await client.get("/openapi.json")).content for client in (direct_client, fastapi_client)]
    assert documents[0] == documents[1]


def checked_out(app: FastAPI) -> int:
    return app.state.engine.sync_engine.pool.checkedout()  # type: ignore[no-any-return]


async def test_the_read_session_is_returned_to_the_pool_however_the_request_ends(
    both: tuple[tuple[FastAPI, httpx.AsyncClient], tuple[FastAPI, httpx.AsyncClient]],
) -> None:
    hr = Caller("hr").headers
    outcomes = {
        f"/api/things/{uuid.uuid4()}": 200,
        f"/api/things/{MISSING}": 404,  # the handler refused
        f"/api/things/{BUG}": 500,  # the handler raised
        f"/api/things/{uuid.uuid4()}?size=0": 422,  # refused after the session was opened
    }
    for app, client in both:
        for path, status in outcomes.items():
            response = await client.get(path, headers=hr)
            assert (response.status_code, checked_out(app)) == (status, 0), path


class ClientGone(Exception):
    pass


async def test_the_read_session_is_returned_to_the_pool_when_the_client_is_gone(
    both: tuple[tuple[FastAPI, httpx.AsyncClient], tuple[FastAPI, httpx.AsyncClient]],
) -> None:
    """The server's send fails (the connection was closed) once the handler ran its statement."""
    path = f"/api/things/{uuid.uuid4()}"
    headers = [(name.encode(), value.encode()) for name, value in Caller("hr").headers.items()]

    def scope() -> dict[str, Any]:
        return {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": headers,
            "client": ("127.0.0.1", 1),
            "server": ("test", 80),
            "state": {},
        }

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        raise ClientGone

    for app, _ in both:
        with pytest.raises(ClientGone):
            await app(scope(), receive, send)
        assert checked_out(app) == 0
