"""Redis from the system `redis-server`, without persistence."""

from __future__ import annotations

import shutil
import socket
import subprocess

from devstack.component import Component
from devstack.proc import DevstackError, spawn_detached


class Redis(Component):
    name = "redis"
    start_timeout = 20.0
    stop_timeout = 10.0

    @property
    def port(self) -> int:
        return self.cfg.ports.redis

    @property
    def port_env(self) -> str:
        return "REDIS_PORT"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def provision(self) -> None:
        if shutil.which("redis-server") is None:
            raise DevstackError("redis-server not found; install it with: apt-get install -y redis-server")
        (self.cfg.local / "redis").mkdir(parents=True, exist_ok=True)

    def spawn(self) -> subprocess.Popen[bytes]:
        return spawn_detached(
            [
                "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", self.cfg.local / "redis", "--daemonize", "no",
            ],
            log_file=self.log_file,
            pid_file=self.pid_file,
        )  # fmt: skip

    def healthy(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1.0) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False
