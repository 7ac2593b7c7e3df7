"""Apache Kafka 4.x in KRaft mode (one combined broker+controller) from the jars on Maven Central.

KafkaBroker is usable on its own: a test can start a throwaway broker in a temp dir on other ports,
stop or kill it mid-test and start it again on the same data to exercise an outage.
"""

from __future__ import annotations

import asyncio
import base64
import socket
import struct
import subprocess
import uuid
from collections.abc import Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from devstack.component import Component
from devstack.config import ALL_TOPICS, KAFKA_VERSION, LOG4J_VERSION, SLF4J_VERSION, Config
from devstack.java import copy_dependencies, find_java_home, java_major
from devstack.proc import kill_pid, log, read_pid, run, spawn_detached, stop_pid, wait_until

T = TypeVar("T")

# kafka_2.13 brings the broker; the broker logs through slf4j, so it needs a binding to log4j2 as well.
_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.devstack</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId>
      <version>{kafka}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId>
      <version>{slf4j}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId>
      <version>{log4j}</version></dependency>
  </dependencies>
</project>
"""

_LOG4J2 = """status = warn
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
"""


def ensure_kafka_dist(local: Path, version: str = KAFKA_VERSION) -> Path:
    """The directory of broker jars for version, fetched once into local/kafka/kafka-<version>/libs."""
    dist = local / "kafka" / f"kafka-{version}"
    libs = dist / "libs"
    marker = dist / ".complete"
    if not marker.exists():
        log(f"kafka: resolving kafka_2.13:{version} and its runtime jars with Maven")
        pom = _POM.format(kafka=version, slf4j=SLF4J_VERSION, log4j=LOG4J_VERSION)
        copy_dependencies(pom, dist / "maven", libs)
        marker.touch()
    return libs


def _run_sync(coro: Coroutine[object, object, T]) -> T:
    """Run coro to completion from sync code, even when called inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def api_versions_ok(port: int, host: str = "127.0.0.1", timeout: float = 1.0) -> bool:
    """True if a Kafka broker answers an ApiVersions v0 request on port (the broker's readiness)."""
    client_id = b"devstack"
    correlation_id = 0x0DE5
    body = struct.pack(">hhih", 18, 0, correlation_id, len(client_id)) + client_id
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(struct.pack(">i", len(body)) + body)
            header = b""
            while len(header) < 10:
                chunk = sock.recv(10 - len(header))
                if not chunk:
                    return False
                header += chunk
    except OSError:
        return False
    _size, got_id, error = struct.unpack(">iih", header)
    return bool(got_id == correlation_id and error == 0)


