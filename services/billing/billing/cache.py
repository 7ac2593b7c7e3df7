"""The quota answers cached in Redis (`billing:quota:{accountId}:{resource}`), deleted after the COMMIT of
every change that can alter them (never before, or a reader could cache the state about to be replaced).

A reader that missed the cache read the database at some moment and stores its answer later; a change may
have committed in between. So every invalidation also bumps the key's generation, and an answer is stored only
if the generation is still the one seen before its database read (one Lua script, atomic in Redis)."""

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
# Long enough to outlive any read in flight; a generation that expired reads as none, like a fresh key.
GENERATION_TTL_S = 86400

PUT_IF_GENERATION = """
if (redis.call('GET', KEYS[2]) or '') == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0
"""


def quota_key(account_id: str, resource: Resource) -> str:
    return f"billing:quota:{account_id}:{resource.value}"


def generation_key(key: str) -> str:
    return f"{key}:gen"


class QuotaCache:
    """`ttl_s = 0` turns caching off (every answer from the database)."""

    def __init__(self, redis: Redis, *, ttl_s: int) -> None:
        self.redis = redis
        self.ttl_s = ttl_s
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def enabled(self) -> bool:
        return self.ttl_s > 0

    async def get(self, account_id: str, resource: Resource) -> tuple[bytes | None, str]:
        """The cached answer (None on a miss) and the generation to hand back to `put` after a miss."""
        if not self.enabled:
            return None, ""
        key = quota_key(account_id, resource)
        try:
            value, generation = await self.redis.mget(key, generation_key(key))
        except Exception as exc:  # Redis down: answer from the database.
            log.warning("quota_cache.read_failed", error=repr(exc))
            return None, ""
        seen = generation.decode() if isinstance(generation, bytes) else ""
        return (value if isinstance(value, bytes) else None), seen

    async def put(self, account_id: str, resource: Resource, value: bytes, *, generation: str) -> None:
        """Store an answer read from the database, unless a change was invalidated since `get`."""
        if not self.enabled:
            return
        key = quota_key(account_id, resource)
        try:
            stored: Any = self.redis.eval(
                PUT_IF_GENERATION, 2, key, generation_key(key), generation, value.decode(), str(self.ttl_s)
            )
            await stored
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
            async with self.redis.pipeline(transaction=True) as pipe:
                for key in keys:
                    pipe.incr(generation_key(key))
                    pipe.expire(generation_key(key), GENERATION_TTL_S)
                pipe.delete(*keys)
                await pipe.execute()
        except Exception as exc:
            # The TTL bounds how long a missed deletion shows an old answer.
            log.warning("quota_cache.invalidate_failed", error=repr(exc))

    async def drain(self) -> None:
        """Wait until committed changes' keys are gone: a route does before answering, so its caller's next
        quota check already sees the change."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks))
