"""The kit's route index (`kit.routing`): every request is answered as FastAPI's own router answers it, by the same
route, however the routes overlap (static before parameterised, one path with several methods, path convertors,
routers included in routers, with prefixes and dependencies, mounts, routes added after start-up); what it does
not decide (404, 405, a trailing slash, the docs) is FastAPI's; the API document is the same."""

from __future__ import annotations

import importlib
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import PlainTextResponse
from fastapi.routing import _FASTAPI_SCOPE_KEY, _IncludedRouter
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from kit import routing
from kit.app import create_service_app
from kit.errors import Forbidden
from kit.routing import RouteIndex
from kit.settings import ServiceSettings
from kit.testing import comparable

Seen = list[tuple[tuple[Any, ...], dict[str, Any], dict[str, Any]]]
SERVICES = ("gateway", "users", "interviews", "media", "analysis", "notifications", "billing", "analytics")


async def deny_on_header(request: Request) -> None:
    if "x-deny" in request.headers:
        raise Forbidden("denied by the router's dependency")


async def echo(request: Request) -> dict[str, Any]:
    return {"path": request.scope["route"].path, "params": request.path_params, "query": dict(request.query_params)}


def endpoint(name: str) -> Any:
    async def answer(request: Request) -> dict[str, Any]:
        return {"endpoint": name, **(await echo(request))}

    answer.__name__ = name
    return answer


TOP = endpoint("top")


async def plain_app(scope: Scope, receive: Receive, send: Send) -> None:
    await PlainTextResponse(f"mounted {scope['path']} {scope.get('root_path', '')}")(scope, receive, send)


def plain_page(request: Request) -> PlainTextResponse:
    return PlainTextResponse("a plain starlette route")


def routers() -> list[APIRouter]:
    """Routers that overlap in every way FastAPI orders; new ones each call (a test adds routes to them)."""
    items = APIRouter(prefix="/items", dependencies=[Depends(deny_on_header)])
    inner = APIRouter()  # included without a prefix of its own, before the parameterised routes
    inner.add_api_route("/inner", endpoint("inner"), methods=["GET"])
    items.include_router(inner)
    items.add_api_route("/special", endpoint("special"), methods=["GET"])
    items.add_api_route("/special", endpoint("special_post"), methods=["POST"])
    items.add_api_route("/{item_id}", endpoint("item"), methods=["GET"])
    items.add_api_route("/{item_id}", endpoint("item_put"), methods=["PUT"])
    items.add_api_route("/{n:int}/detail", endpoint("int_detail"), methods=["GET"])
    items.add_api_route("/{s}/detail", endpoint("str_detail"), methods=["GET"])
    items.add_api_route("/files/{p:path}", endpoint("file"), methods=["GET"])
    items.add_api_route("/", endpoint("create"), methods=["POST"])
    items.mount("/static", plain_app)
    nested = APIRouter(prefix="/nested")
    nested.add_api_route("/{x}", endpoint("nested"), methods=["GET"])
    deeper = APIRouter(prefix="/deeper")
    deeper.add_api_route("/{y}", endpoint("deeper"), methods=["GET"])
    deeper.add_api_route("/{y}", endpoint("deeper_delete"), methods=["DELETE"])
    nested.include_router(deeper)
    items.include_router(nested)

    api = APIRouter()
    api.add_api_route("/api/v1/things", endpoint("v1_things"), methods=["GET"])
    api.add_api_route("/api/{version}/things", endpoint("any_things"), methods=["GET"])
    api.add_api_route("/api/v1/{thing}", endpoint("v1_thing"), methods=["GET"])
    api.add_api_route("/{anything}/shadow", endpoint("shadow"), methods=["GET"])
    api.add_api_route("/items/special", endpoint("special_again"), methods=["GET"])  # after the first
    api.add_api_route("/items/special", endpoint("special_patch"), methods=["PATCH"])
    api.add_api_route("/typed/{n:int}", endpoint("typed"), methods=["GET"])
    api.routes.append(Route("/plain/page", plain_page))

    early = APIRouter(prefix="/late")
    early.add_api_route("/a", endpoint("late_a"), methods=["GET"])
    later = APIRouter(prefix="/late")
    later.add_api_route("/b", endpoint("late_b"), methods=["GET"])
    return [early, items, api, later]


def described(router: APIRouter) -> tuple[str, list[str]]:
    """A router as both apps tell it (the kit's ops router is another object in each)."""
    return router.prefix, [getattr(route, "path", "") for route in router.routes]


