"""Each service's hottest read route beside the same service's `/health`, in one run: req/s, p50, p99 and the
ratio read / health (the issue's target: at least 0.4x for every service), and the service process's CPU per
request under each load with its ratio health / read: a CPU-bound service's throughput ratio, which holds when
other load on the machine moves req/s.

Each service runs as its own uvicorn process on 127.0.0.1 against the test database (`aivi_test`), migrated
first; the rows a read route returns are seeded through the service's own models and deleted afterwards. Load
comes from an asyncio client (aiohttp) with `--connections` connections, after a warm-up. `--profile users`
also samples that service with py-spy under its read route's load (collapsed stacks in `--profile-dir`, and
the busiest functions printed). `--floor` adds the framework's floor (`floor.py`: media's read on a bare FastAPI
app and an asyncpg pool) measured the same way, with `--baseline` the floor as committed there too.
Usage: `uv run python bench/services/run.py [--only users,media]`."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from sqlalchemy import delete, insert, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kit.db import make_engine, make_sessionmaker
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
KIT = ROOT / "libs" / "kit"
BENCH_DOMAIN = "bench-services.invalid"

Seed = Callable[[async_sessionmaker[AsyncSession]], Awaitable["Target"]]


@dataclass
class Target:
    """What the read route is called with, and how the seeded rows are removed."""

    path: str
    headers: dict[str, str]
    cleanup: Callable[[AsyncSession], Awaitable[None]]


@dataclass
class Service:
    name: str
    route: str  # the label printed
    seed: Seed
    env: dict[str, str] = field(default_factory=dict)


def identity(user_id: uuid.UUID, role: str, **extra: str) -> dict[str, str]:
    return {"x-internal-token": INTERNAL_TOKEN, "x-user-id": str(user_id), "x-user-role": role, **extra}


# --- seeds: one per service, through its own models --------------------------------------------------------


async def seed_users(sessions: async_sessionmaker[AsyncSession]) -> Target:
    from users.domain import User

    user_id = uuid.uuid4()
    async with sessions() as session, session.begin():
        user = User.register(
            user_id=user_id,
            external_auth_id=f"bench-{user_id}",
            email=f"{user_id.hex[:12]}@{BENCH_DOMAIN}",
            first_name="Bench",
            last_name="User",
        )
        user.pull_events()  # seeded, not announced
        # An avatar makes the read presign a URL, as most profiles do.
        user.avatar_key = f"avatars/{user_id}.png"
        session.add(user)

    async def cleanup(session: AsyncSession) -> None:
        await session.execute(delete(User).where(User.id == user_id))

    return Target(f"/users/{user_id}", identity(user_id, "candidate"), cleanup)


async def seed_media(sessions: async_sessionmaker[AsyncSession]) -> Target:
    from media.domain import MediaObject, MediaStatus, TranscriptStatus, UploadMode

    owner, media_id = uuid.uuid4(), uuid.uuid4()
    async with sessions() as session, session.begin():
        session.add(
            MediaObject(
                id=media_id,
                owner_id=str(owner),
                invitation_id=uuid.uuid4(),
                question_id=uuid.uuid4(),
                kind="video",
                file_name="answer.webm",
                content_type="video/webm",
                declared_size=1_000_000,
                size=1_000_000,
                object_key=f"bench/{media_id}.webm",
                upload_mode=UploadMode.SINGLE,
                status=MediaStatus.READY,
                transcript_status=TranscriptStatus.COMPLETED,
                transcript_text="A transcript of a benchmark answer.",
            )
        )

    async def cleanup(session: AsyncSession) -> None:
        await session.execute(delete(MediaObject).where(MediaObject.id == media_id))

    return Target(f"/api/v1/media/{media_id}", identity(owner, "candidate"), cleanup)


async def seed_analysis(sessions: async_sessionmaker[AsyncSession]) -> Target:
    from analysis.domain import AnalysisResult, AnalysisStatus

    hr, invitation_id = uuid.uuid4(), uuid.uuid4()
    async with sessions() as session, session.begin():
        session.add(
            AnalysisResult(
                invitation_id=invitation_id,
                candidate_id=str(uuid.uuid4()),
                hr_user_id=str(hr),
                template_title="Benchmark interview",
                status=AnalysisStatus.COMPLETED,
                overall_score=72,
                summary="A summary.",
                strengths=["clear"],
                weaknesses=["brief"],
                source_event_data={},
            )
        )

    async def cleanup(session: AsyncSession) -> None:
        await session.execute(delete(AnalysisResult).where(AnalysisResult.invitation_id == invitation_id))

    return Target(f"/api/v1/analysis/{invitation_id}", identity(hr, "hr"), cleanup)


async def seed_interviews(sessions: async_sessionmaker[AsyncSession]) -> Target:
    """An HR user's first page of the list: 10 of their 12 invitations to a published, blind-reviewed template
    (pending, in progress with answers, completed and analysed, decided), two of them rated by the caller."""
    from datetime import UTC, datetime, timedelta

    from interviews.domain import Invitation, Response, Review, Template, TemplateVersion

    hr, company, template_id, version_id = str(uuid.uuid4()), str(uuid.uuid4()), uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    settings = {"blindToAi": True, "candidateFeedback": "decision"}
    statuses = ["pending", "pending", "in_progress", "in_progress", "completed", "completed", "completed"]
    invitations, responses, reviews = [], [], []
    for n in range(12):
        invitation_id, status = uuid.uuid4(), statuses[n % len(statuses)]
        analysed, decided = status == "completed", status == "completed" and n % 2 == 0
        invitations.append(
            {
                "id": invitation_id,
                "template_id": template_id,
                "template_version_id": version_id,
                "candidate_id": str(uuid.uuid4()),
                "company_id": company,
                "company_name": "Bench Ltd",
                "invited_by": hr,
                "candidate_email": f"c{n}-{hr[:8]}@{BENCH_DOMAIN}",
                "candidate_name": f"Cand {n}",
                "status": status,
                "allow_pause": True,
                "show_timer": True,
                "expires_at": now + timedelta(days=7),
                "started_at": now if status != "pending" else None,
                "total_questions": 3,
                "completed_at": now if analysed else None,
                "analysis_id": str(uuid.uuid4()) if analysed else None,
                "analysis_status": "completed" if analysed else None,
                "analysis_score": 70 + n if analysed else None,
                "analysis_recommendation": "hire" if analysed else None,
                "decision": "approved" if decided else None,
                "decision_at": now if decided else None,
                "human_review_requested": False,
                "version": 1,
                "created_at": now - timedelta(minutes=n),
                "updated_at": now,
            }
        )
        for index in range(3 if status == "completed" else 1 if status == "in_progress" else 0):
            responses.append(
                {
                    "id": uuid.uuid4(),
                    "invitation_id": invitation_id,
                    "question_id": uuid.uuid4(),
                    "question_index": index,
                    "question_text": "Why?",
                    "response_type": "text",
                    "text_answer": "Because.",
                    "duration": 30,
                    "submitted_at": now,
                    "attempts": 1,
                }
            )
        if analysed and n < 6:
            reviews.append(
                {
                    "invitation_id": invitation_id,
                    "reviewer_id": hr,
                    "ratings": {},
                    "criteria_ratings": {},
                    "mentions": [],
                    "submitted_at": now,
                    "updated_at": now,
                }
            )
    template = {
        "id": template_id,
        "title": "Bench interview",
        "internal_name": "Bench (internal)",
        "description": "A bench.",
        "created_by": hr,
        "company_id": company,
        "status": "active",
        "settings": settings,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "published_at": now,
    }
    version = {
        "id": version_id,
        "template_id": template_id,
        "number": 1,
        "title": "Bench interview",
        "description": "",
        "settings": settings,
        "questions": [],
        "published_by": hr,
        "published_at": now,
        "questions_added": 3,
        "questions_removed": 0,
        "questions_edited": 0,
        "details_changed": False,
    }
    async with sessions() as session, session.begin():
        for table, rows in (
            (Template.__table__, [template]),
            (TemplateVersion.__table__, [version]),
            (Invitation.__table__, invitations),
            (Response.__table__, responses),
            (Review.__table__, reviews),
        ):
            await session.execute(insert(table), rows)  # type: ignore[arg-type]

    async def cleanup(session: AsyncSession) -> None:
        await session.execute(delete(Invitation).where(Invitation.invited_by == hr))  # responses, reviews cascade
        await session.execute(delete(TemplateVersion).where(TemplateVersion.template_id == template_id))
        await session.execute(delete(Template).where(Template.id == template_id))

    return Target("/api/invitations/hr", identity(uuid.UUID(hr), "hr", **{"x-company-id": company}), cleanup)


async def seed_notifications(sessions: async_sessionmaker[AsyncSession]) -> Target:
    """A candidate's inbox of 12 notifications (in-app and e-mail, some read): one page of the default 20."""
    from datetime import UTC, datetime, timedelta

    from notifications.domain import Notification

    caller, now = uuid.uuid4(), datetime.now(UTC)
    rows = [
        {
            "id": uuid.uuid4(),
            "recipient_id": str(caller),
            "recipient_email": f"{caller.hex[:12]}@{BENCH_DOMAIN}",
            "channel": "in_app" if n % 3 else "email",
            "template": "invitation_created",
            "status": "sent",
            "data": {"invitationId": str(uuid.uuid4()), "companyName": "Bench Ltd"},
            "title": f"Interview {n}",
            "body": "You have been invited to an interview.",
            "link": f"/interviews/{n}",
            "locale": "en",
            "read_at": now if n % 2 else None,
            "sent_at": now,
            "retry_count": 0,
            "created_at": now - timedelta(minutes=n),
            "updated_at": now,
        }
        for n in range(12)
    ]
    async with sessions() as session, session.begin():
        await session.execute(insert(Notification.__table__), rows)  # type: ignore[arg-type]

    async def cleanup(session: AsyncSession) -> None:
        await session.execute(delete(Notification).where(Notification.recipient_id == str(caller)))

    return Target("/api/notifications", identity(caller, "candidate"), cleanup)


