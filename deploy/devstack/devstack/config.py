"""Names, ports and paths of the local stack, as fixed by deploy/CONVENTIONS.md and deploy/services.toml."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from devstack.registry import REGISTRY, Service, load, topics


def _find_root() -> Path:
    """The workspace root: DEVSTACK_ROOT, else the first parent of this package with a uv workspace."""
    if env := os.environ.get("DEVSTACK_ROOT"):
        return Path(env).resolve()
    for parent in Path(__file__).resolve().parents:
        pyproject = parent / "pyproject.toml"
        if pyproject.is_file() and "[tool.uv.workspace]" in pyproject.read_text():
            return parent
    raise RuntimeError("cannot find the workspace root; set DEVSTACK_ROOT")


# The fleet comes from deploy/services.toml; every other list of services derives from it.
FLEET: dict[str, Service] = load(_find_root() / REGISTRY)
SERVICES: dict[str, int] = {name: svc.port for name, svc in FLEET.items()}
WEB_PORT = 3000
# Consumers and workers serve /metrics and /health (kit.liveness) on a port of their own: 91xx and 92xx, xx
# from the api's 80xx (compose gives every container 9101 and 9102, here they share one address).
CONSUMER_METRICS_BASE = 9100
WORKER_METRICS_BASE = 9200


def metrics_port(svc: str, role: str) -> int:
    """The metrics/liveness port of svc's consumer or worker in the local stack."""
    base = {"consumer": CONSUMER_METRICS_BASE, "worker": WORKER_METRICS_BASE}[role]
    return base + SERVICES[svc] % 100


DATABASES = ("aivi", "aivi_test")
TOPICS = topics(FLEET)
ALL_TOPICS = (*TOPICS, *(f"{t}-dlq" for t in TOPICS))
BUCKETS = ("avatars", "media", "test-avatars", "test-media")

PG_SUPERUSER_PASSWORD = "postgres"
S3_ACCESS_KEY = "aivi"
S3_SECRET_KEY = "aivi-dev-secret"
KEYCLOAK_ADMIN = ("admin", "admin")
KEYCLOAK_REALM = "ai-video-interview"
KEYCLOAK_TEST_REALM = "ai-video-interview-test"
KEYCLOAK_CLIENT_ID = "ai-video-interview-app"

# Pinned so that every machine runs the same servers; overridable to try another release.
KAFKA_VERSION = os.environ.get("KAFKA_VERSION", "4.4.0")
KEYCLOAK_VERSION = os.environ.get("KEYCLOAK_VERSION", "26.7.3")
LOG4J_VERSION = "2.25.5"
SLF4J_VERSION = "2.0.17"


def _port(env: str, default: int) -> int:
    value = os.environ.get(env)
    return int(value) if value else default


@dataclass(frozen=True)
class Ports:
    """Every port the stack binds; each env var overrides its default (CONVENTIONS.md)."""

    postgres: int = field(default_factory=lambda: _port("PG_PORT", 5432))
    redis: int = field(default_factory=lambda: _port("REDIS_PORT", 6379))
    kafka: int = field(default_factory=lambda: _port("KAFKA_PORT", 9092))
    kafka_controller: int = field(default_factory=lambda: _port("KAFKA_CONTROLLER_PORT", 9093))
    keycloak: int = field(default_factory=lambda: _port("KEYCLOAK_PORT", 8090))
    # Keycloak's management interface defaults to 9000, which is the S3 port here.
    keycloak_management: int = field(default_factory=lambda: _port("KEYCLOAK_MANAGEMENT_PORT", 9190))
    s3: int = field(default_factory=lambda: _port("S3_PORT", 9000))
    seaweed_master: int = field(default_factory=lambda: _port("SEAWEED_MASTER_PORT", 9333))
    seaweed_volume: int = field(default_factory=lambda: _port("SEAWEED_VOLUME_PORT", 8085))
    seaweed_filer: int = field(default_factory=lambda: _port("SEAWEED_FILER_PORT", 8888))
    smtp: int = field(default_factory=lambda: _port("SMTP_PORT", 1025))
    mailpit_http: int = field(default_factory=lambda: _port("MAILPIT_HTTP_PORT", 8025))
    stripe_mock: int = field(default_factory=lambda: _port("STRIPE_MOCK_PORT", 12111))
    stripe_mock_https: int = field(default_factory=lambda: _port("STRIPE_MOCK_HTTPS_PORT", 12112))


@dataclass(frozen=True)
class Config:
    root: Path = field(default_factory=_find_root)
    ports: Ports = field(default_factory=Ports)

    @property
    def local(self) -> Path:
        return self.root / ".local"

    @property
    def logs(self) -> Path:
        return self.local / "logs"

    @property
    def run(self) -> Path:
        return self.local / "run"

    @property
    def bin(self) -> Path:
        return self.local / "bin"

    def log_file(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def pid_file(self, name: str) -> Path:
        return self.run / f"{name}.pid"

    def ensure_dirs(self) -> None:
        for d in (self.local, self.logs, self.run, self.bin):
            d.mkdir(parents=True, exist_ok=True)

    def internal_token(self) -> str:
        """A dev INTERNAL_TOKEN, generated once and kept so restarts agree with each other."""
        path = self.local / "internal-token"
        if not path.exists():
            self.ensure_dirs()
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return path.read_text().strip()
