"""`bench/journey`: N candidates at once through the gateway with real tokens, from sign-up to analysed interview.

For each N (default 10, 50, 200) a fresh HR user, company and template; N candidates run concurrently (see
driver.py for the steps); HR lists and reads every result. Analysis scores with the real `groq` SDK against the
LLM stand-in at a fixed latency, under the service's own limiter (`LLM_REQUESTS_PER_MINUTE`). Printed per N:
p50/p95 per step, errors (must be 0), interviews analysed per minute (N over the time from the burst's start
to the last analysis done), and where the limit is: CPU seconds per process (from /proc, every replica), the
most database connections in use at once per service (pg_stat_activity), and the LLM requests per minute the
stand-in saw against the limit.

The fleet runs twice: every process once, then the analysis and interviews consumers and workers at
`--scaled` replicas each; the difference is printed. Usage:
`uv run python bench/journey/run.py [--sizes 10,50,200] [--latency 0.5] [--llm-rpm 600] [--scaled 3]`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import resource
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from driver import STEPS, Journey, JourneyError, Keycloak, new_run_id
from fleet import KEYCLOAK, Fleet, Options, run_fleet

from kit.testing import KAFKA_BOOTSTRAP, process_cpu_seconds, superuser_url
from standins.llm import LlmStandIn


def own_cpu_seconds() -> float:
    """This process's CPU: the driver's 2N clients and the LLM stand-in share its one event loop and core, so a
    driver that saturates its core would measure itself."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_seconds(pid: int) -> float:
    """utime + stime of pid (its threads included), from /proc."""
    try:
        return process_cpu_seconds(pid)
    except OSError:  # the process has exited
        return 0.0


@dataclass
class Result:
    size: int
    steps: dict[str, tuple[float, float, int]]  # step → p50 ms, p95 ms, calls
    errors: dict[str, list[str]]
    retries: dict[str, int]
    burst_s: float
    analysed_per_min: float
    cpu: dict[str, float]  # process → CPU seconds during the run
    driver_cpu_s: float  # this process (driver and LLM stand-in) over the same span
    load: tuple[float, float]  # the machine's 1-minute load average at the burst's start and at the end
    db_connections: dict[str, int]  # service role → most connections at once
    db_lock_waits: dict[str, int]  # service role → most sessions at once waiting for a lock (a row's, mostly)
    db_idle_in_tx: dict[str, int]  # service role → most sessions at once idle inside an open transaction
    llm_peak_per_min: int
    llm_calls: int
    limiter_wait_s: float
    limiter_waited_calls: int


async def limiter_waits(fleet: Fleet) -> tuple[float, float]:
    """Seconds LLM calls waited for the limiter and how many calls, summed over the analysis processes."""
    total = count = 0.0
    async with httpx.AsyncClient(timeout=10.0) as http:
        for proc in fleet.replicas("analysis"):
            try:
                text = (await http.get(f"http://127.0.0.1:{proc.metrics_port}/metrics")).text
            except httpx.HTTPError:
                continue
            for line in text.splitlines():
                if line.startswith("analysis_service_llm_limiter_wait_seconds_sum"):
                    total += float(line.split()[-1])
                elif line.startswith("analysis_service_llm_limiter_wait_seconds_count"):
                    count += float(line.split()[-1])
    return total, count


# The fleet's own database: thousands of invitations left by a run would otherwise sit in the test database,
# where the suites' jobs (expiry, retention) find them beside their own rows.
DATABASE = "aivi_journey"


async def db_sampler(peaks: dict[str, dict[str, int]], stop: asyncio.Event) -> None:
    """Once a second, per role: sessions, those waiting for a lock, those idle in a transaction (a connection
    held while its process awaits something else, e.g. another service's answer); the most of each kept."""
    conn = await asyncpg.connect(superuser_url().replace("+asyncpg", ""))
    try:
        while not stop.is_set():
            rows = await conn.fetch(
                "SELECT usename, count(*) AS n, count(*) FILTER (WHERE wait_event_type = 'Lock') AS locked, "
                "count(*) FILTER (WHERE state = 'idle in transaction') AS idle_tx FROM pg_stat_activity "
                "WHERE datname = $1 AND usename IS NOT NULL GROUP BY usename",
                DATABASE,
            )
            for row in rows:
                for kind in ("n", "locked", "idle_tx"):
                    seen = peaks.setdefault(kind, {})
                    seen[row["usename"]] = max(seen.get(row["usename"], 0), int(row[kind]))
            await asyncio.sleep(1.0)
    finally:
        await conn.close()


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


