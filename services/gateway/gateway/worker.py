"""`arq gateway.worker.WorkerSettings`: the outbox relay and the service's scheduled jobs."""

from gateway.settings import Settings
from kit.worker import worker_settings

WorkerSettings = worker_settings(Settings())