class KafkaBroker:
    """One KRaft broker+controller process whose data lives in home."""

    def __init__(
        self,
        home: Path,
        port: int,
        controller_port: int,
        *,
        libs: Path | None = None,
        heap: str = "512m",
        log_file: Path | None = None,
        pid_file: Path | None = None,
        local: Path | None = None,
    ) -> None:
        self.home = Path(home)
        self.port = port
        self.controller_port = controller_port
        self.heap = heap
        self._local = local or Config().local
        self._libs = libs
        self.log_file = log_file or self.home / "kafka.log"
        self.pid_file = pid_file or self.home / "kafka.pid"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def libs(self) -> Path:
        if self._libs is None:
            self._libs = ensure_kafka_dist(self._local)
        return self._libs

    def _java(self) -> tuple[Path, list[str]]:
        java_home = find_java_home(17, self._local)
        opts = [f"-Xmx{self.heap}", "-Xms128m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20"]
        if java_major(java_home) >= 19:
            # A class-data archive written at the first clean exit makes every later start faster,
            # which is what an outage test's stop/start cycle pays for.
            opts += [
                f"-XX:SharedArchiveFile={self.home / 'kafka.jsa'}",
                "-XX:+AutoCreateSharedArchive",
                "-Xlog:cds=off",
            ]
        return java_home / "bin" / "java", opts

    def _server_properties(self) -> str:
        props = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": str(self.data_dir),
            "auto.create.topics.enable": "false",
            "num.partitions": "3",
            "default.replication.factor": "1",
            "min.insync.replicas": "1",
            "offsets.topic.replication.factor": "1",
            # Fewer internal partitions: the first consumer group and transaction start much sooner.
            "offsets.topic.num.partitions": "10",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "10",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            # Tests join and leave groups constantly; the default 3 s delay would slow every one.
            "group.initial.rebalance.delay.ms": "0",
            "log.retention.hours": "24",
        }
        return "".join(f"{k}={v}\n" for k, v in props.items())

    def _prepare(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        config = self.home / "server.properties"
        config.write_text(self._server_properties())
        (self.home / "log4j2.properties").write_text(_LOG4J2)
        if (self.data_dir / "meta.properties").exists():
            return  # formatted before: a restart keeps the data
        # A base64url id may start with "-"; passed as `--cluster-id=<id>` it is never taken for an option.
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        java, _opts = self._java()
        run(
            [java, "-Xmx256m", "-cp", f"{self.libs}/*", "kafka.tools.StorageTool", "format",
             f"--cluster-id={cluster_id}", "-c", config],
            what="kafka storage format",
        )  # fmt: skip

    def start(self) -> subprocess.Popen[bytes]:
        """Start the broker detached (does not wait; see wait_ready)."""
        self._prepare()
        java, opts = self._java()
        self._proc = spawn_detached(
            [java, *opts, f"-Dlog4j2.configurationFile={self.home / 'log4j2.properties'}",
             f"-Dkafka.logs.dir={self.home / 'logs'}", "-cp", f"{self.libs}/*", "kafka.Kafka",
             self.home / "server.properties"],
            log_file=self.log_file,
            pid_file=self.pid_file,
        )  # fmt: skip
        return self._proc

    def pid(self) -> int | None:
        return read_pid(self.pid_file)

    def healthy(self) -> bool:
        return api_versions_ok(self.port)

    def wait_ready(self, timeout: float = 60.0) -> None:
        wait_until(self.healthy, timeout=timeout, what="kafka", proc=self._proc, log_file=self.log_file)

    def stop(self, timeout: float = 30.0) -> None:
        """Clean shutdown (SIGTERM, controlled shutdown), killing only if it overruns timeout."""
        pid = self.pid()
        if pid is not None:
            stop_pid(pid, timeout=timeout, proc=self._proc)
        self.pid_file.unlink(missing_ok=True)
        self._proc = None

    def kill(self) -> None:
        """SIGKILL: a crash, for outage tests that must not depend on a clean shutdown."""
        pid = self.pid()
        if pid is not None:
            kill_pid(pid, self._proc)
        self.pid_file.unlink(missing_ok=True)
        self._proc = None

    async def create_topics_async(self, names: Iterable[str], partitions: int = 3) -> list[str]:
        """Create the topics that do not exist yet; returns those created."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=30000)
        await admin.start()
        try:
            existing = set(await admin.list_topics())
            missing = [n for n in dict.fromkeys(names) if n not in existing]
            if missing:
                await admin.create_topics(
                    [NewTopic(name=n, num_partitions=partitions, replication_factor=1) for n in missing]
                )
            return missing
        finally:
            await admin.close()

    def create_topics(self, names: Iterable[str], partitions: int = 3) -> list[str]:
        return _run_sync(self.create_topics_async(names, partitions))


class Kafka(Component):
    name = "kafka"
    start_timeout = 90.0

    def __init__(self, cfg: Config) -> None:
        super().__init__(cfg)
        self.broker = KafkaBroker(
            cfg.local / "kafka" / "broker",
            cfg.ports.kafka,
            cfg.ports.kafka_controller,
            log_file=self.log_file,
            pid_file=self.pid_file,
            local=cfg.local,
        )

    @property
    def port(self) -> int:
        return self.cfg.ports.kafka

    @property
    def port_env(self) -> str:
        return "KAFKA_PORT"

    def other_ports(self) -> dict[str, int]:
        return {"KAFKA_CONTROLLER_PORT": self.cfg.ports.kafka_controller}

    def provision(self) -> None:
        _ = self.broker.libs

    def spawn(self) -> subprocess.Popen[bytes]:
        return self.broker.start()

    def healthy(self) -> bool:
        return self.broker.healthy()

    def configure(self) -> None:
        created = self.broker.create_topics(ALL_TOPICS)
        if created:
            log(f"kafka: created topics {', '.join(created)}")
