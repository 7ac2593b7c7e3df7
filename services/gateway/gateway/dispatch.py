"""The gateway's route index: the route FastAPI would pick for a request, found from a table built once.

FastAPI 0.165 matches a request by walking every included router and, inside the one that matches, its routes a
second time, one candidate at a time: about 48 µs for `/api/users/me` and up to 380 µs for the proxy's last
routes (~150 of them), on every request. The index keys each route by its first two path segments, so a request
tries only the few routes that can match it, in the order FastAPI would, and is then handed to the chosen route
exactly as FastAPI's own router hands it (the same scope keys, telemetry route and route object): dependencies,
RBAC (`authorize` reads `scope["route"]`), metrics and errors see no difference.

A route that only passes the gate (`authorize`, or `Caller` which calls it) and answers with a `Response` it
builds itself (the proxy table, the relayed `/api/users/me` routes) is served directly: the same gate, then the
endpoint, then its response, without FastAPI's per-request dependency solve, request and response wrappers and
second exception layer (the app's exception handlers still render every error, with the same envelope).

Anything the index does not decide goes to FastAPI's router unchanged: no route matches (404, or the redirect
of a trailing slash), only another method does (405), or a route that is not a plain FastAPI route could match
(the docs pages, mounts). Where FastAPI's internals are not the ones this was written against, the index is
not installed and FastAPI routes every request itself."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_typed_return_annotation
from fastapi.routing import APIRoute, APIRouter
from starlette._utils import get_route_path
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.identity import authorize, current_caller

try:  # FastAPI's own router steps, private: the index mirrors them (see `RouteIndex.handle`)
    from fastapi.routing import (
        _FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY,
        _FASTAPI_INCLUDED_ROUTER_KEY,
        _apply_router_form_limits,
        _EffectiveRouteContext,
        _get_fastapi_scope,
        _IncludedRouter,
        _update_scope,
    )
    from fastapi.telemetry._api import _route_selected

    SUPPORTED = True
except ImportError:  # pragma: no cover - another FastAPI: its router routes everything
    SUPPORTED = False

Key = tuple[str, ...]
GATES = (authorize, current_caller)


@dataclass(frozen=True)
class Direct:
    """A route served without FastAPI's request handling: `gate` (the route's one dependency), then `endpoint`
    with the request and, under the name it declares, the gate's caller; the endpoint returns the Response."""

    gate: Callable[..., Awaitable[Any]]
    endpoint: Callable[..., Awaitable[Response]]
    request_name: str
    caller_name: str | None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        caller = await self.gate(request)
        kwargs: dict[str, Any] = {self.request_name: request}
        if self.caller_name is not None:
            kwargs[self.caller_name] = caller
        response = await self.endpoint(**kwargs)
        await response(scope, receive, send)


def direct(context: Any) -> Direct | None:
    """The direct path of a route whose requests FastAPI would only gate and hand to its endpoint: the gate is
    its one dependency, taking nothing but the request; the endpoint takes only the request and the caller and
    is declared to return a Response (which FastAPI passes on as it is); no body size limit of FastAPI's own.
    None for any other route."""
    dependant: Dependant | None = context.dependant
    if dependant is None or context.max_body_size is not None or len(dependant.dependencies) != 1:
        return None
    gate, endpoint, request_name = dependant.dependencies[0], dependant.call, dependant.request_param_name
    if gate.call is None or gate.call not in GATES or gate.dependencies or gate.request_param_name is None:
        return None
    if request_name is None or _takes_more(dependant) or _takes_more(gate) or endpoint is None:
        return None
    returns = get_typed_return_annotation(endpoint)
    if not inspect.iscoroutinefunction(endpoint) or not (isinstance(returns, type) and issubclass(returns, Response)):
        return None
    return Direct(gate.call, endpoint, request_name, gate.name)


def _takes_more(dependant: Dependant) -> bool:
    """Whether `dependant` takes anything FastAPI would read or make for it, besides the request and its
    sub-dependencies."""
    return bool(
        dependant.path_params
        or dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
        or dependant.body_params
        or dependant.websocket_param_name
        or dependant.http_connection_param_name
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
    )


@dataclass(frozen=True)
class Candidate:
    """A route in FastAPI's order: `context` set for a FastAPI route of an included router (the index hands the
    request to it, or its `direct` path), else `route`, any other kind, which sends a request it could match to
    FastAPI's router."""

    order: int
    included: Any = None
    context: Any = None
    route: Any = None  # a starlette route, or FastAPI's context of one: both answer `matches`
    direct: Direct | None = None


