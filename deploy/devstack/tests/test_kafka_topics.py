from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from devstack.component import Component
from devstack.config import ALL_TOPICS, TOPICS, Config


async def test_every_topic_of_the_conventions_exists_with_its_dlq_twin_and_three_partitions(
    cfg: Config, infra: dict[str, Component]
) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=f"127.0.0.1:{cfg.ports.kafka}")
    await admin.start()
    try:
        described = await admin.describe_topics(list(ALL_TOPICS))
    finally:
        await admin.close()
    partitions = {t["topic"]: len(t["partitions"]) for t in described if t["error_code"] == 0}
    assert partitions == dict.fromkeys(ALL_TOPICS, 3)
    assert all(f"{t}-dlq" in partitions for t in TOPICS)


async def test_the_broker_never_creates_topics_on_demand(cfg: Config, infra: dict[str, Component]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=f"127.0.0.1:{cfg.ports.kafka}")
    await admin.start()
    try:
        (response,) = await admin.describe_configs([ConfigResource(ConfigResourceType.BROKER, "1")])
    finally:
        await admin.close()
    configs = {entry[0]: entry[1] for resource in response.resources for entry in resource[4]}
    assert configs["auto.create.topics.enable"] == "false"
