"""Changes that span Keycloak and the users service: Keycloak changes first (it can refuse, and its
answer is needed), then the users service; when the users half fails, the Keycloak half is undone so
the two never disagree about a user."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import structlog

log = structlog.get_logger("gateway.compensation")

T = TypeVar("T")


@asynccontextmanager
async def compensated(step: Awaitable[T], undo: Callable[[T], Awaitable[object]]) -> AsyncIterator[T]:
    """Await `step` and run the block with its result; when the block fails, `undo(result)` and re-raise.

    An undo that fails too is logged and the block's error still reaches the caller: it says what went
    wrong, while the failed undo needs an operator either way."""
    done = await step
    try:
        yield done
    except Exception as failure:
        try:
            await undo(done)
        except Exception:
            log.exception("compensation.undo_failed", error=repr(failure))
        raise
