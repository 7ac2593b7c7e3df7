"""A person's recordings in their export (a short-lived download link each), and an erased invitation as media
applies it: the recording's stored objects (original, upload copy, thumbnail, rendition) leave the bucket, its
rows and access grants leave the schema, and the request's report counts them once; a redelivery changes
nothing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from kit.contracts.privacy import InvitationErased
from kit.events import Envelope
from kit.kafka import Consumer
from kit.outbox import OutboxMessage
from kit.testing import INTERNAL_TOKEN
from media.consumers import TOPICS, make_handlers
from media.settings import Settings
from media.storage import Storage

from .conftest import Clips, StackFactory


def erased(invitation_id: str, erasure_id: uuid.UUID | None) -> Envelope:
    event = InvitationErased(
        invitation_id=invitation_id,
        erasure_id=erasure_id,
        reason="subject" if erasure_id else "retention",
        erased_at=datetime(2030, 1, 16, tzinfo=UTC),
    )
    return Envelope.wrap(event, source="interviews", aggregate_id=invitation_id, correlation_id=None)


def stored(storage: Storage, invitation_id: str) -> list[str]:
    return [
        o.object_name
        for prefix in ("uploads", "recordings", "thumbnails", "renditions")
        for o in storage.client.list_objects(storage.bucket, prefix=f"{prefix}/{invitation_id}/", recursive=True)
    ]


async def test_an_erased_invitation_leaves_no_recording_object_or_row_and_reports_what_went_once(
    run_stack: StackFactory, settings: Settings, storage: Storage, clips: Clips
) -> None:
    stack = await run_stack(settings)
    invitation = await stack.invitation()
    media_id = await stack.upload(invitation.candidate, invitation, clips.avi)
    async with asyncio.timeout(120):
        while (await stack.client.get(f"/api/v1/media/{media_id}/status", headers=invitation.candidate)).json()[
            "renditionStatus"
        ] not in ("ready", "failed", "not_needed"):
            await asyncio.sleep(0.1)
    before = stored(storage, invitation.invitation_id)
    owner = invitation.candidate["x-user-id"]
    exported = await stack.client.get(f"/internal/subjects/{owner}", headers={"x-internal-token": INTERNAL_TOKEN})
    assert exported.status_code == 200, exported.text
    (recording,) = exported.json()["recordings"]
    assert recording["id"] == media_id and recording["status"] == "ready"
    downloaded = await stack.s3.get(recording["downloadUrl"])
    assert downloaded.status_code == 200 and downloaded.content == clips.avi.data
    assert (await stack.client.get(f"/internal/subjects/{owner}")).status_code == 401
    assert any(k.startswith("thumbnails/") for k in before) and any(k.startswith("renditions/") for k in before)
    handlers = make_handlers(stack.settings)
    consumer = Consumer(stack.settings, stack.sessions, handlers, TOPICS)
    erasure_id = uuid.uuid4()
    request = erased(invitation.invitation_id, erasure_id)
    async with stack.sessions() as session:
        baseline = await session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1)) or 0
    naming = (
        "SELECT count(*) FROM outbox WHERE published_at IS {} NULL AND payload::text LIKE '%' || :id || '%' "
        "AND event_type <> 'subject.erased'"
    )
    await stack.wait_for(naming.format(""), 0, id=invitation.invitation_id)  # the relay is done with them
    published = await stack.scalar(naming.format("NOT"), id=invitation.invitation_id)

    applied = [await consumer._apply(handlers[request.event_type], e) for e in (request, request)]

    assert applied == ["ok", "duplicate"]
    assert stored(storage, invitation.invitation_id) == []
    ids: dict[str, Any] = {"id": invitation.invitation_id}
    assert await stack.scalar("SELECT count(*) FROM media_objects WHERE invitation_id = :id", **ids) == 0
    assert await stack.scalar("SELECT count(*) FROM invitation_access WHERE invitation_id = :id", **ids) == 0
    async with stack.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.id > baseline, OutboxMessage.event_type == "subject.erased")
        )
        (report,) = [r for r in rows.all() if r.payload["payload"]["erasureId"] == str(erasure_id)]
    assert report.payload["payload"]["scope"] == invitation.invitation_id
    assert report.payload["payload"]["counts"] == {
        "recordings": 1,
        "storedObjects": len(before),
        "accessGrants": 1,
        # The recording's events the relay published (uploaded, ready, ...) go too; the erasure's own report,
        # which names the invitation it is about, stays for the outbox's retention.
        "publishedEvents": published,
    }
    assert published > 0 and await stack.scalar(naming.format("NOT"), id=invitation.invitation_id) == 0
    await consumer.close()


async def test_a_retention_erasure_reports_nothing_to_anyone(run_stack: StackFactory, settings: Settings) -> None:
    stack = await run_stack(settings)
    invitation = await stack.invitation()
    handlers = make_handlers(stack.settings)
    consumer = Consumer(stack.settings, stack.sessions, handlers, TOPICS)
    request = erased(invitation.invitation_id, None)

    assert await consumer._apply(handlers[request.event_type], request) == "ok"

    ids: dict[str, Any] = {"id": invitation.invitation_id}
    assert await stack.scalar("SELECT count(*) FROM invitation_access WHERE invitation_id = :id", **ids) == 0
    assert (
        await stack.scalar(
            "SELECT count(*) FROM outbox WHERE event_type = 'subject.erased' AND payload->'payload'->>'scope' = :id",
            **ids,
        )
        == 0
    )
    await consumer.close()