async def seed_billing(sessions: async_sessionmaker[AsyncSession]) -> Target:
    """The subscription is made Free on the first read (warm-up); the bench reads it after."""
    from billing.domain import Subscription

    hr, company = uuid.uuid4(), uuid.uuid4()

    async def cleanup(session: AsyncSession) -> None:
        await session.execute(delete(Subscription).where(Subscription.company_id == str(company)))
        await session.execute(text("DELETE FROM outbox WHERE key = :key"), {"key": str(company)})

    return Target("/api/billing/subscription", identity(hr, "hr", **{"x-company-id": str(company)}), cleanup)


SERVICES: dict[str, Service] = {
    "users": Service("users", "GET /users/{id}", seed_users, {"S3_BUCKET_PREFIX": "test-"}),
    "interviews": Service("interviews", "GET /invitations/hr (10 of 12)", seed_interviews),
    "media": Service("media", "GET /media/{id}", seed_media, {"S3_BUCKET_PREFIX": "test-"}),
    "analysis": Service("analysis", "GET /analysis/{invitationId}", seed_analysis),
    "notifications": Service("notifications", "GET /notifications (12)", seed_notifications),
    "billing": Service("billing", "GET /billing/subscription", seed_billing),
}


# --- load ---------------------------------------------------------------------------------------------------


