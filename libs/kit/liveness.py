"""The metrics port of a consumer or worker process: `/health` answers liveness, every other path the metrics.

prometheus_client's own server answers metrics on every path, so a probe of `/health` would always pass;
this one asks the process: 200 with a small JSON body while it works, 503 with the reason when it does not.
The body also carries the figures an operator looks at first (consumer lag, outbox backlog), so the
gateway's aggregated health can show them without parsing the exposition format.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import REGISTRY, make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer

# (alive, details): details become the JSON body, with `alive` added.
Probe = Callable[[], tuple[bool, dict[str, Any]]]
StartResponse = Callable[[str, list[tuple[str, str]]], Any]

HEALTH_PATH = "/health"


class _QuietHandler(WSGIRequestHandler):
    """A probe every few seconds must not fill the process's log."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


def metrics_app(probe: Probe) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    metrics = make_wsgi_app()

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != HEALTH_PATH:
            return metrics(environ, start_response)  # type: ignore[no-any-return]
        try:
            alive, details = probe()
        except Exception as exc:  # a probe that fails says so instead of killing the server thread
            alive, details = False, {"reason": f"probe failed: {type(exc).__name__}"}
        body = json.dumps({"alive": alive, **details}).encode()
        status = "200 OK" if alive else "503 Service Unavailable"
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return app


def start_metrics_server(port: int, addr: str, probe: Probe) -> ThreadingWSGIServer:
    """Serve metrics and `/health` on addr:port from a daemon thread (the process's event loop stays free)."""
    server = make_server(addr, port, metrics_app(probe), ThreadingWSGIServer, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics-server", daemon=True).start()
    return server


def gauge_total(name: str, service: str) -> float:
    """The sum of a gauge's samples for one service (e.g. lag over all partitions) from the default registry."""
    total = 0.0
    for family in REGISTRY.collect():
        if family.name != name:
            continue
        total += sum(s.value for s in family.samples if s.labels.get("service") == service)
    return total
