"""Limits on what one candidate can make media do: uploads only to an invitation media knows, a bounded number
of open upload sessions, and recordings that stay once the interview is completed."""

from __future__ import annotations

import asyncio
import uuid

from media.settings import Settings
from media.storage import Storage

from .conftest import Clips, Invitation, StackFactory, identity


async def test_an_upload_to_an_invitation_media_never_heard_of_is_refused(
    run_stack: StackFactory, settings: Settings, clips: Clips
) -> None:
    stack = await run_stack(settings)
    unknown = Invitation(
        str(uuid.uuid4()), identity(str(uuid.uuid4()), "candidate"), identity("hr", "hr"), str(uuid.uuid4())
    )
    refused = await stack.initiate(unknown.candidate, unknown, clips.video)
    assert refused.status_code == 404 and refused.json()["code"] == "INVITATION_NOT_FOUND"
    assert refused.json()["success"] is False
    # Only this candidate's rows: other suites (the browser journey) may have committed recordings of their own.
    owner = unknown.candidate["x-user-id"]
    assert await stack.scalar("SELECT count(*) FROM media_objects WHERE owner_id = :owner", owner=owner) == 0


async def test_a_candidate_holds_at_most_the_configured_number_of_open_upload_sessions(
    run_stack: StackFactory, settings: Settings, clips: Clips
) -> None:
    stack = await run_stack(settings, max_open_uploads=2)
    invitation = await stack.invitation()
    first = (await stack.initiate(invitation.candidate, invitation, clips.video)).json()
    assert (await stack.initiate(invitation.candidate, invitation, clips.video)).status_code == 201

    third = await stack.initiate(invitation.candidate, invitation, clips.video)
    assert third.status_code == 409 and third.json()["code"] == "TOO_MANY_OPEN_UPLOADS"
    assert third.json()["details"] == {"openUploads": 2, "maximum": 2}
    assert await stack.scalar("SELECT count(*) FROM media_objects WHERE status = 'uploading'") == 2

    # Another candidate is not held back by this one's sessions.
    other = await stack.invitation()
    assert (await stack.initiate(other.candidate, other, clips.video)).status_code == 201
    # Finishing or giving up a session frees its place.
    await stack.client.post(
        "/api/v1/media/upload/abort", headers=invitation.candidate, json={"mediaId": first["mediaId"]}
    )
    assert (await stack.initiate(invitation.candidate, invitation, clips.video)).status_code == 201


async def test_concurrent_initiates_open_no_more_sessions_than_the_limit(
    run_stack: StackFactory, settings: Settings, clips: Clips
) -> None:
    stack = await run_stack(settings, max_open_uploads=2)
    invitation = await stack.invitation()
    answers = await asyncio.gather(*(stack.initiate(invitation.candidate, invitation, clips.video) for _ in range(5)))
    assert sorted(a.status_code for a in answers) == [201, 201, 409, 409, 409]
    assert await stack.scalar("SELECT count(*) FROM media_objects WHERE status = 'uploading'") == 2


async def test_a_candidate_cannot_delete_or_add_recordings_once_the_interview_is_completed(
    run_stack: StackFactory, settings: Settings, clips: Clips, storage: Storage
) -> None:
    stack = await run_stack(settings)
    invitation = await stack.invitation()
    media_id = await stack.upload(invitation.candidate, invitation, clips.video)
    await stack.settled(invitation.candidate, media_id)
    await stack.complete(invitation)

    refused = await stack.client.delete(f"/api/v1/media/{media_id}", headers=invitation.candidate)
    assert refused.status_code == 409 and refused.json()["code"] == "INTERVIEW_COMPLETED"
    key = await stack.scalar("SELECT object_key FROM media_objects WHERE id = :id", id=media_id)
    assert await storage.size(key) == len(clips.video.data)
    assert await stack.scalar("SELECT status FROM media_objects WHERE id = :id", id=media_id) == "ready"
    late = await stack.initiate(invitation.candidate, invitation, clips.video)
    assert late.status_code == 409 and late.json()["code"] == "INTERVIEW_COMPLETED"

    # An admin still erases it (a deletion request under data-protection law is not the candidate's own say).
    erased = await stack.client.delete(f"/api/v1/media/{media_id}", headers=identity(str(uuid.uuid4()), "admin"))
    assert erased.status_code == 204
    assert await storage.size(key) is None
