"""The lifecycle every infrastructure server shares: reuse, provision, spawn, wait, configure, stop."""

from __future__ import annotations

import abc
import signal
import subprocess
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from devstack.config import Config
from devstack.proc import DevstackError, log, port_open, read_pid, rss_bytes, stop_pid, wait_until


class Origin(Enum):
    STARTED = "started"  # spawned by this call
    REUSED = "reused"  # already running from our pid file
    EXTERNAL = "external"  # a healthy server of the same kind that devstack did not start


@dataclass(frozen=True)
class Status:
    name: str
    running: bool
    pid: int | None
    port: int
    healthy: bool
    url: str
    rss: int
    # Supervised app processes only: their state, restarts and last exit (`devstack up`).
    state: str = ""
    restarts: int = 0
    last_exit: str = ""


class Component(abc.ABC):
    name: str
    start_timeout: float = 60.0
    stop_timeout: float = 30.0
    stop_signal: signal.Signals = signal.SIGTERM

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg

    @property
    @abc.abstractmethod
    def port(self) -> int: ...

    @property
    @abc.abstractmethod
    def port_env(self) -> str:
        """The env var that overrides port, named in conflict messages."""

    def other_ports(self) -> dict[str, int]:
        """Further ports the server binds, by the env var that moves each."""
        return {}

    @property
    def url(self) -> str:
        return f"127.0.0.1:{self.port}"

    @abc.abstractmethod
    def provision(self) -> None:
        """Fetch and lay out what the server needs; cheap when already done."""

    @abc.abstractmethod
    def spawn(self) -> subprocess.Popen[bytes]:
        """Start the server detached, writing its pid file."""

    @abc.abstractmethod
    def healthy(self) -> bool:
        """A probe that also tells this kind of server from whatever else could hold the port."""

    def configure(self) -> None:  # noqa: B027 - optional hook, most servers need nothing
        """Idempotent set-up after the server answers (databases, topics, buckets)."""

    @property
    def pid_file(self) -> Path:
        return self.cfg.pid_file(self.name)

    @property
    def log_file(self) -> Path:
        return self.cfg.log_file(self.name)

    def pid(self) -> int | None:
        return read_pid(self.pid_file)

    def ensure_running(self) -> Origin:
        started = time.monotonic()
        origin = self._start_or_reuse()
        self.configure()
        log(f"{self.name}: {origin.value} on {self.url} ({time.monotonic() - started:.1f}s)")
        return origin

    def _start_or_reuse(self) -> Origin:
        pid = self.pid()
        if pid is not None:
            # Possibly still starting from an earlier call: give it the usual time.
            wait_until(self.healthy, timeout=self.start_timeout, what=self.name, log_file=self.log_file)
            return Origin.REUSED
        if port_open(self.port):
            if self.healthy():
                return Origin.EXTERNAL
            raise DevstackError(
                f"{self.name}: port {self.port} is taken by another program; set {self.port_env} to choose another port"
            )
        for env, port in self.other_ports().items():
            if port_open(port):
                raise DevstackError(
                    f"{self.name}: port {port} is taken by another program; set {env} to choose another port"
                )
        self.provision()
        proc = self.spawn()
        wait_until(self.healthy, timeout=self.start_timeout, what=self.name, proc=proc, log_file=self.log_file)
        return Origin.STARTED

    def stop(self) -> bool:
        """Stop the server if devstack started it; True if something was stopped."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        if not stop_pid(pid, timeout=self.stop_timeout, sig=self.stop_signal):
            log(f"{self.name}: did not stop within {self.stop_timeout:.0f}s, killed")
        self.pid_file.unlink(missing_ok=True)
        return True

    def status(self) -> Status:
        pid = self.pid()
        healthy = self.healthy() if pid is not None or port_open(self.port) else False
        return Status(
            name=self.name,
            running=pid is not None or healthy,
            pid=pid,
            port=self.port,
            healthy=healthy,
            url=self.url,
            rss=rss_bytes(pid) if pid is not None else 0,
        )
