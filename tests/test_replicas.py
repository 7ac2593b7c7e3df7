"""Replicas stay correct: three processes of every service's consumer and outbox worker (members of one consumer
group each; the relay's advisory lock lets one publish at a time) and two gateway apis, as `REPLICAS=3 make up`
runs them (bench/journey/fleet.py), take a burst of candidates through the gateway with real Keycloak tokens:
each is a new user who is invited, answers five questions and completes. Mid-burst one consumer/worker replica
of every service is SIGKILLed, chosen at random (the seed is printed). Then every effect happened exactly once:
one registration per new user, one analysis per invitation (one `analysis.completed` per invitation on Kafka),
each e-mail notification sent once (Mailpit, by the `X-Notification-Id` the service sets; a copy sent again after
the killed replica lost its attempt is the same message by its Message-ID), interviews and
analyses counted once in billing, and each invitation's events reached a consumer in their lifecycle order.

BURST is 40 candidates (40 new users, 40 completed and analysed interviews, about 500 gateway calls and 240 LLM
calls): on this 2-core machine shared with other sessions that is a few minutes after the fleet's start-up,
and enough that every partition of every topic sees records before and after the kill."""

from __future__ import annotations

import asyncio
import json
import os
import random
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from kit.testing import load_script
from standins.llm import LlmStandIn

ROOT = Path(__file__).resolve().parents[1]
BURST = int(os.environ.get("REPLICAS_BURST", "40"))
REPLICAS = 3
GATEWAYS = 2
# The fleet's own database: on the shared test database another run's relay could publish this fleet's outbox rows
# to that run's topics (marked published, never seen here), which would look like a lost event.
DATABASE = "aivi_replicas"
# Every invitation's events in the order the interviews service records them.
# The last event of each topic an invitation's journey produces.
LAST_EVENTS = (("interview-events", "invitation.completed"), ("analysis-events", "analysis.completed"))
LIFECYCLE = ("invitation.created", "invitation.opened", "invitation.started", "invitation.completed")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(2400),
]


fleet_module = load_script("journey_fleet", ROOT / "bench" / "journey" / "fleet.py")
driver_module = load_script("journey_driver", ROOT / "bench" / "journey" / "driver.py")


@pytest.fixture
async def llm() -> AsyncIterator[LlmStandIn]:
    stand_in = LlmStandIn(latency_s=0.2)
    await stand_in.start()
    yield stand_in
    await stand_in.stop()


@pytest.fixture
async def fleet(llm: LlmStandIn, kafka_bootstrap: str) -> AsyncIterator[Any]:
    options = fleet_module.Options(
        replicas=dict.fromkeys(fleet_module.SERVICES, REPLICAS),
        gateways=GATEWAYS,
        llm_url=llm.base_url,
        stripe_webhook_secret=f"whsec_replicas_{uuid.uuid4().hex[:8]}",
        label="test-replicas",
        database=DATABASE,
    )
    async with fleet_module.run_fleet(kafka_bootstrap, options) as running:
        yield running


async def kill_one_replica_of_each(fleet: Any, journey: Any, seed: int) -> list[str]:
    """Once a third of the burst has completed, SIGKILL one consumer/worker replica of every service (never one
    serving an api: a killed api loses the requests in flight, which no replica can save)."""
    chooser = random.Random(seed)
    while len(journey.stats.durations.get("complete", [])) < BURST // 3:
        await asyncio.sleep(0.5)
    killed = []
    for service in fleet_module.SERVICES:
        candidates = [p for p in fleet.replicas(service) if "api" not in p.roles]
        victim = chooser.choice(candidates)
        fleet.kill(victim)
        killed.append(victim.name)
    print(f"seed {seed}: killed {', '.join(killed)}")
    return killed


async def health_names_the_killed(fleet: Any, killed: list[str]) -> None:
    """Each gateway's /health asks every replica: the killed ones are down by position, the others up, and each
    gateway api is up."""
    expected = {
        (service, role): ["down" if p.name in killed else "up" for p in fleet.replicas(service)]
        for service in fleet_module.SERVICES
        for role in ("consumer", "worker")
    }

    async def reported() -> bool:
        for url in fleet.gateway_urls:
            async with httpx.AsyncClient(base_url=url, timeout=60.0) as http:
                health = (await http.get("/health")).json()
            processes = health["processes"]
            seen = {
                (service, role): [r["status"] for r in processes[service][role]["replicas"]]
                for service in fleet_module.SERVICES
                for role in ("consumer", "worker")
            }
            apis = [r["status"] for r in processes["gateway"]["api"]["replicas"]]
            if (seen, apis, health["status"]) != (expected, ["up"] * GATEWAYS, "degraded"):
                print("health so far", url, seen, apis, health["status"])
                return False
        return True

    await eventually(reported, 180)


