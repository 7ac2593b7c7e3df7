"""Gateway overhead: the same authenticated GET of a user, through the gateway (`/api/users/me` with a
Keycloak token: verification, RBAC, identity cache, aiohttp proxy, breaker) and straight to the users
service (`/users/{id}` with the identity headers the gateway would send), in one run.

Starts both services with uvicorn on 127.0.0.1 against the test database (`aivi_test`) and the
`ai-video-interview-test` realm, with a throwaway Keycloak user it deletes afterwards. Load comes from
`wrk` when installed, else from an asyncio client (aiohttp). `--baseline REV` also starts the gateway (and the
kit) as committed at REV beside today's, against the same users service, and measures both in the same run;
`--repeat N` alternates the CPU passes N times and prints the median, and the gateway-added p50 of those
sequential requests (one connection); `--profile` samples the gateway and the users service with py-spy under
the proxied load. Usage: `uv run python bench/gateway/run.py`."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import aiohttp
import httpx
from keycloak import KeycloakAdmin, KeycloakOpenIDConnection

from kit.server import HTTP_PROTOCOL
from kit.testing import (
    INTERNAL_TOKEN,
    REDIS_URL,
    alembic_upgrade,
    free_port,
    process_cpu_seconds,
    role_url,
    settings_for_tests,
)

ROOT = Path(__file__).resolve().parents[2]
KEYCLOAK = os.environ.get("KEYCLOAK_URL", "http://127.0.0.1:8090")
REALM = "ai-video-interview-test"
CLIENT_ID = "ai-video-interview-app"


def start(
    module: str, port: int, env: dict[str, str], app_dir: str | None = None, kit: Path = ROOT / "libs" / "kit"
) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", module, "--host", "127.0.0.1", "--port", str(port)]
    # kit.server's protocol, as the deploy commands run an api; a baseline's kit from before it is served as it was.
    if (kit / "server.py").exists():
        command += ["--http", HTTP_PROTOCOL]
    if app_dir:
        command += ["--app-dir", app_dir]
    command += ["--no-access-log", "--log-level", "warning"]
    return subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL)


def wait_healthy(url: str, process: subprocess.Popen[bytes], path: str = "/health") -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"{url} exited during start-up")
        try:
            if httpx.get(f"{url}{path}", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not start")


def run_wrk(url: str, headers: dict[str, str], seconds: int, connections: int) -> tuple[float, float, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise SystemExit(f"{url}: {non_2xx.group(1)} non-2xx answers\n{output}")
    return rps, _wrk_ms(output, "50%"), _wrk_ms(output, "99%")


def _wrk_ms(output: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


async def run_asyncio(url: str, headers: dict[str, str], seconds: int, connections: int) -> tuple[float, float, float]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker(session: aiohttp.ClientSession) -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            async with session.get(url, headers=headers) as response:
                await response.read()
                if response.status != 200:
                    raise SystemExit(f"{url}: answered {response.status}")
            latencies.append((time.perf_counter() - started) * 1000)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections)) as session:
        began = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(connections)))
        elapsed = time.perf_counter() - began
    ordered = sorted(latencies)
    return len(ordered) / elapsed, statistics.median(ordered), ordered[int(0.99 * (len(ordered) - 1))]


def measure(url: str, headers: dict[str, str], seconds: int, connections: int) -> tuple[float, float, float]:
    if shutil.which("wrk"):
        return run_wrk(url, headers, seconds, connections)
    return asyncio.run(run_asyncio(url, headers, seconds, connections))


def measure_with_cpu(
    url: str, headers: dict[str, str], seconds: int, connections: int, pids: dict[str, int]
) -> tuple[tuple[float, float, float], dict[str, float]]:
    """`measure`, and the microseconds of CPU each process spent per request under that load: busy processes,
    unlike the sequential passes, where each request wakes an idle process (see bench/README.md, round 6)."""
    before = {name: process_cpu_seconds(pid) for name, pid in pids.items()}
    row = measure(url, headers, seconds, connections)
    requests = row[0] * seconds
    return row, {name: (process_cpu_seconds(pid) - before[name]) / requests * 1e6 for name, pid in pids.items()}


def cpu_per_request(
    url: str, headers: dict[str, str], requests: int, pids: dict[str, int], *, idle_s: float = 0.0
) -> dict[str, float]:
    """Microseconds of CPU each process spends per request, over `requests` sequential requests: a figure that
    holds on a busy machine, where req/s and latencies swing with other load. Also `p50 ms`, the median latency
    of those requests: one at a time, so no request queues behind another for a core. `idle_s`: the client
    waits that long after each answer, so the served process is idle when the next one comes."""
    latencies: list[float] = []

    async def run() -> None:
        async with aiohttp.ClientSession() as session:
            for _ in range(requests):
                started = time.perf_counter()
                async with session.get(url, headers=headers) as response:
                    await response.read()
                    if response.status != 200:
                        raise SystemExit(f"{url}: answered {response.status}")
                latencies.append((time.perf_counter() - started) * 1000)
                if idle_s:
                    await asyncio.sleep(idle_s)

    before = {name: process_cpu_seconds(pid) for name, pid in pids.items()}
    asyncio.run(run())
    used = {name: (process_cpu_seconds(pid) - before[name]) / requests * 1e6 for name, pid in pids.items()}
    return {**used, "p50 ms": statistics.median(latencies)}


def profile(pids: dict[str, int], url: str, headers: dict[str, str], args: argparse.Namespace) -> None:
    """py-spy samples each process (collapsed stacks in `--profile-dir`) while the proxied route is loaded."""
    sys.path.insert(0, str(ROOT / "bench/services"))
    from run import summarise  # the services bench's summary of collapsed stacks

    py_spy = shutil.which("py-spy")
    if py_spy is None:
        raise SystemExit("py-spy is not installed (uv sync installs the dev group)")
    out = Path(args.profile_dir)
    out.mkdir(parents=True, exist_ok=True)
    recorders = {}
    for name, pid in pids.items():
        command = [py_spy, "record", "--pid", str(pid), "--duration", str(args.seconds), "--rate", "250"]
        stacks = out / f"{name}.stacks.txt"
        recorders[name] = (
            stacks,
            subprocess.Popen([*command, "--nonblocking", "--format", "raw", "--output", str(stacks)]),
        )
    measure(url, headers, args.seconds, args.connections)
    for name, (stacks, recorder) in recorders.items():
        recorder.wait(timeout=60)
        print(f"\n{name}, under the proxied load:")
        summarise(stacks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--cpu-requests", type=int, default=1000, help="sequential requests for CPU per request")
    parser.add_argument("--repeat", type=int, default=1, help="CPU passes, alternated; the median is printed")
    parser.add_argument("--baseline", default="", help="a git revision of the gateway and kit measured beside today's")
    parser.add_argument("--profile", action="store_true", help="also sample both processes with py-spy under load")
    parser.add_argument("--profile-dir", default="/tmp/bench-gateway-profile")
    args = parser.parse_args()

    from gateway.settings import Settings as GatewaySettings
    from users.settings import Settings as UsersSettings

    alembic_upgrade(ROOT / "services/users", settings_for_tests(UsersSettings, "users"))
    alembic_upgrade(ROOT / "services/gateway", settings_for_tests(GatewaySettings, "gateway"))

    admin = KeycloakAdmin(
        connection=KeycloakOpenIDConnection(
            server_url=KEYCLOAK, username="admin", password="admin", realm_name=REALM, user_realm_name="master"
        )
    )
    email, password = f"bench-{uuid.uuid4().hex[:10]}@example.com", f"Bench-{uuid.uuid4().hex[:8]}!"
    keycloak_id = admin.create_user(
        {
            "email": email,
            "username": email,
            "firstName": "Bench",
            "lastName": "User",
            "enabled": True,
            "emailVerified": True,
            "credentials": [{"type": "password", "value": password, "temporary": False}],
        }
    )
    users_port = free_port()
    bare_ports = {"aiohttp": free_port(), "httpx": free_port()}
    common = {
        "SERVICE_ENV": "test",
        "INTERNAL_TOKEN": INTERNAL_TOKEN,
        "REDIS_URL": REDIS_URL,
        "TOPIC_PREFIX": "bench-gateway.",
        "LOG_LEVEL": "WARNING",
    }
    users = start(
        "users.main:app",
        users_port,
        {**common, "DATABASE_URL": role_url("users"), "DB_SCHEMA": "users", "S3_BUCKET_PREFIX": "test-"},
    )
    gateway_env = {
        **common,
        "DATABASE_URL": role_url("gateway"),
        "DB_SCHEMA": "gateway",
        "KEYCLOAK_URL": KEYCLOAK,
        "KEYCLOAK_REALM": REALM,
        "USERS_URL": f"http://127.0.0.1:{users_port}",
        "IDENTITY_CACHE_TTL_S": "300",
        # The benchmark's one user sends far more than a person may: measured without the per-user limit.
        "API_RATE_LIMIT": "100000000/minute",
    }
    # Today's gateway, and the baseline's (its gateway package and kit first on the import path) when asked for.
    variants = {"now": ""}
    if args.baseline:
        sys.path.insert(0, str(ROOT / "bench/services"))
        from run import baseline_path  # the services bench's tree of a revision's kit and service

        variants = {args.baseline: baseline_path(args.baseline, "gateway"), **variants}
    gateway_ports = {label: free_port() for label in variants}
    gateways = {
        label: start(
            "gateway.main:app",
            gateway_ports[label],
            {**gateway_env, **({"PYTHONPATH": path} if path else {})},
            kit=Path(path.split(":")[0]) / "kit" if path else ROOT / "libs" / "kit",
        )
        for label, path in variants.items()
    }
    bare = {
        client: start(
            "bare_proxy:app",
            port,
            {"BARE_PROXY_UPSTREAM": f"http://127.0.0.1:{users_port}", "BARE_PROXY_CLIENT": client},
            app_dir=str(Path(__file__).parent),
        )
        for client, port in bare_ports.items()
    }
    try:
        users_url = f"http://127.0.0.1:{users_port}"
        gateway_urls = {label: f"http://127.0.0.1:{port}" for label, port in gateway_ports.items()}
        wait_healthy(users_url, users)
        for label, url in gateway_urls.items():
            wait_healthy(url, gateways[label])
        token = httpx.post(
            f"{KEYCLOAK}/realms/{REALM}/protocol/openid-connect/token",
            data={"grant_type": "password", "client_id": CLIENT_ID, "username": email, "password": password},
        ).json()["access_token"]
        through_headers = {"authorization": f"Bearer {token}"}
        user_id = ""
        for url in gateway_urls.values():
            me = httpx.get(f"{url}/api/users/me", headers=through_headers, timeout=30)
            me.raise_for_status()
            user_id = me.json()["id"]
        direct_headers = {"x-internal-token": INTERNAL_TOKEN, "x-user-id": user_id, "x-user-role": "pending"}
        direct_url = f"{users_url}/users/{user_id}"
        through_urls = {label: f"{url}/api/users/me" for label, url in gateway_urls.items()}
        assert httpx.get(direct_url, headers=direct_headers).json()["id"] == user_id

        for client, port in bare_ports.items():
            wait_healthy(f"http://127.0.0.1:{port}", bare[client])

        tool = "wrk" if shutil.which("wrk") else "asyncio/aiohttp"
        print(f"load: {tool}, {args.connections} connections, {args.seconds} s each, after a 2 s warm-up")
        measure(direct_url, direct_headers, 2, args.connections)
        for url in through_urls.values():
            measure(url, through_headers, 2, args.connections)
        pids = {"users": users.pid, **{f"gateway {label}": process.pid for label, process in gateways.items()}}
        direct, direct_cpu = measure_with_cpu(direct_url, direct_headers, args.seconds, args.connections, pids)
        through, through_cpu = {}, {}
        for label, url in through_urls.items():
            through[label], through_cpu[label] = measure_with_cpu(
                url, through_headers, args.seconds, args.connections, pids
            )
        # Which HTTP client the gateway proxies with is a measured choice: the same bare proxy route with each.
        bare_rows = {
            client: measure(f"http://127.0.0.1:{port}/users/{user_id}", direct_headers, args.seconds, args.connections)
            for client, port in bare_ports.items()
        }
        # /users/{id} is bound by the users service's database; its /health is not, so there the
        # proxy's own cost, and the client's, shows.
        health = measure(f"{users_url}/health", {}, args.seconds, args.connections)
        bare_health = {
            client: measure(f"http://127.0.0.1:{port}/health", {}, args.seconds, args.connections)
            for client, port in bare_ports.items()
        }
        # Alternated passes: the machine's load drifts, so each variant is measured between the others.
        passes: dict[str, list[dict[str, float]]] = {}
        for _ in range(args.repeat):
            passes.setdefault("direct", []).append(cpu_per_request(direct_url, direct_headers, args.cpu_requests, pids))
            for label, url in through_urls.items():
                passes.setdefault(label, []).append(cpu_per_request(url, through_headers, args.cpu_requests, pids))
        if args.profile:
            profile({"gateway": gateways["now"].pid, "users": users.pid}, through_urls["now"], through_headers, args)
        table = [
            (
                "authenticated GET of a user",
                direct,
                [
                    ("users direct /users/{id}", direct),
                    *((f"gateway /api/users/me{_tag(label, args)}", row) for label, row in through.items()),
                    *((f"bare proxy, {c}", r) for c, r in bare_rows.items()),
                ],
            ),
            (
                "GET /health (no database)",
                health,
                [("users direct /health", health), *((f"bare proxy, {c}", r) for c, r in bare_health.items())],
            ),
        ]
        for title, baseline, rows in table:
            print(f"\n{title:40}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'vs direct':>11}")
            for label, (rps, p50, p99) in rows:
                print(f"  {label:38}{rps:>10.0f}{p50:>10.2f}{p99:>10.2f}{rps / baseline[0]:>10.2f}x")
        for label, row in through.items():
            added = row[1] - direct[1]
            print(f"\ngateway-added p50{_tag(label, args)} at {args.connections} connections: {added:.2f} ms")
        print(f"\nCPU per request under the load above ({args.connections} connections):")
        print(f"  {'':36}{'users us':>12}{'gateway us':>12}{'proxied/direct':>16}")
        print(f"  {'users direct /users/{id}':36}{direct_cpu['users']:>12.0f}{'':>12}")
        for label in through_urls:
            users_us, gateway_us = through_cpu[label]["users"], through_cpu[label][f"gateway {label}"]
            bound = direct_cpu["users"] / max(users_us, gateway_us)
            name = f"gateway /api/users/me{_tag(label, args)}"
            print(f"  {name:36}{users_us:>12.0f}{gateway_us:>12.0f}{bound:>15.2f}x")
        print(f"\nCPU per request, {args.cpu_requests} sequential requests, median of {args.repeat} alternated passes:")
        print(f"  {'':36}{'users us':>12}{'gateway us':>12}{'proxied/direct':>16}")
        direct_users = statistics.median(p["users"] for p in passes["direct"])
        print(f"  {'users direct /users/{id}':36}{direct_users:>12.0f}{'':>12}")
        for label in through_urls:
            users_us = statistics.median(p["users"] for p in passes[label])
            gateway_us = statistics.median(p[f"gateway {label}"] for p in passes[label])
            # Each process on its own core: the proxied route's throughput is bound by the busier of the two.
            bound = direct_users / max(users_us, gateway_us)
            name = f"gateway /api/users/me{_tag(label, args)}"
            print(f"  {name:36}{users_us:>12.0f}{gateway_us:>12.0f}{bound:>15.2f}x")
        # At many connections on two cores the added latency is mostly queueing for a core; one request at a time
        # shows what the gateway itself adds.
        direct_p50 = statistics.median(p["p50 ms"] for p in passes["direct"])
        print(f"\ngateway-added p50 at 1 connection (sequential, median of {args.repeat} passes):")
        print(f"  {'users direct /users/{id}':36}{'':>12}{direct_p50:>10.2f} ms")
        for label in through_urls:
            p50 = statistics.median(p["p50 ms"] for p in passes[label])
            name = f"gateway /api/users/me{_tag(label, args)}"
            print(f"  {name:36}{'+' + format(p50 - direct_p50, '.2f'):>12}{p50:>10.2f} ms")
        print(f"  load average: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    finally:
        for process in (*gateways.values(), users, *bare.values()):
            process.terminate()
            process.wait(timeout=30)
        admin.delete_user(keycloak_id)


def _tag(label: str, args: argparse.Namespace) -> str:
    return f" ({label})" if args.baseline else ""


if __name__ == "__main__":
    main()
