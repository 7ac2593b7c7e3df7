"""CPU per event of the notifications service, in process, on the stream of events `bench/journey` makes it read.

Per candidate journey the service hears 11 events: `user.created` (the candidate registers: a welcome e-mail),
`invitation.created` (the invitation e-mail), `invitation.opened`, `invitation.started` (an e-mail to HR), five
`invitation.response.submitted`, `invitation.completed` and `analysis.completed` (an e-mail and an in-app item to
HR each), `analysis.started`; the opened, response and started-analysis events have no handler and are skipped.
`--journeys` of them (default 100; one HR user inviting every candidate, as the journey does) are produced to
Kafka first, then measured in two phases with `time.process_time()`:

- consume: the real consumer loop (`kit.kafka.Consumer`, the service's `HANDLERS`) reads them from Kafka, one
  transaction per record, and its after-commit outlets enqueue the e-mail jobs and publish the in-app items;
- deliver: the real arq worker (`notifications.worker.WorkerSettings`, in burst mode) runs the e-mail jobs (render,
  SMTP to Mailpit, record the attempt) and its outbox relay publishes `notification.sent`, then drained.

Each variant runs in a child process on a database of its own (`aivi_bench_notifications`, every service's schema,
as the test database) and topics of its own prefix; its rows, topics, Redis keys and Mailpit messages are removed
afterwards. `--baseline REV` runs the kit and the service as committed at REV too (alternating `--repeat` times,
median shown), so before and after share one machine state. `--profile DIR` records each variant under py-spy.
Usage: `uv run python bench/notifications/cpu.py [--journeys 100] [--baseline 126e0b1] [--repeat 3]`."""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder leads the import path, where `email.py` would shadow the standard library's
# `email` package: the folder leaves the path first.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import asyncio
import json
import statistics
import subprocess
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "aivi_bench_notifications"
MAILPIT = "http://127.0.0.1:8025"
# The notifications schema's tables a run fills; the database is the bench's own, so a run empties them.
TABLES = (
    "notifications",
    "recipients",
    "invitation_projections",
    "notification_preferences",
    "webhook_deliveries",
    "processed_messages",
    "outbox",
)


def journey_events(candidate: int, *, hr: dict[str, str], domain: str, now: datetime) -> list[Any]:
    """One candidate's journey as the services announce it, in the order they do."""
    from kit.contracts import analysis, interviews, users

    user_id = uuid.uuid4()
    invitation_id = str(uuid.uuid4())
    template_id = str(uuid.uuid4())
    email, name = f"c{candidate}@{domain}", f"Candidate {candidate}"
    common = {"invitation_id": invitation_id, "candidate_id": str(user_id)}
    questions = [
        interviews.QuestionSnapshot(
            id=str(uuid.uuid4()), text=f"Question {n}: tell us about a system you built.", type="text", order=n,
            order_index=n, time_limit=300, required=True,
        )
        for n in range(5)
    ]  # fmt: skip
    responses = [
        interviews.ResponseSnapshot(
            id=str(uuid.uuid4()), question_id=q.id, response_type="text", text_answer="An answer of some length. " * 8,
            duration=60,
        )
        for q in questions
    ]  # fmt: skip
    return [
        users.UserCreated(
            user_id=user_id, company_id=user_id, external_auth_id=str(uuid.uuid4()), email=email,
            first_name="Candidate", last_name=str(candidate), status="active", role="candidate", created_at=now,
        ),
        interviews.InvitationCreated(
            **common, template_id=template_id, template_title="Backend Engineer", company_id=hr["id"],
            company_name="Acme", invited_by=hr["id"], expires_at=now + timedelta(days=30), candidate_email=email,
            candidate_name=name, hr_email=hr["email"], hr_name="Grace Hopper",
        ),
        interviews.InvitationOpened(
            **common, template_id=template_id, company_id=hr["id"], opened_at=now,
        ),
        interviews.InvitationStarted(
            **common, started_at=now, candidate_name=name, hr_user_id=hr["id"], hr_email=hr["email"],
        ),
        *(
            interviews.InvitationResponseSubmitted(invitation_id=invitation_id, question_id=q.id, response_type="text")
            for q in questions
        ),
        interviews.InvitationCompleted(
            **common, company_id=hr["id"], template_id=template_id, template_title="Backend Engineer",
            company_name="Acme", completed_at=now, completed_reason="submitted", language="en", questions=questions,
            responses=responses, hr_user_id=hr["id"], hr_email=hr["email"], hr_name="Grace Hopper",
            candidate_name=name, candidate_email=email, response_count=5, ai_blind=False,
        ),
        analysis.AnalysisStarted(
            analysis_id=(analysis_id := uuid.uuid4()), aggregate_id=analysis_id, invitation_id=uuid.UUID(invitation_id),
            candidate_id=str(user_id), hr_user_id=hr["id"], engine="llm",
        ),
        analysis.AnalysisCompleted(
            analysis_id=analysis_id, invitation_id=uuid.UUID(invitation_id), candidate_id=str(user_id),
            template_id=template_id, company_id=hr["id"], hr_user_id=hr["id"], template_title="Backend Engineer",
            company_name="Acme", hr_email=hr["email"], hr_name="Grace Hopper", candidate_name=name,
            candidate_email=email, questions_analyzed=5, processing_time_ms=900, total_tokens_used=4000,
            engine="llm", model_used="stand-in", occurred_at=now, overall_score=72, recommendation="consider",
            scored_answers=5, total_answers=5, criteria_scores={"clarity": 70.0, "depth": 74.0},
        ),
    ]  # fmt: skip


