"""Wire models of inviting by e-mail (one, a pasted list or a CSV's rows), the signed link and HR's care of a
sent invitation (resend, extend, reset, its audit)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from interviews.domain import InvitationStatus
from interviews.schemas import Text200, Text1000, UtcDatetime
from kit.schemas import Command, View

# The web parses a pasted list or a CSV into rows; each row's e-mail is checked here, so a bad one is reported
# on its row instead of refusing the whole list.
RawEmail = Annotated[str, StringConstraints(strip_whitespace=True, max_length=320)]
RowStatus = Literal["invited", "ready", "invalid_email", "duplicate", "already_invited", "over_quota"]
MAX_ROWS = 500


class Invitee(Command):
    email: RawEmail
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None


class BulkInvite(Command):
    template_id: uuid.UUID
    expires_at: UtcDatetime
    candidates: Annotated[list[Invitee], Field(min_length=1, max_length=MAX_ROWS)]
    company_name: Text200 | None = None
    hr_email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)] | None = None
    hr_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    # The preview: every row checked as for sending (bar the plan's quota, which only a reservation can tell),
    # nothing written.
    dry_run: bool = False


class RowResult(View):
    row: int
    email: str
    name: str | None = None
    status: RowStatus
    message: str | None = None
    invitation_id: uuid.UUID | None = None


class BulkInviteResult(View):
    invited: int
    refused: int
    rows: list[RowResult]


class JoinView(View):
    """What the signed link shows before sign-in: whose invitation, to what, until when."""

    invitation_id: uuid.UUID
    company_name: str
    template_title: str
    candidate_name: str | None = None
    # The address the invitation went to: the sign-up form is pre-filled with it (Keycloak's login_hint).
    candidate_email: str | None = None
    expires_at: datetime
    status: InvitationStatus
    claimed: bool


class InviteToken(Command):
    token: Annotated[str, StringConstraints(min_length=1, max_length=500)]


class ResendInvitation(Command):
    # A new link, when the old one may have reached the wrong person; the old one stops working.
    rotate_link: bool = False


class ExtendInvitation(Command):
    expires_at: UtcDatetime


class ResetInvitation(Command):
    reason: Text1000
    # HR confirms the candidate's answers are discarded.
    confirm: Literal[True]


class AuditEntry(View):
    action: str
    actor_id: str
    reason: str | None = None
    at: datetime
