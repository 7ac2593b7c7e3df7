"""The route index picks, for every request, the route FastAPI's own router would pick, and leaves to FastAPI
every request it does not decide (no route, another method only, a trailing slash, the docs pages)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import _IncludedRouter
from starlette.routing import Match

from gateway.main import create_app
from kit.routing import RouteIndex
from kit.testing import INTERNAL_TOKEN

APP = create_app()


def index_of(app: FastAPI) -> RouteIndex:
    index = app.router.middleware_stack
    assert isinstance(index, RouteIndex)
    return index


def http_scope(method: str, path: str) -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "root_path": "", "headers": [], "query_string": b""}


def fastapi_choice(app: FastAPI, method: str, path: str) -> object | None:
    """The route context FastAPI's router matches in full (its own walk), None when none does."""
    for top in app.router.routes:
        match, _ = top.matches(http_scope(method, path))
        if match == Match.FULL:
            if isinstance(top, _IncludedRouter):
                return top._match(http_scope(method, path))[3]
            return top
    return None


def requests_of_every_route(app: FastAPI) -> list[tuple[str, str]]:
    index = index_of(app)
    index.build()
    seen = []
    for bucket in index.buckets.values():
        for candidate in bucket:
            if candidate.context is None:
                continue
            path = re.sub(r"{[^}]+}", lambda _: str(uuid.uuid4()), candidate.context.path_format)
            seen += [(method, path) for method in candidate.context.methods]
    return sorted(set(seen))


def test_every_route_is_the_one_fastapi_would_pick() -> None:
    index = index_of(APP)
    requests = requests_of_every_route(APP)
    assert len(requests) > 150  # the proxy table and the hand-written routes, not an empty index
    for method, path in requests:
        selected = index.select(http_scope(method, path))
        assert selected is not None, (method, path)
        assert selected[0].context is fastapi_choice(APP, method, path), (method, path)


def test_the_path_parameters_are_those_fastapi_reads() -> None:
    template_id = str(uuid.uuid4())
    selected = index_of(APP).select(http_scope("GET", f"/api/templates/{template_id}/versions"))
    assert selected is not None
    assert selected[1]["path_params"] == {"template_id": template_id}
    assert selected[0].context.path_format == "/api/templates/{template_id}/versions"


def test_requests_no_route_answers_in_full_are_left_to_fastapi() -> None:
    index = index_of(APP)
    for method, path in [
        ("GET", "/api/no-such-thing"),  # no route: FastAPI's 404
        ("GET", "/api/users/me/"),  # a trailing slash: FastAPI's redirect
        ("PATCH", "/api/users/me"),  # another method only: FastAPI's 405
        ("GET", "/docs"),  # FastAPI's own page, not one of the included routers' routes
        ("GET", "/nothing/at/all"),
    ]:
        assert index.select(http_scope(method, path)) is None, (method, path)


async def test_a_request_through_the_index_is_answered_as_fastapi_answers_it(gateway: httpx.AsyncClient) -> None:
    caller = {"x-internal-token": INTERNAL_TOKEN, "x-user-id": str(uuid.uuid4()), "x-user-role": "candidate"}
    # RBAC reads the route the index put in the scope: a candidate may not list HR's invitations.
    refused = await gateway.get("/api/invitations/hr", headers=caller)
    assert (refused.status_code, refused.json()["code"]) == (403, "FORBIDDEN")
    # A path id is still checked where the proxy reads it.
    bad_id = await gateway.get("/api/media/not-a-uuid", headers=caller)
    assert (bad_id.status_code, bad_id.json()["details"][0]["field"]) == (422, "media_id")
    unknown = await gateway.get("/api/no-such-thing", headers=caller)
    assert (unknown.status_code, unknown.json()["path"]) == (404, "/api/no-such-thing")
    wrong_method = await gateway.patch("/api/users/me", headers=caller)
    assert wrong_method.status_code == 405
