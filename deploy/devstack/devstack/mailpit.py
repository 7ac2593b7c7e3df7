"""Mailpit, the SMTP capture server with an HTTP inbox API, built once with `go install`."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx

from devstack.component import Component
from devstack.gotool import go_binary
from devstack.proc import DevstackError, log, run, spawn_detached

# The first builds with the Go toolchain here; the second is the fallback of the same line.
MAILPIT_VERSIONS = ("v1.33.1", "v1.27.11")


class Mailpit(Component):
    name = "mailpit"
    start_timeout = 30.0
    stop_timeout = 10.0

    @property
    def port(self) -> int:
        return self.cfg.ports.mailpit_http

    @property
    def port_env(self) -> str:
        return "MAILPIT_HTTP_PORT"

    def other_ports(self) -> dict[str, int]:
        return {"SMTP_PORT": self.cfg.ports.smtp}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def binary(self) -> Path:
        return self.cfg.bin / "mailpit"

    def provision(self) -> None:
        (self.cfg.local / "mailpit").mkdir(parents=True, exist_ok=True)
        if self.binary.is_file():
            return
        env = {**os.environ, "GOBIN": str(self.cfg.bin), "GOTOOLCHAIN": "local"}
        errors = []
        for version in MAILPIT_VERSIONS:
            log(f"mailpit: building github.com/axllent/mailpit@{version} with go install")
            try:
                command = [go_binary(self.cfg), "install", f"github.com/axllent/mailpit@{version}"]
                run(command, what="go install mailpit", env=env)
                return
            except DevstackError as exc:
                errors.append(str(exc))
        raise DevstackError("mailpit build failed:\n" + "\n".join(errors))

    def spawn(self) -> subprocess.Popen[bytes]:
        return spawn_detached(
            [
                self.binary, "--smtp", f"127.0.0.1:{self.cfg.ports.smtp}",
                "--listen", f"127.0.0.1:{self.port}",
                # Clients that authenticate anyway are accepted over plain SMTP; none is required.
                "--smtp-auth-accept-any", "--smtp-auth-allow-insecure",
                "--database", self.cfg.local / "mailpit" / "mailpit.db",
                "--disable-version-check",
            ],
            log_file=self.log_file,
            pid_file=self.pid_file,
        )  # fmt: skip

    def healthy(self) -> bool:
        try:
            response = httpx.get(f"{self.url}/api/v1/messages?limit=1", timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200 and "messages" in response.json()
