"""The aggregated public API description: the gateway's own routes, with the request bodies, query and
path parameters and success responses of each relaying route taken from its upstream's OpenAPI document
(when that upstream answers), their schemas renamed `<upstream>_<Name>` so services cannot collide, and
every error answer declared as the error envelope."""

from __future__ import annotations

import asyncio
import copy
import re
import time
from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from gateway.proxy import PARAM, TABLE
from gateway.rbac import RULES
from kit.schemas import ErrorEnvelope

log = structlog.get_logger("gateway.docs")

REF = "#/components/schemas/"
CACHE_TTL_S = 60.0
FETCH_TIMEOUT_S = 2.0
RELAY_KEY = "x-gateway-relay"
ENVELOPE = ErrorEnvelope.__name__
# FastAPI's own validation-error schemas: never what a service answers, which is the envelope.
ERRORS = {
    "400": "The request breaks a rule of the service (a value it does not accept)",
    "401": "Not signed in, or the token is invalid",
    "403": "The caller's role may not use this route",
    "404": "Not found",
    "409": "Conflicts with the current state (a stale `If-Match` version, a duplicate)",
    "422": "The request is invalid; `details` lists each field",
    "503": "A service behind the gateway is unavailable; retry after `Retry-After` seconds",
}


@dataclass(frozen=True)
class Relay:
    """The upstream operation a gateway route relays. `unwrap`: the route answers with the upstream's
    `data`; `query`: the query parameters it passes on (None: all); `own_status`: the route answers with
    its own success status rather than the upstream's."""

    upstream: str
    method: str
    target: str
    unwrap: bool = False
    query: tuple[str, ...] | None = None
    own_status: bool = True


def relayed(
    method: str,
    target: str,
    *,
    unwrap: bool = False,
    query: tuple[str, ...] | None = None,
    upstream: str = "users",
) -> dict[str, Any]:
    """`openapi_extra` for a hand-written route that answers with an upstream's (the users service's unless
    named) answer to `method target`: the aggregated document describes the route with that operation's request
    body, query parameters and success response."""
    relay: dict[str, Any] = {"method": method, "target": target, "unwrap": unwrap, "upstream": upstream}
    if query is not None:
        relay["query"] = list(query)
    return {RELAY_KEY: relay}


FORWARDS = {
    (f.method.lower(), f.path): Relay(f.upstream, f.method, f.target, own_status=False) for f in TABLE if not f.stream
}


def _shape(path: str) -> str:
    """A path with its parameter names erased: `/a/{id}` and `/a/{template_id}` are the same route."""
    return re.sub(r"{[^}]+}", "{}", path)


