"""Who may touch which media object. Each function compares the caller with what the handler loaded and
refuses; a caller who may not see an object gets the same 404 as for a missing one, so ids leak nothing."""

from __future__ import annotations

import uuid

from kit.auth import Principal
from kit.errors import Forbidden, NotFound
from media.domain import InterviewCompleted, InvitationNotFound, InvitationRef, MediaObject, MediaRow


def _not_found(media_id: uuid.UUID) -> NotFound:
    return NotFound(f"Media {media_id} not found")


def ensure_may_upload_to(caller: Principal, invitation: InvitationRef | None) -> None:
    """Only the invited candidate uploads answers, to an invitation `invitation.created` announced and whose
    interview is not completed yet (interviews checks the question when the answer is submitted)."""
    if invitation is None:
        raise InvitationNotFound("This interview invitation was not found")
    if invitation.candidate_id != caller.user_id:
        raise Forbidden("This invitation belongs to another candidate")
    if invitation.completed_at is not None:
        raise InterviewCompleted("This interview is completed; no more answers can be uploaded")


def ensure_uploader(caller: Principal, media: MediaObject | None, media_id: uuid.UUID) -> MediaObject:
    """Only the uploader acts on an upload session (confirm, abort, resume)."""
    if media is None or media.owner_id != caller.user_id:
        raise _not_found(media_id)
    return media


def ensure_may_delete(
    caller: Principal, media: MediaObject | None, invitation: InvitationRef | None, media_id: uuid.UUID
) -> MediaObject:
    """The uploader deletes a recording until the interview is completed; an admin at any time."""
    if media is None or not (media.owner_id == caller.user_id or caller.has("admin")):
        raise _not_found(media_id)
    if not caller.has("admin") and invitation is not None and invitation.completed_at is not None:
        raise InterviewCompleted("This interview is completed; its recordings can no longer be deleted")
    return media


def ensure_may_see(caller: Principal, media: MediaRow | None, media_id: uuid.UUID) -> MediaRow:
    """The uploader, an admin, or the HR of the invitation: its inviting HR or a member of its company, as
    `invitation.created` told media."""
    if media is not None and (
        media.owner_id == caller.user_id
        or caller.has("admin")
        or (
            caller.has("hr")
            and media.invitation_hr_user_id is not None
            and (
                media.invitation_hr_user_id == caller.user_id
                or (caller.company_id is not None and media.invitation_company_id == caller.company_id)
            )
        )
    ):
        return media
    raise _not_found(media_id)
