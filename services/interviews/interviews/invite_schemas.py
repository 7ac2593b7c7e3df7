"""Wire models of inviting by e-mail (one, a pasted list or a CSV's rows), the signed link, HR's care of a
sent invitation (resend, extend, reset, its audit) and a template's public apply link."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

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


# -- the public apply link --------------------------------------------------------------------------------------

# As loose as the bulk invitation's check (one @, a dot in the domain, no spaces): the e-mailed link is the real one.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


class ApplyLinkSettings(Command):
    """Open the template's apply link (or keep it open), rotate it (the old one stops working) or close it."""

    enabled: bool
    rotate: bool = False
    # For an HR user who belongs to no company: the name applicants see (a member's is their company's).
    company_name: Text200 | None = None


class ApplyLinkView(View):
    enabled: bool
    # The public page's token (`/apply/<token>`); None while the link is off.
    token: str | None = None
    company_name: str | None = None
    changed_at: datetime | None = None


class ApplyPage(View):
    """What the public apply page shows: who is hiring, for what, and how long the interview takes."""

    company_name: str
    template_title: str
    template_description: str
    questions: int
    # Seconds: every question's limit and think time, as the briefing counts it.
    expected_duration: int


class Apply(Command):
    token: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    email: RawEmail

    @field_validator("email")
    @classmethod
    def _an_address(cls, value: str) -> str:
        if not EMAIL_PATTERN.match(value):
            raise PydanticCustomError("email", "This is not a valid e-mail address")
        return value


class ApplyAccepted(View):
    # The same sentence whether or not the address was invited before: the page tells nobody who applied.
    message: str