@dataclass
class Row:
    rps: float
    p50: float  # ms
    p99: float  # ms
    service_us: float  # the service process's CPU (user + system, all threads) per request


def measured(pid: int, url: str, headers: dict[str, str], seconds: float, connections: int) -> Row:
    """A load on `url` and the CPU the serving process `pid` spent on it, per request."""
    before = process_cpu_seconds(pid)
    rps, p50, p99, requests = asyncio.run(load(url, headers, seconds, connections))
    return Row(rps, p50, p99, (process_cpu_seconds(pid) - before) / requests * 1e6)


async def load(url: str, headers: dict[str, str], seconds: float, connections: int) -> tuple[float, float, float, int]:
    """req/s, p50 ms, p99 ms, requests answered."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker(session: aiohttp.ClientSession) -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            async with session.get(url, headers=headers) as response:
                await response.read()
                if response.status != 200:
                    raise SystemExit(f"{url}: answered {response.status}: {(await response.text())[:300]}")
            latencies.append((time.perf_counter() - started) * 1000)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections)) as session:
        began = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(connections)))
        elapsed = time.perf_counter() - began
    ordered = sorted(latencies)
    p99 = ordered[int(0.99 * (len(ordered) - 1))]
    return len(ordered) / elapsed, statistics.median(ordered), p99, len(ordered)


def start(module: str, port: int, env: dict[str, str], kit: Path = KIT) -> subprocess.Popen[bytes]:
    """uvicorn serving `module`'s `app`, one process (its pid is the one whose CPU is measured), with the HTTP
    protocol the deploy commands give it when `kit` (the kit the process imports) has one."""
    command = [sys.executable, "-m", "uvicorn", f"{module}:app", "--host", "127.0.0.1", "--port", str(port)]
    command += http_option(kit)
    command += ["--no-access-log", "--log-level", "warning"]
    return subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL)


def http_option(kit: Path) -> list[str]:
    """kit.server's protocol (an answer in one write), unless `kit` is a baseline's from before it: a baseline is
    served as it was then."""
    if not (kit / "server.py").exists():
        return []
    # Imported here: cpu.py's child imports this module under a baseline's kit, which may predate kit.server.
    from kit.server import HTTP_PROTOCOL

    return ["--http", HTTP_PROTOCOL]


def wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"{url} exited during start-up")
        try:
            if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not start")


def settings_of(name: str) -> Any:
    module = importlib.import_module(f"{name}.settings")
    return settings_for_tests(module.Settings, name)


async def with_sessions(name: str, work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[Any]]) -> Any:
    settings = settings_of(name)
    engine = make_engine(settings.database_url, settings.schema_name)
    try:
        return await work(make_sessionmaker(engine, service=name, schema=settings.schema_name))
    finally:
        await engine.dispose()


async def remove(name: str, target: Target) -> None:
    async def work(sessions: async_sessionmaker[AsyncSession]) -> None:
        async with sessions() as session, session.begin():
            await target.cleanup(session)

    await with_sessions(name, work)


def bench_one(service: Service, args: argparse.Namespace) -> list[tuple[str, Row, Row]]:
    """(label, health, read) for the working tree, and first for `--baseline` when given: the kit and the
    service as committed at that revision, measured right before, in the same machine state. With `--repeat`,
    the two alternate and each one's median run is shown."""
    alembic_upgrade(ROOT / "services" / service.name, settings_of(service.name))
    target: Target = asyncio.run(with_sessions(service.name, service.seed))
    try:
        variants = [(args.baseline, baseline_path(args.baseline, service.name))] if args.baseline else []
        variants.append(("now" if args.baseline else "", ""))
        runs: dict[str, list[tuple[Row, Row]]] = {label: [] for label, _ in variants}
        for _ in range(args.repeat):
            for label, python_path in variants:
                runs[label].append(measure(service, target, args, python_path))
        return [(label, *median_run(measured)) for label, measured in runs.items()]
    finally:
        asyncio.run(remove(service.name, target))


