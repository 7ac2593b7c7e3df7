"""The infrastructure as a whole: start in parallel, stop in reverse order, report status."""

from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor

from devstack.component import Component, Origin, Status
from devstack.config import Config
from devstack.kafka import Kafka
from devstack.keycloak import Keycloak
from devstack.mailpit import Mailpit
from devstack.postgres import Postgres
from devstack.proc import DevstackError, log
from devstack.prometheus import Prometheus
from devstack.redis import Redis
from devstack.s3 import SeaweedS3
from devstack.stripe_mock import StripeMock


def components(cfg: Config) -> list[Component]:
    """In start order; stopping goes the other way."""
    return [
        Postgres(cfg),
        Redis(cfg),
        Kafka(cfg),
        SeaweedS3(cfg),
        Mailpit(cfg),
        StripeMock(cfg),
        Keycloak(cfg),
        Prometheus(cfg),
    ]


def start_infra(cfg: Config) -> dict[str, Origin]:
    """Start (or reuse) every component; they are independent, so all start at once."""
    cfg.ensure_dirs()
    started = time.monotonic()
    comps = components(cfg)
    with ThreadPoolExecutor(max_workers=len(comps)) as pool:
        futures = {c.name: pool.submit(c.ensure_running) for c in comps}
    origins: dict[str, Origin] = {}
    errors: list[str] = []
    for name, future in futures.items():
        try:
            origins[name] = future.result()
        except DevstackError as exc:
            errors.append(str(exc))
        except Exception as exc:  # any other failure is reported the same way, with its type
            errors.append(f"{name}: {type(exc).__name__}: {exc}")
    if errors:
        raise DevstackError("infrastructure failed to start:\n  " + "\n  ".join(errors))
    log(f"infrastructure ready in {time.monotonic() - started:.1f}s")
    return origins


def stop_infra(cfg: Config, only: set[str] | None = None) -> None:
    for comp in reversed(components(cfg)):
        if only is not None and comp.name not in only:
            continue
        if comp.stop():
            log(f"{comp.name}: stopped")


def infra_status(cfg: Config) -> list[Status]:
    return [c.status() for c in components(cfg)]


def reset_data(cfg: Config) -> None:
    """Delete state but keep what was downloaded or built (jars, Keycloak dist, mailpit and stripe-mock binaries)."""
    kc = Keycloak(cfg)
    doomed = [
        cfg.local / "postgres",
        cfg.local / "redis",
        cfg.local / "kafka" / "broker",
        cfg.local / "seaweedfs",
        cfg.local / "mailpit",
        cfg.local / "prometheus" / "data",
        kc.dist / "data",
        cfg.run,
        cfg.logs,
    ]
    for path in doomed:
        if path.exists():
            shutil.rmtree(path)
            log(f"deleted {path}")
