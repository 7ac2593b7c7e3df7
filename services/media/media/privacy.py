"""An erased invitation's recordings, as far as media holds them: every stored object (the kept recording, its
upload copy, thumbnail and rendition; an unfinished multipart upload is aborted), the rows with their transcripts,
and who had access. S3 has no transactions, so the objects go first: a failure after them leaves the rows, and
the redelivered event removes the (already missing, which S3 accepts) objects again before deleting the rows."""

from __future__ import annotations

import uuid
from datetime import datetime

from minio.error import S3Error
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kit.contracts.privacy import InvitationErased, MediaSubjectErased
from kit.outbox import stage
from media.domain import InvitationRef, MediaObject, MediaStatus
from media.storage import Storage

SERVICE = "media"


async def erase_invitation(session: AsyncSession, event: InvitationErased, *, storage: Storage, now: datetime) -> None:
    invitation_id = uuid.UUID(event.invitation_id)
    found = await session.scalars(
        select(MediaObject).where(MediaObject.invitation_id == invitation_id).with_for_update()
    )
    recordings = list(found.all())
    objects = 0
    for media in recordings:
        if media.status == MediaStatus.UPLOADING and media.upload_id:
            try:
                await storage.abort_multipart(media.object_key, media.upload_id)
            except S3Error as exc:
                # Already completed or aborted (a redelivery): nothing of it is stored any more.
                if exc.code != "NoSuchUpload":
                    raise
        for key in sorted({*media.stored_keys(), media.upload_key, media.kept_key}):
            if await storage.size(key) is not None:
                objects += 1
            await storage.remove(key)
    await session.execute(
        delete(MediaObject)
        .where(MediaObject.invitation_id == invitation_id)
        .execution_options(synchronize_session=False)
    )
    access = await session.execute(
        delete(InvitationRef)
        .where(InvitationRef.invitation_id == invitation_id)
        .execution_options(synchronize_session=False)
    )
    if event.erasure_id is None:
        return
    stage(
        session,
        MediaSubjectErased(
            erasure_id=event.erasure_id,
            service=SERVICE,
            scope=event.invitation_id,
            counts={
                "recordings": len(recordings),
                "storedObjects": objects,
                "accessGrants": int(access.rowcount or 0),  # type: ignore[attr-defined]
            },
            erased_at=now,
        ),
        aggregate_id=event.erasure_id,
    )
