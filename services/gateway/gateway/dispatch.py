"""The gateway's routes served without FastAPI's request handling, on top of the kit's route index
(`kit.routing`, which finds the route FastAPI would pick and hands the request on as FastAPI's router does).

A route that only passes the gate (`authorize`, or `Caller` which calls it) and answers with a `Response` it
builds itself (the proxy table, the relayed `/api/users/me` routes) is served directly: the same gate, then the
endpoint, then its response, without FastAPI's per-request dependency solve, request and response wrappers and
second exception layer (the app's exception handlers still render every error, with the same envelope). The kit
hands every other route, and every route of an app with a dependency override, to FastAPI."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_typed_return_annotation
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from gateway.identity import authorize, current_caller

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
