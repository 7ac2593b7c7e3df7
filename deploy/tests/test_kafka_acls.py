"""The compose stack's Kafka for real: a broker of our own started by deploy/kafka/start.sh with
deploy/kafka/server.properties (only addresses and the data directory changed), then deploy/kafka/init.sh run
with kafka-init's environment as docker-compose resolves it. Each service, connecting through the kit with
its own SCRAM user, writes and reads exactly what its ACLs allow.

The image's `/opt/kafka/bin` scripts are stood in for by one-line launchers of the same Java classes, over
the broker jars the local stack already has and the kafka-tools jar (fetched into the Maven repository).
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    KafkaError,
    TopicAuthorizationFailedError,
)

from devstack.config import KAFKA_VERSION, Config
from devstack.java import fetch_artifact, find_java_home
from devstack.kafka import api_versions_ok, ensure_kafka_dist
from devstack.registry import REGISTRY, load
from kit.kafka import make_producer
from kit.settings import ServiceSettings
from kit.testing import free_port

pytestmark = pytest.mark.slow

DEPLOY = Path(__file__).resolve().parents[1]
KAFKA_DIR = DEPLOY / "kafka"
# Every registered service: kafka-init creates a user for each and needs each one's password.
SERVICES = list(load(DEPLOY.parent / REGISTRY))
# The Prometheus Kafka exporter's user (compose's kafka-exporter): describes offsets and groups, reads nothing.
EXPORTER = "kafka-exporter"

LAUNCHERS = {
    "kafka-storage.sh": "kafka.tools.StorageTool",
    "kafka-server-start.sh": "kafka.Kafka",
    "kafka-topics.sh": "org.apache.kafka.tools.TopicCommand",
    "kafka-configs.sh": "org.apache.kafka.tools.ConfigCommand",
    "kafka-acls.sh": "org.apache.kafka.tools.AclCommand",
}


def _launchers(bin_dir: Path, java: Path, classpath: str, log4j: Path) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    for script, main_class in LAUNCHERS.items():
        heap = "-Xmx384m" if script == "kafka-server-start.sh" else "-Xmx128m -XX:TieredStopAtLevel=1"
        path = bin_dir / script
        path.write_text(
            f'#!/bin/bash\nexec "{java}" {heap} -Dlog4j2.configurationFile={log4j} -cp "{classpath}" '
            f'{main_class} "$@"\n'
        )
        path.chmod(0o755)


def _broker_config(path: Path, port: int, controller_port: int, data: Path) -> None:
    """deploy/kafka/server.properties with this machine's addresses and a temporary data directory."""
    text = (KAFKA_DIR / "server.properties").read_text()
    for key, value in {
        "controller.quorum.voters": f"1@127.0.0.1:{controller_port}",
        "listeners": f"SASL_PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        "advertised.listeners": f"SASL_PLAINTEXT://127.0.0.1:{port}",
        "log.dirs": str(data),
    }.items():
        text, count = re.subn(rf"^{re.escape(key)}=.*$", f"{key}={value}", text, flags=re.M)
        assert count == 1, key
    path.write_text(text)


def _kafka_init_env() -> dict[str, str]:
    """kafka-init's environment from the compose file, its `${...}` secrets left for the test to fill in."""
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    env: dict[str, Any] = compose["services"]["kafka-init"]["environment"]
    return {k: str(v) for k, v in env.items() if "${" not in str(v)}


