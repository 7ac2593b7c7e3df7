"""CPU time per request of each service's read route and `/health`, in process (httpx's ASGI transport, one
request at a time): a figure that holds on a busy machine, where req/s and latencies swing with other load.
The client's own CPU (about the same for both routes) is included. `--baseline REV` runs the kit and the
service as committed at REV (`--kit-only`: only the kit) in a child process too, for a before/after in one
machine state; `--repeat N` alternates the two N times and shows the median run.
Usage: `uv run python bench/services/cpu.py [--only users] [--baseline REV]`."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager

sys.path.insert(0, str(Path(__file__).parent))

from run import ROOT, SERVICES, baseline_path, remove, settings_of, with_sessions

from kit.testing import INTERNAL_TOKEN, REDIS_URL, alembic_upgrade, role_url


async def cpu_per_request(name: str, requests: int) -> tuple[float, float]:
    """(health, read) microseconds of CPU per request."""
    import importlib

    service = SERVICES[name]
    target = await with_sessions(name, service.seed)
    app = importlib.import_module(f"{name}.main").create_app()
    try:
        async with LifespanManager(app) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                figures = []
                for path, headers in (("/health", {}), (target.path, target.headers)):
                    for _ in range(requests // 5):  # warm-up: caches, pool, statements prepared
                        (await client.get(path, headers=headers)).raise_for_status()
                    started = time.process_time()
                    for _ in range(requests):
                        await client.get(path, headers=headers)
                    figures.append((time.process_time() - started) / requests * 1e6)
                return figures[0], figures[1]
    finally:
        await remove(name, target)


def child_env(name: str, log_level: str, python_path: str) -> dict[str, str]:
    env = {
        **os.environ,
        "SERVICE_ENV": "test",
        "INTERNAL_TOKEN": INTERNAL_TOKEN,
        "REDIS_URL": REDIS_URL,
        "TOPIC_PREFIX": "bench-services.",
        "LOG_LEVEL": log_level,
        "DATABASE_URL": role_url(name),
        "DB_SCHEMA": name,
        **SERVICES[name].env,
    }
    if python_path:
        env["PYTHONPATH"] = python_path
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="")
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--baseline", default="")
    parser.add_argument("--kit-only", action="store_true", help="the baseline's kit with today's service")
    parser.add_argument("--repeat", type=int, default=1, help="alternating runs of each variant; the median shown")
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        health, read = asyncio.run(cpu_per_request(args.child, args.requests))
        print(f"{health:.0f} {read:.0f}")
        return
    names = [n for n in args.only.split(",") if n] or list(SERVICES)
    if args.baseline:
        # Resolved once: a commit made while the bench runs must not become the later services' baseline.
        revision = ["git", "rev-parse", "--short", f"{args.baseline}^{{commit}}"]
        args.baseline = subprocess.run(revision, capture_output=True, text=True, check=True).stdout.strip()
    print(
        f"CPU per request, in process, {args.requests} sequential requests each, LOG_LEVEL={args.log_level}, "
        f"median of {args.repeat} alternating runs"
    )
    print(f"\n{'service':22}{'route':34}{'health us':>11}{'read us':>10}{'health/read':>13}")
    for name in names:
        # The schema at the working tree's head, as `run.py` does: the test database may have been recreated.
        alembic_upgrade(ROOT / "services" / name, settings_of(name))
        variants = [("now" if args.baseline else "", "")]
        if args.baseline:
            path = baseline_path(args.baseline, name)
            # --kit-only: the revision's kit under today's service, so only the kit's change is measured.
            variants.insert(0, (args.baseline, path.split(":")[0] if args.kit_only else path))
        runs: dict[str, list[tuple[float, float]]] = {label: [] for label, _ in variants}
        # Alternating, so a burst of other load hits both variants alike; the median run is shown.
        for _ in range(args.repeat):
            for label, python_path in variants:
                command = [sys.executable, __file__, "--child", name, "--requests", str(args.requests)]
                env = child_env(name, args.log_level, python_path)
                output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
                health, read = (float(v) for v in output.strip().splitlines()[-1].split())
                runs[label].append((health, read))
        for label, figures in runs.items():
            health, read = sorted(figures, key=lambda f: f[0] / f[1])[len(figures) // 2]
            shown = f"{name} {label}".strip()
            print(f"{shown:22}{SERVICES[name].route:34}{health:>11.0f}{read:>10.0f}{health / read:>12.2f}x", flush=True)


if __name__ == "__main__":
    main()
