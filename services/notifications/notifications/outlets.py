"""What a new notification sets off once its transaction committed, never before: an in-app item is
published to its recipient's Redis channel `notifications:{recipientId}` (any API replica's live stream
reads it), an e-mail is enqueued as a delivery job for the worker. Both are best-effort: the worker's sweep
sends any e-mail whose job was lost, and a stream client resuming with `Last-Event-ID` gets what it missed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from arq.connections import ArqRedis, RedisSettings, create_pool
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from kit.worker import queue_name
from notifications.schemas import NotificationView
from notifications.settings import Settings

log = structlog.get_logger("notifications.outlets")

Action = Callable[[], Awaitable[Any]]
DELIVER_JOB = "deliver_email"


def channel_of(recipient_id: str) -> str:
    return f"notifications:{recipient_id}"


class Outlets:
    def __init__(self, settings: Settings, *, redis: ArqRedis | None = None) -> None:
        self.settings = settings
        self._redis = redis
        self._owns_redis = redis is None
        self._tasks: set[asyncio.Task[None]] = set()

    async def redis(self) -> ArqRedis:
        if self._redis is None:
            self._redis = await create_pool(
                RedisSettings.from_dsn(self.settings.redis_url), default_queue_name=queue_name(self.settings)
            )
        return self._redis

    def published(self, session: AsyncSession, view: NotificationView) -> None:
        async def publish() -> None:
            redis = await self.redis()
            await redis.publish(channel_of(view.recipient_id), view.model_dump_json(by_alias=True))

        self._after_commit(session, publish)

    def enqueued(self, session: AsyncSession, notification_id: uuid.UUID) -> None:
        async def enqueue() -> None:
            redis = await self.redis()
            await redis.enqueue_job(DELIVER_JOB, str(notification_id), _job_id=f"notification:{notification_id}")

        self._after_commit(session, enqueue)

    def _after_commit(self, session: AsyncSession, action: Action) -> None:
        actions: list[Action] | None = session.info.get("after_commit")
        if actions is None:
            actions = session.info["after_commit"] = []
            sync = session.sync_session

            def committed(*_: Any) -> None:
                due = list(session.info.pop("after_commit", []))
                task = asyncio.get_running_loop().create_task(self._run(due))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

            def rolled_back(*_: Any) -> None:
                session.info.pop("after_commit", None)

            event.listen(sync, "after_commit", committed, once=True)
            event.listen(sync, "after_soft_rollback", rolled_back, once=True)
        actions.append(action)

    async def _run(self, actions: list[Action]) -> None:
        for action in actions:
            try:
                await action()
            except Exception as exc:
                log.warning("notifications.after_commit_failed", error=repr(exc))

    async def drain(self) -> None:
        """Wait for the actions of committed transactions (tests, and a process shutting down)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks))

    async def aclose(self) -> None:
        await self.drain()
        if self._owns_redis and self._redis is not None:
            await self._redis.aclose()
            self._redis = None