def median_run(runs: list[tuple[Row, Row]]) -> tuple[Row, Row]:
    """The (health, read) run whose CPU ratio is the median: other load on the machine moves single runs."""
    return sorted(runs, key=lambda run: run[0].service_us / run[1].service_us)[len(runs) // 2]


def baseline_path(revision: str, service: str) -> str:
    """`libs/kit` and the service's package as committed at `revision`, first on the import path."""
    tree = baseline_tree(revision)
    return f"{tree / 'libs'}:{tree / 'services' / service}"


def baseline_tree(revision: str) -> Path:
    """`libs/kit` and `services` as committed at `revision`, unpacked once per commit."""
    # Keyed by the commit, not the name: `HEAD` moves, and a tree unpacked for an older HEAD must not be reused.
    tree = Path(f"/tmp/bench-services-{commit_of(revision)}")
    if not tree.exists():
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", revision, "libs/kit", "services"], capture_output=True, check=True
        ).stdout
        tree.mkdir(parents=True)
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def commit_of(revision: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", f"{revision}^{{commit}}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def baseline_floor(revision: str) -> Path | None:
    """The directory holding `floor.py` as committed at `revision`; None if it had none."""
    shown = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{commit_of(revision)}:bench/services/floor.py"], capture_output=True
    )
    if shown.returncode != 0:
        return None
    directory = baseline_tree(revision) / "floor"
    directory.mkdir(exist_ok=True)
    (directory / "floor.py").write_bytes(shown.stdout)
    return directory