def _renamed(node: Any, prefix: str) -> Any:
    if isinstance(node, dict):
        return {
            k: (
                REF + prefix + v[len(REF) :]
                if k == "$ref" and isinstance(v, str) and v.startswith(REF)
                else _renamed(v, prefix)
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_renamed(v, prefix) for v in node]
    return node


def _unwrapped(response: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """The response whose schema is the `data` property of the upstream's `{success, data}` schema."""
    content = response.get("content", {}).get("application/json", {})
    schema = content.get("schema", {})
    if "$ref" in schema:
        schema = schemas.get(schema["$ref"][len(REF) :], {})
    data = schema.get("properties", {}).get("data")
    if data is None:
        return response
    return {**response, "content": {"application/json": {"schema": data}}}


def _enrich(op: dict[str, Any], path: str, relay: Relay, upstream_doc: dict[str, Any], schemas: dict[str, Any]) -> None:
    by_shape = {_shape(p): (p, ops) for p, ops in upstream_doc.get("paths", {}).items()}
    upstream_path, upstream_ops = by_shape.get(_shape(relay.target), ("", {}))
    upstream_op = upstream_ops.get(relay.method.lower())
    if not upstream_op:
        return
    upstream_op = _renamed(upstream_op, f"{relay.upstream}_")
    if "requestBody" in upstream_op and "requestBody" not in op:
        op["requestBody"] = upstream_op["requestBody"]
    if "description" in upstream_op:
        op["description"] = upstream_op["description"]
    responses: dict[str, Any] = op.setdefault("responses", {})
    successes = {s: r for s, r in upstream_op.get("responses", {}).items() if s.startswith("2")}
    own = [s for s in responses if s.startswith("2")]
    if relay.own_status and own and successes:
        upstream_success = next(iter(successes.values()))
        responses[own[0]] = _unwrapped(upstream_success, schemas) if relay.unwrap else upstream_success
    elif successes:
        for status in own:
            del responses[status]
        responses.update(successes)
    for status, response in upstream_op.get("responses", {}).items():
        # 422 is declared from the gateway route's own parameters, which may not be the upstream's.
        if not status.startswith("2") and status != "422":
            responses.setdefault(status, response)
    parameters: list[dict[str, Any]] = op.setdefault("parameters", [])
    declared = {(p["in"], p["name"]) for p in parameters}
    for parameter in upstream_op.get("parameters", []):
        if parameter["in"] != "query" or ("query", parameter["name"]) in declared:
            continue
        if relay.query is None or parameter["name"] in relay.query:
            parameters.append(parameter)
    _type_path_parameters(parameters, path, upstream_path, upstream_op)


def _type_path_parameters(
    parameters: list[dict[str, Any]], path: str, upstream_path: str, upstream_op: dict[str, Any]
) -> None:
    """A path parameter takes the schema of the upstream's parameter in the same position (a uuid)."""
    own, theirs = PARAM.findall(path), re.findall(r"{([^}]+)}", upstream_path)
    if len(own) != len(theirs):
        return
    upstream_schemas = {p["name"]: p.get("schema") for p in upstream_op.get("parameters", []) if p["in"] == "path"}
    names = dict(zip(own, theirs, strict=True))
    for parameter in parameters:
        schema = upstream_schemas.get(names.get(parameter["name"], ""))
        if parameter["in"] == "path" and schema:
            parameter["schema"] = schema


def _declare_errors(document: dict[str, Any]) -> None:
    """Every refusal is the envelope: the statuses each route can answer with, and any an upstream
    declared, all point at one schema."""
    envelope = {"$ref": REF + ENVELOPE}
    for path, operations in document.get("paths", {}).items():
        for method, op in operations.items():
            rule = RULES.get((method.upper(), path))
            signed_in = rule is not None and not rule.public
            statuses = {s for s in op.get("responses", {}) if s[0] in "45"}
            if signed_in:
                statuses |= {"401", "403"}
            # A first request of a user runs the registration saga, which needs the users service.
            if signed_in or (method, path) in FORWARDS:
                statuses.add("503")
            if op.get("parameters") or "requestBody" in op:
                statuses.add("422")
            # Services refuse a value their rules do not accept with 400 (the kit's DomainError default).
            if "requestBody" in op and signed_in:
                statuses.add("400")
            if "{" in path:
                statuses.add("404")
            if method != "get" and signed_in:
                statuses.add("409")
            responses = op.setdefault("responses", {})
            for status in sorted(statuses):
                description = responses.get(status, {}).get("description") or ERRORS.get(status, "Refused")
                if status == "422" or description == "Validation Error":
                    description = ERRORS["422"]
                responses[status] = {"description": description, "content": {"application/json": {"schema": envelope}}}
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    # Each service already declares its errors as the kit's envelope; every refusal above now points at the
    # gateway's one copy, so the upstreams' renamed copies are unreferenced.
    for name in list(schemas):
        if name.endswith("_" + ENVELOPE):
            del schemas[name]
    schemas[ENVELOPE] = ErrorEnvelope.model_json_schema(by_alias=True, ref_template=REF + "{model}")


class Aggregator:
    def __init__(self, http: httpx.AsyncClient, upstream_urls: dict[str, str]) -> None:
        self.http = http
        self.upstream_urls = upstream_urls
        self._cached: tuple[float, dict[str, dict[str, Any]]] | None = None

    async def document(self, own: dict[str, Any]) -> dict[str, Any]:
        documents = await self._upstream_documents()
        merged = copy.deepcopy(own)
        schemas = merged.setdefault("components", {}).setdefault("schemas", {})
        for name, upstream_doc in documents.items():
            prefix = f"{name}_"
            for schema_name, schema in upstream_doc.get("components", {}).get("schemas", {}).items():
                schemas[prefix + schema_name] = _renamed(schema, prefix)
        for path, operations in merged.get("paths", {}).items():
            for method, op in operations.items():
                relay = _relay_of(method, path, op)
                if relay is not None and relay.upstream in documents:
                    _enrich(op, path, relay, documents[relay.upstream], schemas)
        _declare_errors(merged)
        return merged

    async def _upstream_documents(self) -> dict[str, dict[str, Any]]:
        if self._cached is not None and self._cached[0] > time.monotonic():
            return self._cached[1]

        async def fetch(name: str, url: str) -> tuple[str, dict[str, Any] | None]:
            try:
                response = await self.http.get(f"{url.rstrip('/')}/openapi.json", timeout=FETCH_TIMEOUT_S)
                response.raise_for_status()
                return name, response.json()
            except (httpx.HTTPError, ValueError) as exc:
                log.info("docs.upstream_unavailable", upstream=name, error=repr(exc))
                return name, None

        names = {f.upstream for f in TABLE} | {"users"}
        results = await asyncio.gather(*(fetch(n, u) for n, u in self.upstream_urls.items() if n in names))
        documents = {name: doc for name, doc in results if doc is not None}
        self._cached = (time.monotonic() + CACHE_TTL_S, documents)
        return documents


def _relay_of(method: str, path: str, op: dict[str, Any]) -> Relay | None:
    marked = op.pop(RELAY_KEY, None)
    if marked is not None:
        query = tuple(marked["query"]) if "query" in marked else None
        return Relay(
            marked["upstream"], marked["method"], marked["target"], unwrap=marked.get("unwrap", False), query=query
        )
    return FORWARDS.get((method, path))