class Broker:
    def __init__(self, home: Path) -> None:
        local = Config().local
        libs = ensure_kafka_dist(local)
        tools = fetch_artifact("org.apache.kafka", "kafka-tools", KAFKA_VERSION, "jar")
        java = find_java_home(17, local) / "bin" / "java"
        self.home = home
        self.port, self.controller_port = free_port(), free_port()
        self.bin = home / "bin"
        self.admin_password = secrets.token_hex(16)
        log4j = home / "log4j2.properties"
        log4j.write_text("status = warn\nrootLogger.level = WARN\n")
        _launchers(self.bin, java, f"{libs}/*:{tools}", log4j)
        self.config = home / "server.properties"
        _broker_config(self.config, self.port, self.controller_port, home / "data")
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "KAFKA_BIN": str(self.bin),
            "KAFKA_CONFIG": str(self.config),
            "KAFKA_ADMIN_CONFIG": str(home / "admin.properties"),
            "KAFKA_ADMIN_PASSWORD": self.admin_password,
            "CLUSTER_ID": "MkU3OEVBNTcwNTJENDM2Qk",
        }
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        log = (self.home / "kafka.log").open("wb")
        self.proc = subprocess.Popen(
            ["bash", str(KAFKA_DIR / "start.sh")], env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 180
        while not api_versions_ok(self.port):
            assert self.proc.poll() is None, (self.home / "kafka.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the broker did not come up"
            time.sleep(0.5)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


@pytest.fixture(scope="module")
def passwords() -> dict[str, str]:
    return {svc: secrets.token_hex(16) for svc in (*SERVICES, EXPORTER)}


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory, passwords: dict[str, str]) -> Iterator[Broker]:
    if shutil.which("bash") is None:
        pytest.fail("bash is needed to run deploy/kafka/*.sh", pytrace=False)
    broker = Broker(tmp_path_factory.mktemp("scram-kafka"))
    broker.start()
    try:
        env = {
            **_kafka_init_env(),
            **broker.env,
            "KAFKA_BOOTSTRAP": broker.bootstrap,
            **{f"{svc.upper()}_KAFKA_PASSWORD": password for svc, password in passwords.items()},
            "KAFKA_EXPORTER_PASSWORD": passwords[EXPORTER],
        }
        result = subprocess.run(
            ["bash", str(KAFKA_DIR / "init.sh")], env=env, capture_output=True, text=True, timeout=900, check=False
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        yield broker
    finally:
        broker.stop()


def _as(svc: str, broker: Broker, password: str) -> ServiceSettings:
    return ServiceSettings(
        service_name=svc,
        kafka_bootstrap=broker.bootstrap,
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_username=svc,
        kafka_password=password,
        kafka_request_timeout_s=15,
    )


async def _send(settings: ServiceSettings, topic: str) -> None:
    producer = await make_producer(settings)
    try:
        await asyncio.wait_for(producer.send_and_wait(topic, b"{}", key=b"k"), 60)
    finally:
        await producer.stop()


@pytest.fixture
def as_service(broker: Broker, passwords: dict[str, str]) -> Callable[[str], ServiceSettings]:
    """The settings of a service signing in as itself."""
    return lambda svc: _as(svc, broker, passwords[svc])


async def test_only_the_gateway_may_write_user_commands(as_service: Callable[[str], ServiceSettings]) -> None:
    await _send(as_service("gateway"), "user-commands")
    for svc in ("users", "interviews", "billing"):
        with pytest.raises(TopicAuthorizationFailedError):
            await _send(as_service(svc), "user-commands")


async def test_each_service_writes_its_own_topic_and_the_dead_letters_of_what_it_reads_and_nothing_else(
    as_service: Callable[[str], ServiceSettings],
) -> None:
    await _send(as_service("users"), "user-events")
    await _send(as_service("users"), "user-commands-dlq")
    await _send(as_service("media"), "media-events")
    with pytest.raises(TopicAuthorizationFailedError):
        await _send(as_service("interviews"), "user-events")
    with pytest.raises(TopicAuthorizationFailedError):
        await _send(as_service("media"), "analysis-events")


async def _read_one(settings: ServiceSettings, topic: str, group: str) -> bytes | None:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **settings.kafka_client_options(),
    )
    try:
        await consumer.start()
        record = await asyncio.wait_for(consumer.getone(), 60)
        return record.value
    finally:
        await consumer.stop()


async def test_a_service_reads_its_subscriptions_in_its_own_group_only(
    as_service: Callable[[str], ServiceSettings],
) -> None:
    await _send(as_service("gateway"), "auth-events")
    assert await _read_one(as_service("users"), "auth-events", "users") == b"{}"
    with pytest.raises((TopicAuthorizationFailedError, GroupAuthorizationFailedError)):
        await _read_one(as_service("media"), "auth-events", "media")
    with pytest.raises((TopicAuthorizationFailedError, GroupAuthorizationFailedError)):
        await _read_one(as_service("users"), "auth-events", "notifications")


async def test_a_wrong_password_or_no_sasl_gets_no_access(broker: Broker) -> None:
    wrong = _as("gateway", broker, "not-the-password")
    with pytest.raises(KafkaError):
        await _send(wrong, "auth-events")
    plaintext = ServiceSettings(service_name="gateway", kafka_bootstrap=broker.bootstrap, kafka_request_timeout_s=5)
    with pytest.raises((KafkaConnectionError, KafkaError, asyncio.TimeoutError)):
        await asyncio.wait_for(_send(plaintext, "auth-events"), 30)


async def test_the_exporter_user_sees_offsets_and_group_lag_but_reads_no_message(
    broker: Broker, passwords: dict[str, str], as_service: Callable[[str], ServiceSettings]
) -> None:
    await _send(as_service("media"), "media-events")
    exporter = _as(EXPORTER, broker, passwords[EXPORTER])
    admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap, **exporter.kafka_client_options())
    await admin.start()
    try:
        topics = await admin.describe_topics(["media-events", "media-events-dlq"])
        groups = await admin.list_consumer_groups()
        offsets = await admin.list_consumer_group_offsets("users")
    finally:
        await admin.close()

    assert [(t["topic"], t["error_code"]) for t in topics] == [("media-events", 0), ("media-events-dlq", 0)]
    assert isinstance(groups, list) and isinstance(offsets, dict)
    with pytest.raises((TopicAuthorizationFailedError, GroupAuthorizationFailedError)):
        await _read_one(exporter, "media-events", "users")
