"""The candidate's clocks and what the candidate is told: when each question was opened (its answer clock
starts then, after its think time), the allowances a late-looking answer is judged with, and the template's
policy for the decision and feedback candidates see."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from kit.db import Base
from kit.errors import Conflict, Invalid


class QuestionOpening(Base):
    """The moment a candidate was shown a question: its think time and time limit count from here. A retake
    opens it again."""

    __tablename__ = "question_openings"

    invitation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True, slots=True)
class Allowances:
    """How late an answer may arrive and still count.

    `grace` covers the network between the candidate's last second and the server; `upload` is the extra time
    a recording (capped at the time limit by the recorder) may take to upload and be processed before its
    answer can be saved."""

    grace: timedelta = timedelta(seconds=10)
    upload: timedelta = timedelta(minutes=15)


class CandidateFeedback(StrEnum):
    """What a candidate learns once a human decided: nothing, the decision, or the decision with HR's words."""

    NONE = "none"
    DECISION = "decision"
    DECISION_AND_FEEDBACK = "decision_and_feedback"


# Templates made before the setting existed tell candidates the decision, as the product always did.
DEFAULT_CANDIDATE_FEEDBACK = CandidateFeedback.DECISION


class BriefingRequired(Conflict):
    """The clock starts only after the candidate has seen the briefing (what is timed, recorded and scored)."""

    code = "BRIEFING_REQUIRED"


class TimeLimitExceeded(Conflict):
    code = "TIME_LIMIT_EXCEEDED"


class TotalTimeLimitExceeded(Conflict):
    code = "TOTAL_TIME_LIMIT_EXCEEDED"


class FeedbackNotOffered(Invalid):
    code = "FEEDBACK_NOT_OFFERED"