async def run_size(fleet: Fleet, llm: LlmStandIn, size: int, secret: str) -> Result:
    keycloak = Keycloak(KEYCLOAK)
    journey = Journey(fleet.gateway_urls, keycloak, new_run_id(), secret)
    peaks: dict[str, dict[str, int]] = {}
    stop = asyncio.Event()
    sampler = asyncio.create_task(db_sampler(peaks, stop))
    try:
        await journey.set_up_hr()
        # Accounts first, at a bounded rate: the burst measures the platform, not Keycloak's password hashing.
        await journey.provision(size)
        llm.requests.clear()
        cpu_before = {p.name: cpu_seconds(p.process.pid) for p in fleet.procs}
        driver_before = own_cpu_seconds()
        load_before = os.getloadavg()[0]
        waits_before = await limiter_waits(fleet)
        started = time.monotonic()
        await journey.burst(size, concurrency=size)
        burst_s = time.monotonic() - started
        try:
            done = await journey.wait_analysed(timeout_s=600 + size * 10)
        except JourneyError as exc:
            journey.stats.errors["analysis"].append(str(exc))
            done = journey.analysed
        analysed_s = (max(done.values()) - started) if done else float("inf")
        with contextlib.suppress(JourneyError):  # counted under hr_list / hr_read
            await journey.hr_reads()
        cpu = {p.name: cpu_seconds(p.process.pid) - cpu_before[p.name] for p in fleet.procs}
        driver_cpu_s = own_cpu_seconds() - driver_before
        load = (load_before, os.getloadavg()[0])
        waits_after = await limiter_waits(fleet)
    finally:
        stop.set()
        await asyncio.gather(sampler, return_exceptions=True)
        await journey.close()
        await keycloak.remove_created()
        await keycloak.close()
    per_minute: dict[int, int] = {}
    for request in llm.requests:
        per_minute[int(request.arrived // 60)] = per_minute.get(int(request.arrived // 60), 0) + 1
    steps = {
        step: (percentile(d, 50) * 1000, percentile(d, 95) * 1000, len(d))
        for step in STEPS
        if (d := journey.stats.durations.get(step))
    }
    return Result(
        size=size,
        steps=steps,
        errors=dict(journey.stats.errors),
        retries=dict(journey.stats.retries),
        burst_s=burst_s,
        analysed_per_min=len(done) / analysed_s * 60 if done else 0.0,
        cpu=cpu,
        driver_cpu_s=driver_cpu_s,
        load=load,
        db_connections=peaks.get("n", {}),
        db_lock_waits={k: v for k, v in peaks.get("locked", {}).items() if v},
        db_idle_in_tx={k: v for k, v in peaks.get("idle_tx", {}).items() if v},
        # Whole minutes only: a partial first or last minute understates the rate.
        llm_peak_per_min=max(per_minute.values(), default=0),
        llm_calls=len(llm.requests),
        limiter_wait_s=waits_after[0] - waits_before[0],
        limiter_waited_calls=int(waits_after[1] - waits_before[1]),
    )


def by_role(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"


def report(label: str, results: list[Result], options: Options) -> None:
    print(f"\n=== {label} ===")
    for r in results:
        errors = sum(len(v) for v in r.errors.values())
        rate = f"{r.analysed_per_min:.1f} interviews analysed/min"
        print(f"\nN = {r.size}: burst {r.burst_s:.1f}s, {rate}, errors {errors}")
        for step, (p50, p95, calls) in r.steps.items():
            print(f"  {step:<10} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms  ({calls} calls)")
        if r.retries:
            print("  retried after a 503 (overload): " + ", ".join(f"{k} {v}" for k, v in r.retries.items()))
        for step, messages in r.errors.items():
            # "METHOD path: STATUS body" (or ": ExceptionName"): the answers by status, then the first in full.
            statuses: dict[str, int] = {}
            for message in messages:
                status = message.split(": ", 1)[-1].split(" ", 1)[0]
                statuses[status] = statuses.get(status, 0) + 1
            print(f"  ERRORS {step}: {len(messages)} {statuses}, first: {messages[0]}")
            # Which refusal each was (a 503 of an open breaker reads apart from one of an exhausted pool).
            reasons: dict[str, int] = {}
            for message in messages:
                found = re.search(r'"error":"([^"]*)"', message)
                reason = found.group(1) if found else message.split(": ", 1)[-1][:80]
                reasons[reason] = reasons.get(reason, 0) + 1
            for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1]):
                print(f"    {count} x {reason}")
        busiest = sorted(r.cpu.items(), key=lambda kv: -kv[1])[:6]
        window = r.burst_s
        print("  CPU seconds (busiest processes): " + ", ".join(f"{n} {s:.1f}" for n, s in busiest))
        print(f"  CPU total {sum(r.cpu.values()):.0f}s over a {window:.0f}s burst + analysis wait")
        print(f"  driver (and LLM stand-in) CPU {r.driver_cpu_s:.1f}s; load average {r.load[0]:.1f} -> {r.load[1]:.1f}")
        print(f"  most DB connections at once: {by_role(r.db_connections)}")
        print(f"  most waiting for a lock: {by_role(r.db_lock_waits)}")
        print(f"  most idle in transaction: {by_role(r.db_idle_in_tx)}")
        print(
            f"  LLM: {r.llm_calls} calls, busiest minute {r.llm_peak_per_min} against a limit of "
            f"{options.llm_requests_per_minute}/min per analysis worker process; limiter wait "
            f"{r.limiter_wait_s:.0f}s over {r.limiter_waited_calls} calls "
            f"(mean {r.limiter_wait_s / max(r.limiter_waited_calls, 1):.2f}s)"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10,50,200")
    parser.add_argument("--latency", type=float, default=0.5, help="the LLM stand-in's seconds per answer")
    parser.add_argument(
        "--llm-rpm", type=int, default=600, help="the provider's requests per minute, shared by the analysis workers"
    )
    parser.add_argument("--scaled", type=int, default=3, help="analysis and interviews replicas in the second run")
    parser.add_argument("--only", choices=("base", "scaled"), default=None)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    llm = LlmStandIn(latency_s=args.latency)
    await llm.start()
    secret = "whsec_bench_journey"
    configs = {
        "base": Options(
            llm_url=llm.base_url, llm_requests_per_minute=args.llm_rpm, stripe_webhook_secret=secret, database=DATABASE
        ),
        "scaled": Options(
            replicas={"analysis": args.scaled, "interviews": args.scaled},
            llm_url=llm.base_url,
            # The limiter is per process (docs/architecture.md §11): the provider's budget divided by the replicas.
            llm_requests_per_minute=args.llm_rpm // args.scaled,
            stripe_webhook_secret=secret,
            database=DATABASE,
        ),
    }
    print(
        f"bench/journey: sizes {sizes}, LLM stand-in latency {args.latency}s, LLM_REQUESTS_PER_MINUTE "
        f"{args.llm_rpm}, load average {os.getloadavg()[0]:.1f} at start"
    )
    outcomes: dict[str, list[Result]] = {}
    try:
        for label, options in configs.items():
            if args.only and label != args.only:
                continue
            async with run_fleet(KAFKA_BOOTSTRAP, options) as fleet:
                outcomes[label] = []
                for size in sizes:
                    result = await run_size(fleet, llm, size, secret)
                    outcomes[label].append(result)
                    report(f"{label}: {', '.join(p.name for p in fleet.procs)}", [result], options)
    finally:
        await llm.stop()
    if len(outcomes) == 2:
        print(f"\n=== scaled (analysis + interviews x{args.scaled}) vs base ===")
        for base, scaled in zip(outcomes["base"], outcomes["scaled"], strict=True):
            print(
                f"N = {base.size}: analysed/min {base.analysed_per_min:.1f} -> {scaled.analysed_per_min:.1f}; "
                f"burst {base.burst_s:.1f}s -> {scaled.burst_s:.1f}s; complete p95 "
                f"{base.steps.get('complete', (0, 0, 0))[1]:.0f} -> {scaled.steps.get('complete', (0, 0, 0))[1]:.0f} ms"
            )
    print(f"load average {os.getloadavg()[0]:.1f} at end")


if __name__ == "__main__":
    asyncio.run(main())
