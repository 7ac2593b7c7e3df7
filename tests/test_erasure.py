"""A candidate's erasure leaves nothing of them in any schema, bucket, warehouse or the identity provider.

The whole fleet runs as `make up` runs it (bench/journey/fleet.py, with analytics beside it); the footprint and
the scan are bench/erasure/scenario.py's: a candidate with a profile, an avatar and a self-identification, three
interviews with a text answer naming them and a recording each (S3, transcript, analysis), HR's reads (audited)
and decisions with notes naming them, the mails, billing usage and analytics events. Before the erasure the scan
must find the person in every service's schema, both buckets and the warehouse (so a scan that looked nowhere
cannot pass); after the report says complete, it must find them nowhere but in the survivors named below.

Run it under the fleet lock: `flock /tmp/fleet.lock uv run pytest -q tests/test_erasure.py`."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from analytics.consumers import TOPICS as ANALYTICS_TOPICS
from kit.testing import load_script
from standins.llm import LlmStandIn
from standins.transcription import WhisperStandIn

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(2700),
]

ROOT = Path(__file__).resolve().parents[1]


scenario = load_script("erasure_scenario", ROOT / "bench" / "erasure" / "scenario.py")

# Three interviews of one recording each by default; `ERASURE_INVITATIONS=4 ERASURE_RECORDED=5` gives the footprint
# bench/erasure measures (20 recorded answers), and the test prints how long the erasure took.
INVITATIONS = int(os.environ.get("ERASURE_INVITATIONS", "3"))
RECORDED = int(os.environ.get("ERASURE_RECORDED", "1"))
# Where the person must be found before the erasure: every schema that holds something about a candidate, the
# recordings' and avatars' buckets, and the warehouse.
HOLDERS = (
    "users",
    "interviews",
    "media",
    "analysis",
    "notifications",
    "billing",
    "gateway",
    "test-media",
    "test-avatars",
)


def holder(hit: scenario.Hit) -> str:
    return hit.where.split(".", 1)[0].split("/", 1)[0]


@pytest.fixture
async def platform(kafka_bootstrap: str, tmp_path: Path) -> AsyncIterator[scenario.Platform]:
    llm, whisper = LlmStandIn(), WhisperStandIn()
    await llm.start()
    await whisper.start()
    try:
        async with scenario.run_platform(
            kafka_bootstrap, llm_url=llm.base_url, whisper_url=whisper.base_url, work=tmp_path, label="test-erasure"
        ) as running:
            yield running
    finally:
        await whisper.stop()
        await llm.stop()


async def analytics_caught_up(platform: scenario.Platform, bootstrap: str) -> bool:
    """The analytics consumer group has committed every record of every topic published so far."""
    settings = platform.fleet.settings["gateway"]
    group = f"{settings.topic_prefix}analytics"

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await reader.start()
    try:
        topics = [settings.topic(t) for t in ANALYTICS_TOPICS]
        # Assigning a partition makes the client fetch its topic's metadata, which lists all of them (`topics()`
        # alone left `partitions_for_topic` empty, and the wait never saw a partition to compare).
        reader.assign([TopicPartition(t, 0) for t in topics])
        async with asyncio.timeout(30):
            while not all(reader.partitions_for_topic(t) for t in topics):
                await asyncio.sleep(0.1)
        partitions = [TopicPartition(t, p) for t in topics for p in sorted(reader.partitions_for_topic(t) or ())]
        ends = await reader.end_offsets(partitions)
    finally:
        await reader.stop()
    done = {tp: committed[tp].offset if tp in committed else 0 for tp in partitions}
    behind = {f"{tp.topic}[{tp.partition}]": (done[tp], ends[tp]) for tp in partitions if done[tp] < ends[tp]}
    if behind:
        print("analytics behind (committed, end):", behind)
    return bool(partitions) and not behind


async def test_an_erased_candidate_leaves_no_row_object_event_or_account_anywhere(
    platform: scenario.Platform, kafka_bootstrap: str, tmp_path: Path
) -> None:
    since = datetime.now(UTC) - timedelta(minutes=1)
    who = await scenario.build_footprint(platform, invitations=INVITATIONS, recorded=RECORDED, work=tmp_path)

    async def everywhere() -> list[scenario.Hit] | None:
        hits = await scenario.scan_stores(who, since)
        return hits if {holder(h) for h in hits} >= set(HOLDERS) else None

    before = await scenario.eventually("the person found in every schema and bucket", everywhere, pause_s=3.0)
    print("before the erasure:", *sorted({f"{h.where} [{h.needle}]" for h in before}), sep="\n  ")

    erasure = await scenario.erase(platform, who)
    print(f"erasure of {len(who.recordings)} recorded answers in {len(who.invitations)} interviews: report complete")
    print(f"after {erasure.seconds:.1f}s: {erasure.report['services']}")
    assert erasure.report["waitingFor"] == []

    # The report completes when the services said so; what follows from the same events without reporting
    # (analytics, the audit's keys) is waited for here, then everything is looked at once more.
    async def clean() -> list[scenario.Hit] | bool:
        left = scenario.unexplained(await scenario.scan_stores(who, since))
        return not left or False

    try:
        await scenario.eventually("nothing of the person left", clean, timeout_s=180.0, pause_s=3.0)
    except scenario.ScenarioError:
        pass  # the assertion below names what is left
    await scenario.eventually(
        "analytics caught up", lambda: analytics_caught_up(platform, kafka_bootstrap), timeout_s=300.0
    )
    await scenario.stop_analytics(platform)
    left = await scenario.scan_stores(who, since)
    # The warehouse is read only now (its process held it open): that it holds the run's events at all is shown
    # by the interview's template, which is no one's personal data and stays.
    control = await asyncio.to_thread(scenario.scan_clickhouse, platform.analytics_dir, {"template": who.template_id})
    assert control, "the warehouse holds none of the run's events: the scan of it would prove nothing"
    left += await asyncio.to_thread(scenario.scan_clickhouse, platform.analytics_dir, who.needles())
    left += await scenario.keycloak_holds(platform.journey.keycloak, who)
    survivors = sorted({f"{h.where} {h.event_type} [{h.needle}]" for h in left if scenario.explained(h)})
    print("survivors:", *survivors, sep="\n  ")
    listed = "\n".join(f"{h.where} [{h.needle}] {h.detail} {h.event_type}" for h in scenario.unexplained(left))
    assert scenario.unexplained(left) == [], listed