def measure(service: Service, target: Target, args: argparse.Namespace, python_path: str) -> tuple[Row, Row]:
    env = {
        "SERVICE_ENV": "test",
        "INTERNAL_TOKEN": INTERNAL_TOKEN,
        "REDIS_URL": REDIS_URL,
        "TOPIC_PREFIX": "bench-services.",
        "LOG_LEVEL": args.log_level,
        "DATABASE_URL": role_url(service.name),
        "DB_SCHEMA": service.name,
        **service.env,
    }
    if python_path:
        env["PYTHONPATH"] = python_path
    profile = args.profile == service.name and not python_path
    kit = Path(python_path.split(":")[0]) / "kit" if python_path else KIT
    return serve_and_measure(f"{service.name}.main", env, target, args, kit, profile=profile)


def serve_and_measure(
    module: str, env: dict[str, str], target: Target, args: argparse.Namespace, kit: Path, *, profile: bool = False
) -> tuple[Row, Row]:
    """`/health` and the read route of `module`'s app under uvicorn, after a warm-up of each."""
    port = free_port()
    process = start(module, port, env, kit)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process)
        read_url = base + target.path
        asyncio.run(load(read_url, target.headers, 2, args.connections))
        asyncio.run(load(f"{base}/health", {}, 2, args.connections))
        health = measured(process.pid, f"{base}/health", {}, args.seconds, args.connections)
        if profile:
            read = profiled(process.pid, read_url, target.headers, args)
        else:
            read = measured(process.pid, read_url, target.headers, args.seconds, args.connections)
        return health, read
    finally:
        process.terminate()
        process.wait(timeout=30)


def profiled(pid: int, url: str, headers: dict[str, str], args: argparse.Namespace) -> Row:
    """The read route's load with py-spy sampling the service (it costs the service a little CPU)."""
    py_spy = shutil.which("py-spy")
    if py_spy is None:
        raise SystemExit("py-spy is not installed (uv sync installs the dev group)")
    out = Path(args.profile_dir)
    out.mkdir(parents=True, exist_ok=True)
    stacks = out / f"{args.profile}.stacks.txt"
    command = [py_spy, "record", "--pid", str(pid), "--duration", str(int(args.seconds)), "--rate", "250"]
    recorder = subprocess.Popen([*command, "--nonblocking", "--format", "raw", "--output", str(stacks)])
    result = measured(pid, url, headers, args.seconds, args.connections)
    recorder.wait(timeout=60)
    summarise(stacks)
    return result


def summarise(stacks: Path, top: int = 25) -> None:
    """Inclusive share of samples per function (file:line stripped), the busiest first."""
    inclusive: dict[str, int] = {}
    total = 0
    for line in stacks.read_text().splitlines():
        frames, _, count = line.rpartition(" ")
        samples = int(count)
        total += samples
        for name in {frame.split(" (")[0] + " (" + frame.split(" (")[-1].split(":")[0] for frame in frames.split(";")}:
            inclusive[name] = inclusive.get(name, 0) + samples
    print(f"profile: {total} samples in {stacks}; inclusive share of the busiest functions:")
    for name, samples in sorted(inclusive.items(), key=lambda item: -item[1])[:top]:
        print(f"  {100 * samples / total:5.1f}%  {name[-110:]}")


