"""The aggregated public API description: the gateway's own routes, with the request bodies and
responses of each pass-through route taken from its upstream's OpenAPI document (when that upstream
answers), their schemas renamed `<upstream>_<Name>` so services cannot collide."""

from __future__ import annotations

import asyncio
import copy
import re
import time
from typing import Any

import httpx
import structlog

from gateway.proxy import TABLE, Forward

log = structlog.get_logger("gateway.docs")

REF = "#/components/schemas/"
CACHE_TTL_S = 60.0
FETCH_TIMEOUT_S = 2.0


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
            by_shape = {_shape(p): ops for p, ops in upstream_doc.get("paths", {}).items()}
            for forward in TABLE:
                if forward.upstream == name:
                    self._enrich(merged, forward, by_shape, prefix)
        return merged

    def _enrich(self, merged: dict[str, Any], forward: Forward, by_shape: dict[str, Any], prefix: str) -> None:
        upstream_op = by_shape.get(_shape(forward.target), {}).get(forward.method.lower())
        own_op = merged["paths"].get(forward.path, {}).get(forward.method.lower())
        if not upstream_op or own_op is None:
            return
        for key in ("requestBody", "responses", "description"):
            if key in upstream_op:
                own_op[key] = _renamed(upstream_op[key], prefix)
        query = [p for p in upstream_op.get("parameters", []) if p.get("in") == "query"]
        own_op["parameters"] = [*own_op.get("parameters", []), *_renamed(query, prefix)]

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

        names = {f.upstream for f in TABLE}
        results = await asyncio.gather(*(fetch(n, u) for n, u in self.upstream_urls.items() if n in names))
        documents = {name: doc for name, doc in results if doc is not None}
        self._cached = (time.monotonic() + CACHE_TTL_S, documents)
        return documents
