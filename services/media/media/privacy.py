"""An erased invitation's recordings, as far as media holds them: every stored object (the kept recording, its
upload copy, thumbnail and rendition; an unfinished multipart upload is aborted), the rows with their transcripts,
and who had access. S3 has no transactions, so the objects go first: a failure after them leaves the rows, and
the redelivered event removes the (already missing, which S3 accepts) objects again before deleting the rows."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from minio.error import S3Error
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kit.contracts.privacy import InvitationErased, MediaSubjectErased
from kit.domain import utcnow
from kit.erasure import forget_published
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
    published = await forget_published(session, [event.invitation_id, *(str(m.id) for m in recordings)])
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
                "publishedEvents": published,
            },
            erased_at=now,
        ),
        aggregate_id=event.erasure_id,
    )


async def subject_export(
    session: AsyncSession, user_id: str, *, storage: Storage, link_ttl: timedelta
) -> dict[str, Any]:
    """The person's recordings with their transcripts, each ready one with a short-lived download link."""
    found = await session.scalars(
        select(MediaObject).where(MediaObject.owner_id == user_id).order_by(MediaObject.created_at)
    )
    recordings = []
    for media in found.all():
        link = None
        if media.status == MediaStatus.READY:
            link = storage.get_url(
                media.object_key, link_ttl, content_type=media.content_type, disposition="attachment"
            )
        recordings.append(
            {
                "id": media.id,
                "invitationId": media.invitation_id,
                "questionId": media.question_id,
                "kind": media.kind,
                "fileName": media.file_name,
                "contentType": media.content_type,
                "size": media.size,
                "durationSeconds": media.duration_seconds,
                "status": media.status,
                "transcript": media.transcript_text,
                "transcriptLanguage": media.transcript_language,
                "createdAt": media.created_at,
                "downloadUrl": link,
                "downloadUrlExpiresAt": utcnow() + link_ttl if link else None,
            }
        )
    return {"recordings": recordings}
