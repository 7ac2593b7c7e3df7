"""The webhook knobs, mixed into the service's `Settings`."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings


class WebhookSettings(BaseSettings):
    # Plain-http loopback receivers are admitted only with this on (the local stack and tests); everywhere
    # else an endpoint must be https on a public address.
    webhooks_allow_insecure_loopback: bool = False
    # Seconds to wait before each retry of a failed delivery: after the last one the delivery is dead.
    webhooks_retry_schedule_s: list[float] = Field(
        default_factory=lambda: [5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0]
    )
    # Consecutive failed attempts (over all its deliveries) after which an endpoint is disabled.
    webhooks_disable_after_failures: int = 10
    webhooks_timeout_s: float = 10.0
    # How often the worker looks for due deliveries whose job was lost or whose retry time has come.
    webhooks_sweep_every_s: int = 5
    webhooks_sweep_batch: int = 200
