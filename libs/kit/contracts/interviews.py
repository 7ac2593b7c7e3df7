"""Events the interviews service publishes on `interview-events`, with the reference's names and payloads.

Payload fields are camelCase on the wire. Additions to the reference are additive: `invitation.completed`
carries each question's options with their `isCorrect` flags and each response's `selectedOptionId`/`mediaId`
(so multiple-choice answers can be scored by correctness), plus `companyId`, HR and candidate contacts;
`invitation.expired` is new (the reference's expiry emitted nothing), and so is `invitation.cancelled` (HR withdrew
a pending invitation: billing releases its quota slot), and so is `invitation.opened` (first view of the briefing),
and so are `invitation.resent`, `.claimed`, `.extended` and `.reset` (inviting people without an account).
`template.created` gained `companyId`, the billed account."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from kit.domain import IntegrationEvent

TOPIC = "interview-events"


class InterviewEvent(IntegrationEvent):
    model_config = ConfigDict(frozen=True, populate_by_name=True, alias_generator=to_camel)

    TOPIC: ClassVar[str] = TOPIC


class Part(BaseModel):
    """A nested payload object (camelCase on the wire)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, alias_generator=to_camel)


class TemplateCreated(InterviewEvent):
    TYPE: ClassVar[str] = "template.created"

    template_id: str
    title: str
    description: str
    created_by: str
    status: str = "draft"
    # The billed account (the creator's company, else the creator); absent from events written before it existed.
    company_id: str | None = None


class TemplateUpdated(InterviewEvent):
    TYPE: ClassVar[str] = "template.updated"

    template_id: str
    updated_at: datetime


class TemplatePublished(InterviewEvent):
    TYPE: ClassVar[str] = "template.published"

    template_id: str
    title: str
    questions_count: int
    published_at: datetime


class TemplateDeleted(InterviewEvent):
    """The reference's name for archiving (DELETE /templates/:id archives, it never deletes)."""

    TYPE: ClassVar[str] = "template.deleted"

    template_id: str


class TemplateQuestionAdded(InterviewEvent):
    TYPE: ClassVar[str] = "template.question.added"

    template_id: str
    question_id: str
    question_text: str
    question_type: str
    order: int


class TemplateQuestionUpdated(InterviewEvent):
    TYPE: ClassVar[str] = "template.question.updated"

    template_id: str
    question_id: str


class TemplateQuestionRemoved(InterviewEvent):
    TYPE: ClassVar[str] = "template.question.removed"

    template_id: str
    question_id: str


class TemplateQuestionsReordered(InterviewEvent):
    TYPE: ClassVar[str] = "template.questions.reordered"

    template_id: str
    question_ids: list[str]


class InvitationCreated(InterviewEvent):
    TYPE: ClassVar[str] = "invitation.created"

    invitation_id: str
    template_id: str
    template_title: str
    candidate_id: str
    company_id: str
    company_name: str
    invited_by: str
    expires_at: datetime
    candidate_email: str | None = None
    candidate_name: str | None = None
    hr_email: str | None = None
    hr_name: str | None = None
    # Set for a person invited by e-mail who has no account yet: the signed link (a path on the web app) the
    # e-mail carries; `candidateId` is then a stand-in no account has, until the candidate claims the invitation.
    join_link: str | None = None


class InvitationOpened(InterviewEvent):
    """The candidate opened the invitation's briefing for the first time (new: the funnel's "opened" step)."""

    TYPE: ClassVar[str] = "invitation.opened"

    invitation_id: str
    template_id: str
    candidate_id: str
    company_id: str
    opened_at: datetime


class InvitationStarted(InterviewEvent):
    TYPE: ClassVar[str] = "invitation.started"

    invitation_id: str
    candidate_id: str
    started_at: datetime
    candidate_name: str | None = None
    hr_user_id: str
    hr_email: str | None = None


class InvitationResponseSubmitted(InterviewEvent):
    TYPE: ClassVar[str] = "invitation.response.submitted"

    invitation_id: str
    question_id: str
    response_type: str


class OptionSnapshot(Part):
    id: str
    text: str
    is_correct: bool


class CriterionSnapshot(Part):
    """One criterion of the rubric a question is scored on: its weight and what a good and a poor answer are."""

    name: str
    weight: float
    good: str
    poor: str