def key_of(path: str) -> Key | None:
    """The first two segments of a path template or request path; None when a template's are not literal."""
    head = tuple(path.split("/", 3)[1:3])
    return None if any("{" in part for part in head) else head


class RouteIndex:
    def __init__(self, router: APIRouter, fallback: ASGIApp) -> None:
        self.router = router
        self.fallback = fallback
        self.built = False
        self.buckets: dict[Key, list[Candidate]] = {}
        self.anywhere: list[Candidate] = []

    def build(self) -> None:
        """Every route of the router in FastAPI's matching order, bucketed by the key a request must have to
        match it; a route whose key is not literal is tried for every request."""
        candidates: list[Candidate] = []
        for top in self.router.routes:
            if not isinstance(top, _IncludedRouter):
                candidates.append(Candidate(len(candidates), route=top))
                continue
            for inner in top.effective_candidates():
                if isinstance(inner, _EffectiveRouteContext) and isinstance(inner.original_route, APIRoute):
                    candidates.append(Candidate(len(candidates), included=top, context=inner, direct=direct(inner)))
                else:  # a nested router, a mount, a plain route: FastAPI decides those
                    candidates.append(Candidate(len(candidates), route=inner))
        buckets: dict[Key, list[Candidate]] = {}
        anywhere: list[Candidate] = []
        for candidate in candidates:
            path = (
                candidate.context.path_format
                if candidate.context is not None
                else getattr(candidate.route, "path_format", None)
            )
            key = key_of(path) if isinstance(path, str) else None
            if key is None:
                anywhere.append(candidate)
            else:
                buckets.setdefault(key, []).append(candidate)
        # A literal bucket also holds the routes tried anywhere, in their place in FastAPI's order.
        self.buckets = {key: sorted([*bucket, *anywhere], key=lambda c: c.order) for key, bucket in buckets.items()}
        self.anywhere = anywhere
        self.built = True

    def select(self, scope: Scope) -> tuple[Candidate, Scope] | None:
        """The route FastAPI would pick with its child scope, or None for FastAPI to decide."""
        # Built at the first request, once every router is included. A route added later comes after all of
        # these in FastAPI's order too: it wins only where none of these matches, and then FastAPI picks it.
        if not self.built:
            self.build()
        path = get_route_path(scope)
        for candidate in self.buckets.get(tuple(path.split("/", 3)[1:3]), self.anywhere):
            if candidate.context is None:
                if candidate.route.matches(scope)[0] != Match.NONE:
                    return None
                continue
            if candidate.context.path_regex.match(path) is None:  # the regex alone first: most candidates miss
                continue
            match, child_scope = candidate.context.matches(scope)
            if match == Match.FULL:
                return candidate, child_scope
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        selected = self.select(scope) if scope["type"] == "http" else None
        if selected is None:
            await self.fallback(scope, receive, send)
            return
        candidate, child_scope = selected
        await self.handle(candidate, child_scope, scope, receive, send)

    async def handle(
        self, candidate: Candidate, child_scope: Scope, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """What FastAPI's router does once it matched an included router's route (`APIRouter.app`, then
        `_IncludedRouter.handle` and `_handle_selected`), without the walks."""
        included, context = candidate.included, candidate.context
        route: APIRoute = context.original_route
        _apply_router_form_limits(scope, self.router.form_limits)
        scope.setdefault("router", self.router)
        _apply_router_form_limits(scope, included.include_context.form_limits)
        fastapi_scope = _get_fastapi_scope(scope)
        fastapi_scope[_FASTAPI_INCLUDED_ROUTER_KEY] = included
        _update_scope(scope, {**child_scope, "route": route})
        path = getattr(context.starlette_route, "path_format", None) or context.path_format
        _route_selected(scope=scope, path=path, mount=False)
        fastapi_scope[_FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY] = context
        scope["route"] = route
        # A dependency override (tests) is FastAPI's to apply: such an app's routes all take FastAPI's path.
        if candidate.direct is not None and not getattr(
            context.dependency_overrides_provider, "dependency_overrides", None
        ):
            await candidate.direct(scope, receive, send)
            return
        await route.handle(scope, receive, send)


def install(app: FastAPI) -> RouteIndex | None:
    """Puts the index in front of the app's router (as the router's own middleware stack, so everything outside
    it, the error handlers included, is unchanged); None where it cannot stand in for FastAPI's router."""
    router = app.router
    stack: Callable[..., Any] = router.middleware_stack
    if not SUPPORTED or stack != router.app:  # the router has middleware of its own: leave it alone
        return None
    index = RouteIndex(router, stack)
    router.middleware_stack = index
    return index