async def child(journeys: int) -> dict[str, Any]:
    """One variant's run; its settings come from the environment, as a service process's do."""
    import httpx
    from aiokafka import AIOKafkaProducer
    from arq.worker import create_worker
    from sqlalchemy import text

    from kit.contracts import users
    from kit.db import make_engine, make_sessionmaker
    from kit.events import Envelope
    from kit.kafka import Consumer, make_producer
    from kit.observability import configure_logging, configure_tracing
    from kit.outbox import Relay
    from kit.testing import create_topics, delete_topics
    from notifications import consumers, worker

    settings = consumers.SETTINGS
    configure_logging(settings.service_name, settings.log_level)
    configure_tracing(settings.service_name, settings.otlp_endpoint)
    domain = f"{settings.topic_prefix.strip('.')}.bench.test"
    topics = [settings.topic(t) for t in [*consumers.TOPICS, "notification-events"]]
    await create_topics(settings.kafka_bootstrap, topics + [f"{t}-dlq" for t in topics])
    engine = make_engine(settings.database_url, settings.schema_name, pool_size=5)
    figures: dict[str, Any] = {}
    try:
        now = datetime.now(UTC)
        hr_id = uuid.uuid4()
        hr = {"id": str(hr_id), "email": f"hr@{domain}"}
        events: list[Any] = [
            users.UserCreated(
                user_id=hr_id, company_id=hr_id, external_auth_id=str(uuid.uuid4()), email=hr["email"],
                first_name="Grace", last_name="Hopper", status="active", role="hr", created_at=now,
            )
        ]  # fmt: skip
        for n in range(journeys):
            events += journey_events(n, hr=hr, domain=domain, now=now)
        producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all", enable_idempotence=True)
        await producer.start()
        try:
            for event in events:
                key = str(getattr(event, "invitation_id", None) or getattr(event, "user_id", ""))
                envelope = Envelope.wrap(event, source="bench", aggregate_id=key, correlation_id=None)
                await producer.send(settings.topic(event.TOPIC), envelope.to_json(), key=key.encode())
            await producer.flush()
        finally:
            await producer.stop()

        # -- consume ---------------------------------------------------------------------------------------------
        sessions = make_sessionmaker(engine, service=settings.service_name, schema=settings.schema_name)
        done = asyncio.Event()
        results: dict[str, int] = {}

        class Counting(Consumer):
            async def handle(self, record: Any) -> str:
                result = await super().handle(record)
                results[result] = results.get(result, 0) + 1
                if sum(results.values()) == len(events):
                    done.set()
                return result

        consumer = Counting(settings, sessions, consumers.HANDLERS, consumers.TOPICS)
        started_cpu, started = time.process_time(), time.monotonic()
        running = asyncio.create_task(consumer.run())
        await asyncio.wait_for(done.wait(), 600)
        consumer.stopping.set()
        await running
        await _drain_after_commit()
        figures["consume_cpu_s"] = time.process_time() - started_cpu
        figures["consume_wall_s"] = time.monotonic() - started
        figures["results"] = results
        figures["events"] = len(events)

        # -- deliver ---------------------------------------------------------------------------------------------
        started_cpu, started = time.process_time(), time.monotonic()
        arq = create_worker(worker.WorkerSettings, burst=True, handle_signals=False)
        try:
            await arq.main()
        finally:
            await arq.close()
        relay = Relay(
            sessions,
            lambda: make_producer(settings),
            service=settings.service_name,
            schema=settings.schema_name,
            topic_prefix=settings.topic_prefix,
            batch_size=settings.outbox_batch_size,
        )
        try:
            await relay.drain()
        finally:
            await relay.close()
        figures["deliver_cpu_s"] = time.process_time() - started_cpu
        figures["deliver_wall_s"] = time.monotonic() - started

        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT channel, status, count(*) FROM notifications GROUP BY 1, 2"))
            figures["notifications"] = {f"{c} {s}": n for c, s, n in rows.all()}
            figures["outbox_unpublished"] = await conn.scalar(
                text("SELECT count(*) FROM outbox WHERE published_at IS NULL")
            )
            ids = [str(i) for i in (await conn.scalars(text("SELECT id FROM notifications"))).all()]
        async with httpx.AsyncClient(base_url=MAILPIT, timeout=10) as http:
            found = (await http.get("/api/v1/search", params={"query": f"to:{domain}", "limit": 1})).json()
            figures["mailpit_messages"] = found["messages_count"]
            await http.delete("/api/v1/search", params={"query": f"to:{domain}"})
        from redis.asyncio import Redis

        redis = Redis.from_url(settings.redis_url)
        try:
            if ids:
                await redis.delete(*(f"arq:result:notification:{i}" for i in ids))
            await redis.delete(worker.WorkerSettings.queue_name)
        finally:
            await redis.aclose()
    finally:
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {', '.join(TABLES)}"))
        await engine.dispose()
        await delete_topics(settings.kafka_bootstrap, topics + [f"{t}-dlq" for t in topics])
    return figures