class Recorder:
    """What the router left in the request's scope: the route, the endpoint and the path parameters."""

    def __init__(self, app: ASGIApp, seen: Seen) -> None:
        self.app = app
        self.seen = seen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "http":
            route = scope.get("route")
            # A route is told by its path and name: each route here has its own name (the kit's ops routes too).
            endpoint = scope.get("endpoint")
            picked = (getattr(route, "path", None), getattr(route, "name", None), getattr(endpoint, "__name__", None))
            # FastAPI's own notes in the scope: the router included last, the route's context, the form limits.
            notes = {
                key: described(value.original_router)
                if isinstance(value, _IncludedRouter)
                else getattr(value, "path", value)
                for key, value in scope.get(_FASTAPI_SCOPE_KEY, {}).items()
            }
            self.seen.append((picked, dict(scope.get("path_params", {})), notes))


@asynccontextmanager
async def served(
    settings: ServiceSettings, included: list[APIRouter]
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient, Seen]]:
    app = create_service_app(settings, routers=included, database=False)
    app.add_api_route("/top/{x}", TOP, methods=["GET"])
    app.mount("/assets", plain_app)
    seen: Seen = []
    app.add_middleware(Recorder, seen=seen)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield app, client, seen


@pytest.fixture
async def both(
    settings: ServiceSettings, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[tuple[FastAPI, httpx.AsyncClient, Seen], tuple[FastAPI, httpx.AsyncClient, Seen]]]:
    """The same routers served with the index, and by FastAPI's router alone."""
    included = routers()
    async with served(settings, included) as indexed:
        assert isinstance(indexed[0].router.middleware_stack, RouteIndex)
        with monkeypatch.context() as patched:
            patched.setattr(routing, "SUPPORTED", False)
            async with served(settings, included) as plain:
                assert not isinstance(plain[0].router.middleware_stack, RouteIndex)
                yield indexed, plain


REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/items/inner", {}),  # a router included in a router, before the parameterised route
    ("GET", "/items/special", {}),  # static before parameterised, and before another router's same path
    ("HEAD", "/items/special", {}),
    ("POST", "/items/special", {}),  # the same path, another method, another route
    ("PATCH", "/items/special", {}),  # only a later router's route takes this method
    ("DELETE", "/items/special", {}),  # no route takes it: 405
    ("GET", "/items/abc", {}),
    ("GET", "/items/abc", {"headers": {"x-deny": "1"}}),  # the router's dependency refuses
    ("PUT", "/items/abc", {}),
    ("GET", "/items/12/detail", {}),  # an int convertor before a str one
    ("GET", "/items/ab/detail", {}),
    ("GET", "/items/files/a/b.txt", {}),  # a path convertor over several segments
    ("GET", "/items/files/", {}),
    ("GET", "/items/a%2Fb", {}),  # an encoded slash is a slash to the router
    ("POST", "/items", {}),  # the route is at "/items/": FastAPI's redirect
    ("GET", "/items/", {}),  # another method only: 405
    ("GET", "/items/abc/", {}),  # a trailing slash the route lacks: redirect
    ("GET", "/items/static/style.css", {}),  # a mount in an included router
    ("GET", "/items/static", {}),
    ("GET", "/items/nested/q", {}),
    ("GET", "/items/nested/deeper/z", {}),
    ("DELETE", "/items/nested/deeper/z", {}),
    ("GET", "/api/v1/things", {}),
    ("GET", "/api/v2/things", {}),
    ("GET", "/api/v1/thing", {"params": {"q": "1"}}),
    ("GET", "/api/v2/thing", {}),
    ("GET", "/zzz/shadow", {}),  # a route tried for every request
    ("GET", "/items/shadow", {}),
    ("GET", "/typed/12", {}),
    ("GET", "/typed/twelve", {}),  # the convertor refuses: 404
    ("GET", "/plain/page", {}),  # a plain starlette route in an included router
    ("GET", "/top/1", {}),  # a route of the app itself
    ("GET", "/assets/logo.png", {}),  # a mount of the app itself
    ("GET", "/late/a", {}),
    ("GET", "/late/b", {}),
    ("GET", "/nothing", {}),
    ("GET", "/", {}),
    ("GET", "/health", {}),
    ("GET", "/docs", {}),
    ("GET", "/openapi.json", {}),
]


