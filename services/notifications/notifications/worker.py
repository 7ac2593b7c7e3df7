"""`arq notifications.worker.WorkerSettings`: the outbox relay and the service's scheduled jobs."""

from kit.worker import worker_settings
from notifications.settings import Settings

WorkerSettings = worker_settings(Settings())