async def fetch(service: str, query: str, *args: Any) -> list[asyncpg.Record]:
    """Rows of the service's schema in the fleet's database, read as the service's own role."""
    conn = await asyncpg.connect(fleet_module.service_settings(service, DATABASE).database_url.replace("+asyncpg", ""))
    try:
        await conn.execute(f"SET search_path TO {service}")
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()


async def mailpit_messages(address: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=fleet_module.MAILPIT, timeout=30.0) as http:
        found = (await http.get("/api/v1/search", params={"query": f'to:"{address}"', "limit": 1000})).json()
        messages = []
        for message in found.get("messages") or []:
            headers = (await http.get(f"/api/v1/message/{message['ID']}/headers")).json()
            notification = (headers.get("X-Notification-Id") or [None])[0]
            messages.append({**message, "notification": notification, "messageId": headers["Message-Id"][0]})
        return messages


async def eventually(check: Any, timeout_s: float = 300.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not await check():
            await asyncio.sleep(1.0)


async def outboxes_drained(services: Any, timeout_s: float = 300.0) -> None:
    """Every outbox row each service had staged by now is published (rows staged later may wait)."""
    for service in services:
        ceiling = (await fetch(service, "SELECT coalesce(max(id), 0) AS id FROM outbox"))[0]["id"]

        async def drained(service: str = service, ceiling: int = ceiling) -> bool:
            query = "SELECT count(*) AS n FROM outbox WHERE published_at IS NULL AND id <= $1"
            return (await fetch(service, query, ceiling))[0]["n"] == 0

        await eventually(drained, timeout_s)


async def read_topic(bootstrap: str, topic: str, timeout_s: float = 300.0) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of every partition, from its first offset up to the end offset captured before reading. Done
    when each partition's last record before that end was read (not when the consumer's position says so: an offset
    reset still pending from an earlier assignment can move the position past records it never returned)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        async with asyncio.timeout(timeout_s):
            # Assigning a partition makes the client fetch the topic's metadata, which lists all of them.
            consumer.assign([TopicPartition(topic, 0)])
            while not consumer.partitions_for_topic(topic):
                await asyncio.sleep(0.1)
            partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
            consumer.assign(partitions)
            ends = await consumer.end_offsets(partitions)
            starts = await consumer.beginning_offsets(partitions)
            await consumer.seek_to_beginning(*partitions)
            pending = {tp for tp in partitions if starts[tp] < ends[tp]}
            while pending:
                for tp, batch in (await consumer.getmany(*partitions, timeout_ms=1000)).items():
                    records.extend(r for r in batch if r.offset < ends[tp])
                    if batch and batch[-1].offset >= ends[tp] - 1:
                        pending.discard(tp)
    finally:
        await consumer.stop()
    return records


def _announced(records: list[ConsumerRecord[bytes, bytes]], event_type: str, invitations: set[str]) -> bool:
    """Every invitation's event of this type is among the records."""
    seen = set()
    for record in records:
        envelope = json.loads(record.value or b"{}")
        if envelope.get("eventType") == event_type:
            seen.add(str(envelope["payload"].get("invitationId")))
    return invitations <= seen