async def answers(
    both: tuple[tuple[FastAPI, httpx.AsyncClient, Seen], tuple[FastAPI, httpx.AsyncClient, Seen]],
    requests: list[tuple[str, str, dict[str, Any]]],
) -> None:
    """Each request answered alike with the index and without it, by the same route (the routers are shared)."""
    for method, path, kwargs in requests:
        results = []
        for _, client, seen in both:
            seen.clear()
            response = await client.request(method, path, **kwargs)
            results.append((comparable(response), seen[-1]))
        assert results[0] == results[1], (method, path)


async def test_every_request_is_answered_by_the_route_fastapi_picks(
    both: tuple[tuple[FastAPI, httpx.AsyncClient, Seen], tuple[FastAPI, httpx.AsyncClient, Seen]],
) -> None:
    await answers(both, REQUESTS)
    index = both[0][0].router.middleware_stack
    assert isinstance(index, RouteIndex)
    # The index decided the requests it can: a route of an included router answered them without the walk.
    decided = [(method, path) for method, path, kwargs in REQUESTS if index.select(scope_of(method, path))]
    assert ("GET", "/items/nested/deeper/z") in decided and ("GET", "/api/v2/things") in decided
    assert ("GET", "/items/abc/") not in decided and ("DELETE", "/items/special") not in decided


def scope_of(method: str, path: str) -> Scope:
    return {"type": "http", "method": method, "path": path, "root_path": "", "headers": [], "query_string": b""}


async def test_a_route_added_after_start_up_is_picked_where_fastapi_picks_it(
    both: tuple[tuple[FastAPI, httpx.AsyncClient, Seen], tuple[FastAPI, httpx.AsyncClient, Seen]],
) -> None:
    await answers(both, [("GET", "/late/b", {}), ("GET", "/items/added", {})])
    early, items = [route.original_router for route in both[0][0].router.routes if isinstance(route, _IncludedRouter)][
        :2
    ]
    # Into the first router: it now comes before the later router's route of the same path.
    early.add_api_route("/b", endpoint("late_b_earlier"), methods=["GET"])
    items.add_api_route("/added/{x}", endpoint("added"), methods=["GET"])
    for app, _, _ in both:
        extra = APIRouter(prefix="/extra")
        extra.add_api_route("/{z}", endpoint("extra"), methods=["GET"])
        app.include_router(extra)
    late: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/late/b", {}),
        ("GET", "/items/added/1", {}),
        ("GET", "/extra/1", {}),
    ]
    await answers(both, late)
    assert (await both[0][1].get("/late/b")).json()["endpoint"] == "late_b_earlier"


async def test_the_api_document_is_the_same(
    both: tuple[tuple[FastAPI, httpx.AsyncClient, Seen], tuple[FastAPI, httpx.AsyncClient, Seen]],
) -> None:
    documents = [(await client.get("/openapi.json")).json() for _, client, _ in both]
    assert documents[0] == documents[1]
    assert "/items/{item_id}" in documents[0]["paths"]


def fastapi_choice(app: FastAPI, scope: Scope) -> Any:
    """The route FastAPI's router matches in full (its own walks, into every router included in another), None when
    none does."""
    for top in app.router.routes:
        if top.matches(scope)[0] != Match.FULL:
            continue
        node = top
        while isinstance(node, _IncludedRouter):
            _, _, route, context = node._match(scope)
            if not isinstance(route, _IncludedRouter):
                return context if context is not None else route
            node = route
        return node
    return None


def test_every_route_of_every_service_is_the_one_fastapi_would_pick() -> None:
    for service in SERVICES:
        app = importlib.import_module(f"{service}.main").create_app()
        index = app.router.middleware_stack
        assert isinstance(index, RouteIndex), service
        index.build()
        requests = {
            (method, re.sub(r"{[^}:]+(:int)?}", lambda m: "7" if m.group(1) else str(uuid.uuid4()), path))
            for candidate in {id(c): c for bucket in index.buckets.values() for c in bucket}.values()
            if candidate.context is not None
            for path in [candidate.context.path_format]
            for method in candidate.context.methods
        }
        assert len(requests) > 5, service  # the service's routes besides /health, /ready, /metrics
        for method, path in sorted(requests):
            scope = scope_of(method, path)
            selected = index.select(scope)
            assert selected is not None, (service, method, path)
            assert selected[0].context is fastapi_choice(app, scope), (service, method, path)
