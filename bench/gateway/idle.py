"""Why the users service costs more behind a proxy than direct, in the sequential passes of `run.py`: the users
service's CPU per `GET /users/{id}` direct, direct with the client waiting 1 ms after each answer (so users is idle
when each request comes, as it is behind a proxy), and behind the bare aiohttp proxy (`bare_proxy.py`: no gateway
code at all); alternated passes, min and median. Usage: `uv run python bench/gateway/idle.py [--repeat 5]`."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from pathlib import Path

import asyncpg

from kit.testing import INTERNAL_TOKEN, REDIS_URL, free_port, role_url

sys.path.insert(0, str(Path(__file__).parent))
from run import cpu_per_request, start, wait_healthy


async def a_user_id() -> str:
    connection = await asyncpg.connect(role_url("users").replace("postgresql+asyncpg", "postgresql"))
    try:
        user_id = await connection.fetchval("SELECT id FROM users.users LIMIT 1")
    finally:
        await connection.close()
    if user_id is None:
        raise SystemExit("no user in the test database: run bench/gateway/run.py (or the users tests) once first")
    return str(user_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    user_id = asyncio.run(a_user_id())
    users_port, proxy_port = free_port(), free_port()
    env = {"SERVICE_ENV": "test", "INTERNAL_TOKEN": INTERNAL_TOKEN, "REDIS_URL": REDIS_URL, "LOG_LEVEL": "WARNING"}
    users = start(
        "users.main:app",
        users_port,
        {**env, "TOPIC_PREFIX": "bench-idle.", "DATABASE_URL": role_url("users"), "DB_SCHEMA": "users"},
    )
    proxy = start(
        "bare_proxy:app",
        proxy_port,
        {"BARE_PROXY_UPSTREAM": f"http://127.0.0.1:{users_port}", "BARE_PROXY_CLIENT": "aiohttp"},
        app_dir=str(Path(__file__).parent),
    )
    try:
        wait_healthy(f"http://127.0.0.1:{users_port}", users)
        wait_healthy(f"http://127.0.0.1:{proxy_port}", proxy)
        headers = {"x-internal-token": INTERNAL_TOKEN, "x-user-id": user_id, "x-user-role": "pending"}
        variants = {
            "direct": (f"http://127.0.0.1:{users_port}/users/{user_id}", 0.0),
            "direct, client idle 1 ms": (f"http://127.0.0.1:{users_port}/users/{user_id}", 0.001),
            "behind the bare aiohttp proxy": (f"http://127.0.0.1:{proxy_port}/users/{user_id}", 0.0),
        }
        pids = {"users": users.pid}
        for url, idle_s in variants.values():  # warm-up
            cpu_per_request(url, headers, 200, pids, idle_s=idle_s)
        figures: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(args.repeat):
            for name, (url, idle_s) in variants.items():
                figures[name].append(cpu_per_request(url, headers, args.requests, pids, idle_s=idle_s)["users"])
        print(f"users' CPU per GET /users/{{id}}, {args.requests} sequential requests, {args.repeat} alternated passes")
        for name, values in figures.items():
            print(f"  {name:32}min {min(values):>6.0f} us   median {statistics.median(values):>6.0f} us")
    finally:
        for process in (users, proxy):
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