async def _drain_after_commit() -> None:
    """The outlets' after-commit tasks (enqueue, publish) of the last records, which run on the loop."""
    for _ in range(100):
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        if not pending:
            return
        await asyncio.sleep(0.05)


def baseline_path(revision: str) -> str:
    """`libs/kit` and `services/notifications` as committed at `revision`, first on the import path: the tree
    `bench/services` unpacks for its baselines."""
    from kit.testing import load_script

    services_bench = load_script("bench_services_run", ROOT / "bench" / "services" / "run.py")
    return str(services_bench.baseline_path(revision, "notifications"))


def prepare() -> dict[str, str]:
    """The bench's database, migrated, and the environment of a variant's process (its own topic prefix apart)."""
    sys.path.insert(0, str(ROOT / "bench" / "journey"))
    from fleet import migrate, provision_database, service_settings

    from kit.testing import process_env

    asyncio.run(provision_database(DATABASE))
    settings = service_settings("notifications", DATABASE)
    migrate("notifications", settings)
    return process_env(settings, SMTP_HOST="127.0.0.1", SMTP_PORT="1025", EMAIL_PROVIDER="smtp")


def run_variant(env: dict[str, str], journeys: int, python_path: str, profile: Path | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "figures.json"
        variant_env = {**env, "TOPIC_PREFIX": f"bench-notifications-{uuid.uuid4().hex[:8]}."}
        if python_path:
            variant_env["PYTHONPATH"] = python_path
        command = [sys.executable, __file__, "--child", str(out), "--journeys", str(journeys)]
        if profile is not None:
            command = ["py-spy", "record", "--rate", "200", "--format", "raw", "-o", str(profile), "--", *command]
        result = subprocess.run(command, env=variant_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if result.returncode != 0 or not out.exists():
            raise SystemExit(f"variant failed ({result.returncode}):\n{result.stderr[-4000:]}")
        figures: dict[str, Any] = json.loads(out.read_text())
        return figures


def show(label: str, figures: dict[str, Any], journeys: int) -> None:
    events = figures["events"]
    consume, deliver = figures["consume_cpu_s"], figures["deliver_cpu_s"]
    total = consume + deliver
    print(
        f"{label:18}{consume * 1000 / events:>9.2f}{deliver * 1000 / events:>9.2f}{total * 1000 / events:>9.2f}"
        f"{total * 1000 / journeys:>12.1f}{figures['consume_wall_s']:>9.1f}{figures['deliver_wall_s']:>9.1f}   "
        f"{figures['mailpit_messages']} mails, {figures['notifications']}, {figures['results']}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--journeys", type=int, default=100)
    parser.add_argument("--baseline", default="", help="a revision to measure beside the work tree")
    parser.add_argument("--repeat", type=int, default=1, help="alternating runs of each variant; the median shown")
    parser.add_argument("--profile", type=Path, default=None, help="a folder for py-spy's raw profiles")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        Path(args.child).write_text(json.dumps(asyncio.run(child(args.journeys))))
        return
    env = prepare()
    variants = [("now", "")]
    if args.baseline:
        revision = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", f"{args.baseline}^{{commit}}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        variants.insert(0, (revision, baseline_path(revision)))
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
    print(f"notifications, CPU per event in process: {args.journeys} journeys, median of {args.repeat} run(s)")
    print(f"{'variant':18}{'consume':>9}{'deliver':>9}{'ms/event':>9}{'ms/journey':>12}{'wall c':>9}{'wall d':>9}")
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label, _ in variants}
    for round_ in range(args.repeat):
        for label, python_path in variants:
            profile = args.profile / f"{label}-{round_}.txt" if args.profile is not None else None
            runs[label].append(run_variant(env, args.journeys, python_path, profile))
    for label, figures in runs.items():
        ordered = sorted(figures, key=lambda f: f["consume_cpu_s"] + f["deliver_cpu_s"])
        show(label, ordered[len(ordered) // 2], args.journeys)
    if args.repeat > 1:
        for label, figures in runs.items():
            totals = [(f["consume_cpu_s"] + f["deliver_cpu_s"]) * 1000 / f["events"] for f in figures]
            print(f"{label}: ms/event per run {', '.join(f'{t:.2f}' for t in totals)}; "
                  f"spread {statistics.pstdev(totals):.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
