"""`arq media.worker.WorkerSettings`: the outbox relay and the service's scheduled jobs."""

from kit.worker import worker_settings
from media.settings import Settings

WorkerSettings = worker_settings(Settings())
