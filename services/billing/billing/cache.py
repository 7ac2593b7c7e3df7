"""The quota answers cached in Redis (`billing:quota:{accountId}:{resource}`), deleted after the COMMIT of
every change that can alter them (never before, or a reader could cache the state about to be replaced)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import structlog
from redis.asyncio import Redis
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from billing.plans import Resource

log = structlog.get_logger("billing.cache")

PENDING = "billing_quota_invalidations"


def quota_key(account_id: str, resource: Resource) -> str:
    return f"billing:quota:{account_id}:{resource.value}"


class QuotaCache:
    """`ttl_s = 0` turns caching off (every answer from the database)."""

    def __init__(self, redis: Redis, *, ttl_s: int) -> None:
        self.redis = redis
        self.ttl_s = ttl_s
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def enabled(self) -> bool:
        return self.ttl_s > 0

    async def get(self, account_id: str, resource: Resource) -> bytes | None:
        if not self.enabled:
            return None
        try:
            value: Any = await self.redis.get(quota_key(account_id, resource))
        except Exception as exc:  # Redis down: answer from the database.
            log.warning("quota_cache.read_failed", error=repr(exc))
            return None
        return value if isinstance(value, bytes) else None

    async def put(self, account_id: str, resource: Resource, value: bytes) -> None:
        if not self.enabled:
            return
        try:
            await self.redis.set(quota_key(account_id, resource), value, ex=self.ttl_s)
        except Exception as exc:
            log.warning("quota_cache.write_failed", error=repr(exc))

    def invalidate_after_commit(
        self, session: AsyncSession, account_id: str, resources: Iterable[Resource] = tuple(Resource)
    ) -> None:
        keys: set[str] | None = session.info.get(PENDING)
        if keys is None:
            keys = session.info[PENDING] = set()
            sync = session.sync_session

            def committed(*_: Any) -> None:
                due = session.info.pop(PENDING, set())
                task = asyncio.get_running_loop().create_task(self._delete(due))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

            def rolled_back(*_: Any) -> None:
                session.info.pop(PENDING, None)

            event.listen(sync, "after_commit", committed, once=True)
            event.listen(sync, "after_soft_rollback", rolled_back, once=True)
        keys.update(quota_key(account_id, r) for r in resources)

    async def _delete(self, keys: set[str]) -> None:
        if not keys:
            return
        try:
            await self.redis.delete(*keys)
        except Exception as exc:
            # The TTL bounds how long a missed deletion shows an old answer.
            log.warning("quota_cache.invalidate_failed", error=repr(exc))

    async def drain(self) -> None:
        """Wait until committed changes' keys are gone: a route does before answering, so its caller's next
        quota check already sees the change."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks))
