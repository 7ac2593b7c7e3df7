"""A route index: the route FastAPI would pick for a request, found from a table built once.

FastAPI 0.165 matches a request by walking every included router and, inside the one that matches (and each router
included in it), its routes a second time, one candidate at a time: ~35 candidates before a read whose router is
included late (37-69 µs of CPU in process) and up to ~150 before the last of a proxy table's. The index keys
each route by the literal part of its first two path segments, so a request tries only the routes that can match
it, in FastAPI's order, and is then handed to the chosen route exactly as FastAPI's own router hands it (the same
scope keys, telemetry route and route object): dependencies, `scope["route"]` readers, metrics and errors see no
difference.

Anything the index does not decide goes to FastAPI's router unchanged: no route matches (404, or the redirect of a
trailing slash), only another method does (405), or a route that is not a FastAPI route of an included router could
match (the docs pages, mounts, a route added to the app itself). Where FastAPI's internals are not the ones this
was written against, the index is not installed and FastAPI routes every request itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, APIRouter
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

try:  # FastAPI's own router steps, private: the index mirrors them (see `RouteIndex.handle`)
    from fastapi.routing import (
        _FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY,
        _FASTAPI_INCLUDED_ROUTER_KEY,
        _apply_router_form_limits,
        _EffectiveRouteContext,
        _get_fastapi_scope,
        _get_scope_effective_route_context,
        _IncludedRouter,
        _update_scope,
    )
    from fastapi.telemetry._api import _route_selected
    from starlette._utils import get_route_path

    SUPPORTED = hasattr(APIRouter(), "_routes_version")
except ImportError:  # pragma: no cover - another FastAPI: its router routes everything
    SUPPORTED = False

Key = tuple[str, ...]
# An app's own handling of a route instead of FastAPI's, given FastAPI's context of it; None for FastAPI's.
ServeDirectly = Callable[[Any], ASGIApp | None]


@dataclass(frozen=True)
class Candidate:
    """A route in FastAPI's order: `context` set for a FastAPI route of an included router (the index hands the
    request to it, or to its `direct` app), reached through the routers `included` (outermost first); else
    `route`, any other kind, which sends a request it could match to FastAPI's router."""

    order: int
    included: tuple[Any, ...] = ()
    context: Any = None
    route: Any = None  # a starlette route, or FastAPI's context of one: both answer `matches`
    direct: ASGIApp | None = None

    @property
    def path_format(self) -> str | None:
        path = self.context.path_format if self.context is not None else getattr(self.route, "path_format", None)
        return path if isinstance(path, str) else None


def literal_head(path: str | None) -> Key:
    """The segments among a path template's first two that are literal up to the first that is not: only a
    request whose path starts with them can match it. Nothing for a template the index cannot read."""
    if path is None:
        return ()
    head: list[str] = []
    for part in path.split("/", 3)[1:3]:
        if "{" in part:
            break
        head.append(part)
    return tuple(head)


class RouteIndex:
    def __init__(self, router: APIRouter, fallback: ASGIApp, serve_directly: ServeDirectly | None = None) -> None:
        self.router = router
        self.fallback = fallback
        self.serve_directly = serve_directly
        # The routers the table was built from, with their routes' versions then (none yet: built at first use).
        self.routers: list[APIRouter] = [router]
        self.versions: list[int] = [-1]
        self.buckets: dict[Key, list[Candidate]] = {}
        self.anywhere: list[Candidate] = []

    def build(self) -> None:
        """Every route of the router in FastAPI's matching order, listed under each request key (a request path's
        first two segments, or its first alone) whose requests it can match."""
        candidates: list[Candidate] = []
        self.routers = [self.router]
        for top in self.router.routes:
            if isinstance(top, _IncludedRouter):
                self._add_included((top,), candidates)
            else:
                candidates.append(Candidate(len(candidates), route=top))
        heads = [literal_head(candidate.path_format) for candidate in candidates]
        keys = {head[:size] for head in heads for size in (1, 2) if len(head) >= size}
        # A request key's candidates: those whose literal head it starts with. A request whose two segments are
        # not a key uses its first segment's list, then the routes tried anywhere.
        self.buckets = {
            key: [candidate for candidate, head in zip(candidates, heads, strict=True) if key[: len(head)] == head]
            for key in keys
        }
        self.anywhere = [candidate for candidate, head in zip(candidates, heads, strict=True) if not head]
        self.versions = [router._routes_version for router in self.routers]

    def _add_included(self, included: tuple[Any, ...], candidates: list[Candidate]) -> None:
        self.routers.append(included[-1].original_router)
        for inner in included[-1].effective_candidates():
            if isinstance(inner, _IncludedRouter):  # a router included in this one: its routes in their place
                self._add_included((*included, inner), candidates)
            elif isinstance(inner, _EffectiveRouteContext) and isinstance(inner.original_route, APIRoute):
                direct = self.serve_directly(inner) if self.serve_directly is not None else None
                candidates.append(Candidate(len(candidates), included=included, context=inner, direct=direct))
            else:  # a mount, a plain or websocket route: FastAPI decides those
                candidates.append(Candidate(len(candidates), route=inner))

    def select(self, scope: Scope) -> tuple[Candidate, Scope] | None:
        """The route FastAPI would pick with its child scope, or None for FastAPI to decide."""
        # Built at the first request, once every router is included, and again after a route is added to any
        # of its routers (FastAPI counts every change to a router's routes; its own sum of them all cost 1-9 µs).
        if [router._routes_version for router in self.routers] != self.versions:
            self.build()
        path = get_route_path(scope)
        key = tuple(path.split("/", 3)[1:3])
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets.get(key[:1], self.anywhere)
        for candidate in bucket:
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
        `_IncludedRouter.handle` and `_handle_selected` for each router it is included through), without the
        walks."""
        context = candidate.context
        route: APIRoute = context.original_route
        _apply_router_form_limits(scope, self.router.form_limits)
        scope.setdefault("router", self.router)
        for included in candidate.included:
            _apply_router_form_limits(scope, included.include_context.form_limits)
        fastapi_scope = _get_fastapi_scope(scope)
        fastapi_scope[_FASTAPI_INCLUDED_ROUTER_KEY] = candidate.included[-1]
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


def route_template(scope: Scope) -> str | None:
    """The path template of the route that answered the request, as the app serves it: FastAPI's
    `scope["route"]` is the route as its own router declared it, without the prefixes of the routers that
    router is included in; the context FastAPI (or the index) selected it through has the whole path."""
    context = _get_scope_effective_route_context(scope) if SUPPORTED else None
    path = getattr(context, "path", None) or getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else None


def install(app: FastAPI, serve_directly: ServeDirectly | None = None) -> RouteIndex | None:
    """Puts the index in front of the app's router (as the router's own middleware stack, so everything outside
    it, the error handlers included, is unchanged), with the app's own handling of the routes `serve_directly`
    takes; None where it cannot stand in for FastAPI's router."""
    router = app.router
    stack: Callable[..., Any] = router.middleware_stack
    if not SUPPORTED or stack != router.app:  # the router has middleware of its own: leave it alone
        return None
    index = RouteIndex(router, stack, serve_directly)
    router.middleware_stack = index
    return index
