"""A service's routes served without FastAPI's dependency solve, where a route needs nothing it does.

FastAPI answers a request by solving the route's dependant (a recursive `solve_dependencies`, a cache, a
response stand-in and two exit stacks per request, whatever the route uses) and wrapping its handler in a
second exception layer: about 25-30 µs of a by-id read for the read session and the caller alone (bench/README.md,
round 6). A route whose dependencies are all `async def f(request)` (the kit's read session, `CurrentUser`, a
`require_roles` gate, a service's `request.app.state` lookups) and whose parameters are path and query
parameters is served here instead: its dependencies awaited in FastAPI's order (each once, as FastAPI's cache
calls it), its parameters validated by FastAPI's own `request_params_to_args` (the same 422 details), its
endpoint awaited, its answer serialized by FastAPI's own `serialize_response` into the response FastAPI would
make. Errors propagate to the app's exception handlers (FastAPI's `ExceptionMiddleware`), which render them with
the same envelope; the read session is closed by the request middleware either way (`kit.db.get_read_session`).

Anything else keeps FastAPI's path: a body, headers, cookies, a `Response` or `BackgroundTasks` parameter, a
generator (yield) dependency, a sync function, nested dependencies, security scopes, a stream, FastAPI's own body
size limit. An app with a dependency override (tests) is served by FastAPI on every route, so the override
applies. Where FastAPI's internals are not the ones this was written against, nothing is installed."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_params_to_args
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, serialize_response
from fastapi.utils import is_body_allowed_for_status_code
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

try:  # FastAPI's own route contexts, private: the per-route app replaced here lives on them
    from fastapi.routing import _EffectiveRouteContext, _extract_endpoint_context, _IncludedRouter

    SUPPORTED = True
except ImportError:  # pragma: no cover - another FastAPI: it serves every route itself
    SUPPORTED = False


@dataclass(frozen=True)
class Step:
    """One of the route's dependencies: awaited with the request (if it takes it), its value passed to the
    endpoint under `name` (None for a route's `dependencies=[...]`); `cached` as FastAPI's `use_cache`."""

    call: Callable[..., Awaitable[Any]]
    name: str | None
    takes_request: bool
    cached: bool


@dataclass(frozen=True)
class Direct:
    """A route's ASGI app standing in for FastAPI's (`fastapi`), which still serves an app with overrides."""

    route: Any  # the APIRoute, or FastAPI's context of one in an included router: the same attributes
    fastapi: ASGIApp
    steps: tuple[Step, ...]
    request_name: str | None
    response_class: type[Response]
    dump_json: bool

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self.route
        if getattr(route.dependency_overrides_provider, "dependency_overrides", None):
            await self.fastapi(scope, receive, send)
            return
        request = Request(scope, receive, send)
        dependant: Dependant = route.dependant
        values: dict[str, Any] = {}
        solved: dict[Callable[..., Any], Any] = {}
        for step in self.steps:
            if step.cached and step.call in solved:
                value = solved[step.call]
            else:
                value = await (step.call(request) if step.takes_request else step.call())
                solved.setdefault(step.call, value)
            if step.name is not None:
                values[step.name] = value
        path_values, path_errors = request_params_to_args(dependant.path_params, request.path_params)
        query_values, query_errors = request_params_to_args(dependant.query_params, request.query_params)
        if path_errors or query_errors:
            raise RequestValidationError([*path_errors, *query_errors], body=None, endpoint_ctx=self._context(scope))
        values.update(path_values)
        values.update(query_values)
        if self.request_name is not None:
            values[self.request_name] = request
        answer = await route.endpoint(**values)
        if isinstance(answer, Response):
            response = answer
        else:
            content = await serialize_response(
                field=route.response_field,
                response_content=answer,
                include=route.response_model_include,
                exclude=route.response_model_exclude,
                by_alias=route.response_model_by_alias,
                exclude_unset=route.response_model_exclude_unset,
                exclude_defaults=route.response_model_exclude_defaults,
                exclude_none=route.response_model_exclude_none,
                endpoint_ctx=self._context(scope),
                dump_json=self.dump_json,
            )
            status = {"status_code": route.status_code} if route.status_code else {}
            if self.dump_json:
                response = Response(content=content, media_type="application/json", **status)
            else:
                response = self.response_class(content, **status)
            if not is_body_allowed_for_status_code(response.status_code):
                response.body = b""
        await response(scope, receive, send)

    def _context(self, scope: Scope) -> Any:
        """Where an error names the endpoint, as FastAPI's handler names it."""
        context = dict(_extract_endpoint_context(self.route.endpoint))
        if path := self.route.dependant.path:
            context["path"] = f"{scope['method']} {scope.get('root_path', '').rstrip('/')}{path}"
        return context


def direct(route: Any, fastapi: ASGIApp) -> Direct | None:
    """The direct path of a route (an APIRoute or FastAPI's context of one) FastAPI would only solve as
    described above, or None."""
    dependant: Dependant | None = route.dependant
    endpoint = route.endpoint
    if (
        dependant is None
        or route.body_field is not None
        or route.max_body_size is not None
        or route.stream_item_field is not None
        or route.is_sse_stream
        or route.is_json_stream
        or not inspect.iscoroutinefunction(endpoint)
        or dependant.call is not endpoint
        or _takes_more(dependant, allowed=("path_params", "query_params"))
    ):
        return None
    steps = []
    for sub in dependant.dependencies:
        if (
            not inspect.iscoroutinefunction(sub.call)
            or sub.dependencies
            or sub.own_oauth_scopes
            or sub.concurrency is not None
            or _takes_more(sub, allowed=())
        ):
            return None
        steps.append(Step(sub.call, sub.name, sub.request_param_name is not None, sub.use_cache))
    response_class = route.response_class
    default = isinstance(response_class, DefaultPlaceholder)
    return Direct(
        route=route,
        fastapi=fastapi,
        steps=tuple(steps),
        request_name=dependant.request_param_name,
        response_class=response_class.value if default else response_class,
        dump_json=default and route.response_field is not None,
    )


def _takes_more(dependant: Dependant, *, allowed: tuple[str, ...]) -> bool:
    """Whether `dependant` takes anything but the request and the `allowed` kinds of parameters."""
    kinds = ("path_params", "query_params", "header_params", "cookie_params", "body_params")
    names = (
        "websocket_param_name",
        "http_connection_param_name",
        "response_param_name",
        "background_tasks_param_name",
        "security_scopes_param_name",
    )
    return any(getattr(dependant, kind) for kind in kinds if kind not in allowed) or any(
        getattr(dependant, name) for name in names
    )


def _routes(app: FastAPI) -> Iterator[Any]:
    """Every FastAPI route of the app: the app's own, and FastAPI's context of each included one."""
    for route in app.router.routes:
        if isinstance(route, APIRoute):
            yield route
        elif isinstance(route, _IncludedRouter):
            for context in route.effective_route_contexts():
                if isinstance(context, _EffectiveRouteContext) and isinstance(context.original_route, APIRoute):
                    yield context


def install(app: FastAPI) -> list[Direct]:
    """Serves each route that qualifies directly (once every router is included); the routes it serves."""
    if not SUPPORTED:
        return []
    served = []
    for route in _routes(app):
        if isinstance(route.app, Direct):  # installed by an earlier start of the same app
            served.append(route.app)
            continue
        serve = direct(route, route.app)
        if serve is not None:
            route.app = serve
            served.append(serve)
    return served