def bench_floor(args: argparse.Namespace) -> list[tuple[str, Row, Row]]:
    """The floor (`floor.py`) serving media's seeded row, measured as a service is; with `--baseline`, the floor
    as committed there too (if it had one), alternated with today's as the services are."""
    media = SERVICES["media"]
    alembic_upgrade(ROOT / "services" / media.name, settings_of(media.name))
    target: Target = asyncio.run(with_sessions(media.name, media.seed))
    dsn = role_url(media.name).replace("+asyncpg", "")
    # The floor is served as the services are at its revision (uvicorn's protocol, or the kit's since kit.server).
    variants: list[tuple[str, Path, Path]] = []
    if args.baseline and (directory := baseline_floor(args.baseline)) is not None:
        variants.append((args.baseline, directory, baseline_tree(args.baseline) / "libs" / "kit"))
    variants.append(("now" if variants else "", Path(__file__).parent, KIT))
    runs: dict[str, list[tuple[Row, Row]]] = {label: [] for label, _, _ in variants}
    try:
        for _ in range(args.repeat):
            for label, directory, kit in variants:
                env = {"FLOOR_DSN": dsn, "PYTHONPATH": str(directory)}
                runs[label].append(serve_and_measure("floor", env, target, args, kit))
        return [(label, *median_run(measured)) for label, measured in runs.items()]
    finally:
        asyncio.run(remove(media.name, target))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--only", default="", help="comma-separated services (default: all)")
    parser.add_argument("--profile", default="", help="a service to record with py-spy during its read route")
    parser.add_argument("--baseline", default="", help="a git revision measured first, e.g. HEAD or a commit")
    parser.add_argument("--log-level", default="INFO", help="the services' LOG_LEVEL (INFO logs each request)")
    parser.add_argument("--profile-dir", default="/tmp/bench-services-profile")
    parser.add_argument("--floor", action="store_true", help="also the bare FastAPI + asyncpg floor (floor.py)")
    parser.add_argument("--repeat", type=int, default=1, help="alternating runs of each variant; the median shown")
    args = parser.parse_args()
    chosen = [SERVICES[name] for name in args.only.split(",") if name] or list(SERVICES.values())

    print(f"load: asyncio/aiohttp, {args.connections} connections, {args.seconds:g} s each, after a 2 s warm-up")
    print(f"median of {args.repeat} alternating runs (by CPU ratio)")
    print("service us: the uvicorn process's CPU per request; cpu ratio: health us / read us")
    header = f"{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'read/health':>13}{'service us':>12}{'cpu ratio':>11}"
    print(f"\n{'service':22}{'route':34}{header}")
    verdicts = []
    for service in chosen:
        for label, health, read in bench_one(service, args):
            if label in ("", "now"):
                verdicts.append(read.rps / health.rps >= 0.4)
            show(f"{service.name} {label}".strip(), service.route, health, read)
    if args.floor:
        for label, health, read in bench_floor(args):
            show(f"floor {label}".strip(), "GET /media/{id} (FastAPI+asyncpg)", health, read)
    print(f"\nread/health >= 0.4x: {sum(verdicts)} of {len(verdicts)} services")


def show(name: str, route: str, health: Row, read: Row) -> None:
    ratios = (f"{read.rps / health.rps:.2f}x", f"{health.service_us / read.service_us:.2f}x")
    for path, row, (rps_ratio, cpu_ratio) in (("GET /health", health, ("", "")), (route, read, ratios)):
        figures = f"{row.rps:>9.0f}{row.p50:>9.2f}{row.p99:>9.2f}{rps_ratio:>13}{row.service_us:>12.0f}{cpu_ratio:>11}"
        print(f"{name:22}{path:34}{figures}", flush=True)


if __name__ == "__main__":
    main()
