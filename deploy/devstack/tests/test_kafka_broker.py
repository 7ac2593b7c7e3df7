from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from devstack.config import Config
from devstack.kafka import KafkaBroker
from kit.testing import free_port

pytestmark = pytest.mark.slow


@pytest.fixture
def broker(tmp_path: Path, cfg: Config) -> Iterator[KafkaBroker]:
    """A throwaway broker of its own, on free ports, that the test may stop, kill and restart."""
    broker = KafkaBroker(tmp_path / "kafka", free_port(), free_port(), heap="256m", local=cfg.local)
    broker.start()
    try:
        broker.wait_ready(timeout=120)
        yield broker
    finally:
        broker.kill()


async def produce(broker: KafkaBroker, topic: str, value: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=b"k")
    finally:
        await producer.stop()


async def consume_one(broker: KafkaBroker, topic: str) -> bytes | None:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=broker.bootstrap, group_id=f"g-{uuid.uuid4().hex}", auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=30000, max_records=1)
    finally:
        await consumer.stop()
    records = [r for batch in batches.values() for r in batch]
    return records[0].value if records else None


async def test_a_throwaway_broker_keeps_messages_across_a_clean_restart(broker: KafkaBroker) -> None:
    assert broker.create_topics(["outage"], partitions=3) == ["outage"]
    await produce(broker, "outage", b"before the outage")

    broker.stop()
    assert not broker.healthy()
    broker.start()
    broker.wait_ready(timeout=120)

    assert await consume_one(broker, "outage") == b"before the outage"
    assert broker.create_topics(["outage"]) == []


async def test_a_throwaway_broker_keeps_acknowledged_messages_across_a_crash(broker: KafkaBroker) -> None:
    broker.create_topics(["crash"])
    await produce(broker, "crash", b"acknowledged")

    broker.kill()
    broker.start()
    broker.wait_ready(timeout=120)

    assert await consume_one(broker, "crash") == b"acknowledged"


def test_a_cluster_id_that_starts_with_a_dash_still_formats_the_storage(
    tmp_path: Path, cfg: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One random id in 64 encodes to base64url starting with "-", which the storage tool once took for an option.
    dashy = uuid.UUID(bytes=bytes([0xF8]) + uuid.uuid4().bytes[1:])
    monkeypatch.setattr("devstack.kafka.uuid.uuid4", lambda: dashy)
    broker = KafkaBroker(tmp_path / "kafka", free_port(), free_port(), heap="256m", local=cfg.local)

    broker._prepare()  # the formatting step alone, without starting a broker

    assert "cluster.id=-" in (broker.data_dir / "meta.properties").read_text()