class QuestionSnapshot(Part):
    id: str
    text: str
    type: str
    order: int
    # `order` again, under the name the reference's analysis service read (its producer sent only `order`).
    order_index: int
    time_limit: int
    required: bool
    hints: str | None = None
    options: list[OptionSnapshot] | None = None
    # The question's rubric (its own, else its template's); absent: the analysis scores its generic criteria.
    rubric: list[CriterionSnapshot] | None = None


class ResponseSnapshot(Part):
    id: str
    question_id: str
    response_type: str
    # The text, code or chosen option's text: what the reference's analysis reads.
    text_answer: str | None = None
    selected_option_id: str | None = None
    media_id: str | None = None
    duration: int


class InvitationCompleted(InterviewEvent):
    TYPE: ClassVar[str] = "invitation.completed"

    invitation_id: str
    candidate_id: str
    company_id: str
    template_id: str
    template_title: str
    company_name: str
    completed_at: datetime
    completed_reason: str
    language: str
    questions: list[QuestionSnapshot]
    responses: list[ResponseSnapshot]
    hr_user_id: str
    hr_email: str | None = None
    hr_name: str | None = None
    candidate_name: str | None = None
    candidate_email: str | None = None
    response_count: int
    # Reviewers rate blind to the AI (the template is `blindToAi`, or the candidate asked for a human-only review):
    # whoever hears of the analysis must not be shown its score. Absent from events written before it existed.
    ai_blind: bool | None = None


class InvitationExpired(InterviewEvent):
    TYPE: ClassVar[str] = "invitation.expired"

    invitation_id: str
    candidate_id: str
    template_id: str
    hr_user_id: str
    company_id: str
    previous_status: str
    expired_at: datetime
    candidate_email: str | None = None
    hr_email: str | None = None


class InvitationCancelled(InterviewEvent):
    """HR withdrew an invitation before the candidate started it."""

    TYPE: ClassVar[str] = "invitation.cancelled"

    invitation_id: str
    company_id: str
    candidate_id: str
    cancelled_at: datetime
    candidate_email: str | None = None
    candidate_name: str | None = None
    template_title: str


class _Decision(InterviewEvent):
    invitation_id: str
    candidate_id: str
    candidate_email: str | None = None
    candidate_name: str | None = None
    template_id: str
    template_title: str
    company_name: str
    # The deciding user (an admin when an admin decides), as in the reference.
    hr_user_id: str
    hr_email: str | None = None
    hr_name: str | None = None
    note: str | None = None
    decided_at: datetime


class CandidateApproved(_Decision):
    TYPE: ClassVar[str] = "candidate.approved"


class CandidateRejected(_Decision):
    TYPE: ClassVar[str] = "candidate.rejected"


class InvitationResent(InterviewEvent):
    """HR sent the invitation e-mail again (the link rotated when `joinLink` differs from the last one)."""

    TYPE: ClassVar[str] = "invitation.resent"

    invitation_id: str
    candidate_id: str
    template_title: str
    company_name: str
    expires_at: datetime
    candidate_email: str | None = None
    candidate_name: str | None = None
    join_link: str | None = None


class InvitationClaimed(InterviewEvent):
    """A person invited by e-mail signed in with that verified e-mail: the invitation is now their account's."""

    TYPE: ClassVar[str] = "invitation.claimed"

    invitation_id: str
    candidate_id: str
    claimed_at: datetime
    # The billed account that invited them (as on invitation.created), so the users service can record the
    # application under the claiming account; absent on events recorded before it was added.
    company_id: str | None = None


class InvitationExtended(InterviewEvent):
    """HR moved the invitation's deadline; an expired invitation nobody started is open again."""

    TYPE: ClassVar[str] = "invitation.extended"

    invitation_id: str
    candidate_id: str
    expires_at: datetime
    status: str
    candidate_email: str | None = None
    # An unclaimed invitation's link, signed for the new deadline (the old one ends at the old deadline).
    join_link: str | None = None


class InvitationReset(InterviewEvent):
    """HR confirmed a technical failure: the answers are discarded and the candidate starts again."""

    TYPE: ClassVar[str] = "invitation.reset"

    invitation_id: str
    candidate_id: str
    reset_by: str
    reason: str
    reset_at: datetime


class ReviewMentioned(InterviewEvent):
    """A reviewer's saved note mentions teammates (members of the interview's company), each told once."""

    TYPE: ClassVar[str] = "review.mentioned"

    invitation_id: str
    company_id: str
    author_id: str
    mentioned_user_ids: list[str]
    candidate_name: str | None = None
    template_title: str
    mentioned_at: datetime
