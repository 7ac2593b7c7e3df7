"""`arq analytics.worker.WorkerSettings`: the outbox relay, as in every service (analytics announces nothing
yet, so it relays nothing)."""

from __future__ import annotations

from analytics.settings import Settings
from kit.worker import worker_settings

SETTINGS = Settings()
WorkerSettings = worker_settings(SETTINGS)