async def test_three_replicas_of_every_consumer_and_worker_do_each_effect_exactly_once_through_a_kill(
    fleet: Any, kafka_bootstrap: str
) -> None:
    prefix = fleet.settings["gateway"].topic_prefix
    keycloak = driver_module.Keycloak(fleet_module.KEYCLOAK)
    journey = driver_module.Journey(
        fleet.gateway_urls, keycloak, driver_module.new_run_id(), fleet.options.stripe_webhook_secret
    )
    seed = int(os.environ.get("REPLICAS_SEED", random.randrange(2**32)))
    try:
        await journey.set_up_hr()
        burst = asyncio.create_task(journey.burst(BURST, concurrency=10))
        killed = await kill_one_replica_of_each(fleet, journey, seed)
        await burst
        await health_names_the_killed(fleet, killed)
        assert journey.stats.error_count() == 0, dict(journey.stats.errors)
        await journey.wait_analysed(timeout_s=900)
        seen_by_hr = await journey.hr_reads()
    finally:
        await journey.close()
        await keycloak.remove_created()
        await keycloak.close()

    assert len(killed) == len(fleet_module.SERVICES)
    invitations = set(journey.invitations.values())
    # Everything the fleet staged is on Kafka once every outbox has published its rows; then each topic is read
    # whole, up to the end offsets it had when the read began.
    await outboxes_drained(fleet_module.SERVICES)
    records = []
    for topic, event_type in LAST_EVENTS:
        read = await read_topic(kafka_bootstrap, f"{prefix}{topic}")
        assert _announced(read, event_type, invitations), (topic, event_type)
        records.extend((topic, json.loads(record.value or b"{}")) for record in read)
    assert len(invitations) == BURST
    assert {i for i, v in seen_by_hr.items() if v["analysis"]["status"] == "completed"} == invitations

    # One registration per new user.
    emails = [c.email for c in journey.candidates]
    registered = await fetch(
        "users", "SELECT email, count(*) AS n FROM users WHERE email = ANY($1) GROUP BY email", emails
    )
    assert {r["email"]: r["n"] for r in registered} == dict.fromkeys(emails, 1)

    # One analysis per invitation, announced once (a re-published record carries the same event id).
    ids = [uuid.UUID(i) for i in invitations]
    analyses = await fetch(
        "analysis",
        "SELECT invitation_id, count(*) AS n, min(status) AS status FROM analysis_results "
        "WHERE invitation_id = ANY($1) GROUP BY invitation_id",
        ids,
    )
    assert {str(r["invitation_id"]): (r["n"], r["status"]) for r in analyses} == dict.fromkeys(
        invitations, (1, "completed")
    )
    completed_events: dict[str, set[str]] = defaultdict(set)
    for topic, envelope in records:
        if topic == "analysis-events" and envelope["eventType"] == "analysis.completed":
            invitation = str(envelope["payload"].get("invitationId"))
            if invitation in invitations:
                completed_events[invitation].add(envelope["eventId"])
    assert {k: len(v) for k, v in completed_events.items()} == dict.fromkeys(invitations, 1)

    # Per-key order: each invitation's events, first deliveries, in lifecycle order with five answers between
    # its start and its completion.
    sequences: dict[str, list[str]] = defaultdict(list)
    delivered: set[str] = set()
    for topic, envelope in records:
        first = envelope["eventId"] not in delivered
        if topic == "interview-events" and envelope["aggregateId"] in invitations and first:
            delivered.add(envelope["eventId"])
            sequences[envelope["aggregateId"]].append(envelope["eventType"])
    for invitation, sequence in sequences.items():
        lifecycle = [t for t in sequence if t in LIFECYCLE]
        assert lifecycle == list(LIFECYCLE), (invitation, sequence)
        start, end = sequence.index("invitation.started"), sequence.index("invitation.completed")
        assert sequence[start + 1 : end] == ["invitation.response.submitted"] * 5, (invitation, sequence)
    assert set(sequences) == invitations

    # Usage counted once in billing: one interview per invitation, one analysis-token item per analysis.
    counted: dict[str, tuple[int, int]] = {}

    async def billed() -> bool:
        usage = await fetch(
            "billing",
            "SELECT resource, count(*) AS n, count(DISTINCT key) AS keys FROM usage_items "
            "WHERE company_id = $1 AND status = 'confirmed' GROUP BY resource",
            journey.company_id,
        )
        counted.update({r["resource"]: (r["n"], r["keys"]) for r in usage})
        return counted.get("analysisTokens", (0, 0))[0] >= BURST

    await eventually(billed)
    assert counted["interviews"] == (BURST, BURST)
    assert counted["analysisTokens"] == (BURST, BURST)

    # Each e-mail notification reached the mail server once, and nothing else did.
    addresses = [*emails, journey.hr.email]
    query = (
        "SELECT recipient_email, id, status FROM notifications WHERE recipient_email = ANY($1) AND channel = 'email'"
    )

    async def settled() -> bool:
        rows = await fetch("notifications", query, addresses)
        return all(r["status"] not in ("pending", "queued") for r in rows)

    await eventually(settled)
    notified = [r for r in await fetch("notifications", query, addresses) if r["status"] == "sent"]
    expected: dict[str, set[str]] = defaultdict(set)
    for row in notified:
        expected[row["recipient_email"]].add(str(row["id"]))
    assert all(len(expected[e]) >= 2 for e in emails)  # welcome and invitation at least
    # Mailpit keeps its newest 500 messages, shared with every other run: an old one may be pruned. An e-mail the
    # killed replica had sent but not yet recorded is sent again once its claim goes stale (SMTP cannot take one
    # back): that copy must be the same message, by the notification's own Message-ID, and the only kind of repeat.
    for address in addresses:
        messages = await mailpit_messages(address)
        sent = [m["notification"] for m in messages]
        assert set(sent) <= expected[address], address
        assert all(m["messageId"] == f"<{m['notification']}@aiinterview.dev>" for m in messages), address
        assert all(sent.count(n) <= 2 for n in sent), address
