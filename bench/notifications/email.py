"""E-mail delivery latency: an event committed to Kafka → its e-mail stored by Mailpit.

Starts the notifications consumer and worker as processes (the real `python -m notifications.consumers` and
`arq notifications.worker.WorkerSettings`) against the test database (`aivi_test`), the test Redis db and
topics of its own prefix, then publishes `--events` `candidate.approved` events at `--rate` per second, each to
a new candidate, and reads Mailpit's API for when each e-mail arrived (consumer → commit → job enqueued after
COMMIT → worker → SMTP → Mailpit). Beside it, the baseline: the same e-mail sent straight to Mailpit over SMTP.

Rows, topics and Mailpit messages it creates are deleted afterwards.
Usage: `uv run python bench/notifications/email.py`."""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder leads the import path and its name would shadow the standard library's
# `email` package, which the imports below need: the folder leaves the path first.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import asyncio
import statistics
import subprocess
import time
import uuid
from datetime import UTC, datetime

import httpx
from aiokafka import AIOKafkaProducer
from sqlalchemy import delete

from kit.contracts import interviews
from kit.db import make_sessionmaker, transaction
from kit.events import Envelope
from kit.testing import (
    alembic_upgrade,
    create_topics,
    delete_topics,
    make_service_engine,
    process_env,
    retire_stale_outbox_rows,
    settings_for_tests,
)
from notifications.consumers import TOPICS
from notifications.domain import Notification, Recipient
from notifications.mailer import Email, SmtpMailer
from notifications.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
RUN = uuid.uuid4().hex[:8]
PREFIX = f"bench-email-{RUN}."
DOMAIN = f"{RUN}.bench.test"
MAILPIT = "http://127.0.0.1:8025"


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"p50 {statistics.median(ordered):.0f} ms / p99 {ordered[int(0.99 * (len(ordered) - 1))]:.0f} ms"


def approved(n: int) -> tuple[str, Envelope]:
    candidate = str(uuid.uuid4())
    event = interviews.CandidateApproved(
        invitation_id=str(uuid.uuid4()),
        candidate_id=candidate,
        candidate_email=f"c{n}@{DOMAIN}",
        candidate_name=f"Candidate {n}",
        template_id=str(uuid.uuid4()),
        template_title="Backend Engineer",
        company_name="Acme",
        hr_user_id=str(uuid.uuid4()),
        decided_at=datetime.now(UTC),
    )
    return candidate, Envelope.wrap(event, source="bench", aggregate_id=event.invitation_id, correlation_id=None)


async def arrivals(http: httpx.AsyncClient) -> dict[str, tuple[str, float]]:
    """Our messages in Mailpit: address → (message id, when Mailpit stored it, epoch seconds)."""
    found: dict[str, tuple[str, float]] = {}
    start = 0
    while True:
        page = (await http.get("/api/v1/search", params={"query": f"to:{DOMAIN}", "start": start, "limit": 500})).json()
        for message in page["messages"]:
            created = datetime.fromisoformat(message["Created"].replace("Z", "+00:00")).timestamp()
            found[message["To"][0]["Address"]] = (message["ID"], created)
        start += len(page["messages"])
        if not page["messages"] or start >= page["messages_count"]:
            return found


async def baseline(settings: Settings, count: int) -> list[float]:
    mailer = SmtpMailer(host=settings.smtp_host, port=settings.smtp_port, sender=settings.email_from)
    samples = []
    async with httpx.AsyncClient(base_url=MAILPIT, timeout=10) as http:
        for n in range(count):
            address = f"baseline{n}@{DOMAIN}"
            sent = time.time()
            await mailer.send(Email(to=address, subject="baseline", html="<p>baseline</p>", text="baseline"))
            while address not in (found := await arrivals(http)):
                await asyncio.sleep(0.02)
            samples.append((found[address][1] - sent) * 1000)
    return samples


async def measure(settings: Settings, events: int, rate: float) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    sent: dict[str, float] = {}
    candidates: list[str] = []
    try:
        # A first event, not measured, until its e-mail arrives: the consumer has joined and the worker runs.
        candidate, envelope = approved(-1)
        candidates.append(candidate)
        await producer.send_and_wait(settings.topic(interviews.TOPIC), envelope.to_json())
        async with httpx.AsyncClient(base_url=MAILPIT, timeout=10) as http:
            while f"c-1@{DOMAIN}" not in await arrivals(http):
                await asyncio.sleep(0.2)
        for n in range(events):
            candidate, envelope = approved(n)
            candidates.append(candidate)
            await producer.send_and_wait(
                settings.topic(interviews.TOPIC), envelope.to_json(), key=envelope.aggregate_id.encode()
            )
            sent[f"c{n}@{DOMAIN}"] = time.time()
            await asyncio.sleep(1 / rate)
    finally:
        await producer.stop()
    async with httpx.AsyncClient(base_url=MAILPIT, timeout=10) as http:
        deadline = time.monotonic() + 120
        while len(found := await arrivals(http)) < events + 1 and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
    latencies = [(found[a][1] - t) * 1000 for a, t in sent.items() if a in found]
    if not latencies:
        raise SystemExit("no e-mail arrived")
    print(f"event committed → e-mail in Mailpit, {len(latencies)}/{events} delivered: {percentiles(latencies)}")
    print(f"baseline, one SMTP send → stored by Mailpit: {percentiles(await baseline(settings, 50))}")
    engine = make_service_engine(settings)
    sessions = make_sessionmaker(engine, service=settings.service_name, schema=settings.schema_name)
    async with transaction(sessions) as session:
        await session.execute(delete(Notification).where(Notification.recipient_id.in_(candidates)))
        await session.execute(delete(Recipient).where(Recipient.user_id.in_(candidates)))
    await engine.dispose()
    async with httpx.AsyncClient(base_url=MAILPIT, timeout=10) as http:
        ids = [message_id for message_id, _ in (await arrivals(http)).values()]
        await http.request("DELETE", "/api/v1/messages", json={"IDs": ids})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--rate", type=float, default=5.0, help="events published per second")
    args = parser.parse_args()
    settings = settings_for_tests(Settings, "notifications", topic_prefix=PREFIX)
    alembic_upgrade(ROOT / "services/notifications", settings)
    topics = [settings.topic(t) for t in [*TOPICS, "notification-events"]]
    asyncio.run(create_topics(settings.kafka_bootstrap, topics + [f"{t}-dlq" for t in topics]))
    asyncio.run(retire_stale_outbox_rows(settings))
    env = process_env(settings, LOG_LEVEL="WARNING")
    processes = [
        subprocess.Popen([sys.executable, "-m", "notifications.consumers"], env=env, stdout=subprocess.DEVNULL),
        subprocess.Popen(
            [sys.executable, "-m", "arq", "notifications.worker.WorkerSettings"], env=env, stdout=subprocess.DEVNULL
        ),
    ]
    try:
        asyncio.run(measure(settings, args.events, args.rate))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
        asyncio.run(delete_topics(settings.kafka_bootstrap, topics + [f"{t}-dlq" for t in topics]))


if __name__ == "__main__":
    main()
