"""stripe-mock, Stripe's API served locally from its OpenAPI description, built once with `go install`. The
billing service's Stripe SDK talks to it in the local stack and the tests. It is stateless (canned objects):
subscription state comes from billing's handling of signed webhook events, which tests post as Stripe would."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx

from devstack.component import Component
from devstack.gotool import go_binary
from devstack.proc import DevstackError, log, run, spawn_detached

STRIPE_MOCK_VERSION = "v0.203.0"
# Any key of the test-mode shape is accepted by stripe-mock.
STRIPE_MOCK_KEY = "sk_test_devstack"
# The webhook signing secret of the local stack's billing service (not a secret: nothing real is paid here).
LOCAL_STRIPE_WEBHOOK_SECRET = "whsec_devstack_local"


class StripeMock(Component):
    name = "stripe-mock"
    start_timeout = 30.0
    stop_timeout = 10.0

    @property
    def port(self) -> int:
        return self.cfg.ports.stripe_mock

    @property
    def port_env(self) -> str:
        return "STRIPE_MOCK_PORT"

    def other_ports(self) -> dict[str, int]:
        return {"STRIPE_MOCK_HTTPS_PORT": self.cfg.ports.stripe_mock_https}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def binary(self) -> Path:
        return self.cfg.bin / "stripe-mock"

    def provision(self) -> None:
        if self.binary.is_file():
            return
        env = {**os.environ, "GOBIN": str(self.cfg.bin), "GOTOOLCHAIN": "local"}
        log(f"stripe-mock: building github.com/stripe/stripe-mock@{STRIPE_MOCK_VERSION} with go install")
        try:
            run([go_binary(self.cfg), "install", f"github.com/stripe/stripe-mock@{STRIPE_MOCK_VERSION}"],
                what="go install stripe-mock", env=env)  # fmt: skip
        except DevstackError as exc:
            raise DevstackError(f"stripe-mock build failed:\n{exc}") from exc

    def spawn(self) -> subprocess.Popen[bytes]:
        # Both listeners on loopback: left alone, the HTTPS one binds every interface.
        return spawn_detached(
            [
                self.binary,
                "-http-addr", f"127.0.0.1:{self.port}",
                "-https-addr", f"127.0.0.1:{self.cfg.ports.stripe_mock_https}",
            ],
            log_file=self.log_file,
            pid_file=self.pid_file,
        )  # fmt: skip

    def healthy(self) -> bool:
        try:
            response = httpx.get(
                f"{self.url}/v1/customers", headers={"Authorization": f"Bearer {STRIPE_MOCK_KEY}"}, timeout=2.0
            )
        except httpx.HTTPError:
            return False
        return response.status_code == 200 and response.json().get("object") == "list"
