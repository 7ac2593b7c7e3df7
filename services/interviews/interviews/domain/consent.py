"""The AI-use notice a candidate reads on the briefing, and their consent to it.

Before an interview starts the candidate is told who is hiring, that their answers are recorded and scored by AI
and on which criteria, that a person decides, how long the data is kept and how to ask for a human-only review or
another process. Starting requires accepting that notice. The text is versioned: `NOTICE_VERSION` names its
wording, and the hash of the text as rendered for this invitation (company, criteria, retention, contact) is kept
with the acceptance, so what a candidate agreed to can be shown later exactly."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kit.errors import Conflict

if TYPE_CHECKING:
    from interviews.domain.invitations import Invitation

# Changed whenever the notice's wording changes: an acceptance of an older wording is refused (NOTICE_OUTDATED).
NOTICE_VERSION = "2026-12-05"

# What the analysis scores an answer on when the template has no rubric of its own.
DEFAULT_CRITERIA = ("relevance", "completeness", "clarity", "depth")


class ConsentRequired(Conflict):
    code = "CONSENT_REQUIRED"


class NoticeOutdated(Conflict):
    code = "NOTICE_OUTDATED"


@dataclass(frozen=True, slots=True)
class Notice:
    """The notice as rendered for one invitation; `paragraphs` is the English text that is hashed."""

    company_name: str
    role: str
    criteria: tuple[str, ...]
    retention_days: int | None
    contact_email: str | None
    version: str = NOTICE_VERSION

    @property
    def paragraphs(self) -> list[str]:
        company = self.company_name
        if self.retention_days is not None:
            kept = (
                f"Your answers, recordings and their scores are kept for {self.retention_days} days after "
                "the decision, then deleted."
            )
        else:
            kept = (
                f"Your answers, recordings and their scores are kept until {company} deletes them or you ask for "
                "them to be deleted from your privacy page."
            )
        contact = f"write to {self.contact_email}" if self.contact_email else f"reply to {company}'s invitation"
        return [
            f"{company} is hiring for {self.role} and asks you to answer these questions.",
            "Your answers are recorded. An AI transcribes and scores them on these criteria: "
            f"{', '.join(self.criteria)}.",
            f"The AI does not decide. A person at {company} reviews your answers and makes the decision.",
            kept,
            "You may ask for a human-only review: people score your answers without seeing the AI's scores. "
            f"To ask for another way of applying instead of this interview, {contact}.",
        ]

    @property
    def text_hash(self) -> str:
        rendered = "\n".join([self.version, *self.paragraphs])
        return hashlib.sha256(rendered.encode()).hexdigest()


def rubric_criteria(rubric: Any) -> tuple[str, ...]:
    """The criterion names of a template's rubric, `{criteria: [{name}]}` or `[{name}]`; none without one."""
    items: Iterable[Any] = rubric.get("criteria") or () if isinstance(rubric, dict) else rubric or ()
    names = [str(item.get("name")) for item in items if isinstance(item, dict) and item.get("name")]
    return tuple(names)


def notice_for(invitation: Invitation, *, retention_days: int | None = None) -> Notice:
    template = invitation.template
    # The template's rubric and any question's own name the criteria scored, each once, in order.
    named = [*rubric_criteria(template.rubric), *(c for q in template.questions for c in rubric_criteria(q.rubric))]
    return Notice(
        company_name=invitation.company_name,
        role=template.title,
        criteria=tuple(dict.fromkeys(named)) or DEFAULT_CRITERIA,
        retention_days=retention_days,
        contact_email=invitation.hr_email,
    )


def check_acceptance(notice: Notice, version: str, text_hash: str | None) -> None:
    """The candidate accepted the notice they were shown: its version, and its text when they send its hash."""
    if version != notice.version or (text_hash is not None and text_hash != notice.text_hash):
        raise NoticeOutdated("The notice has changed since it was shown: read it again and accept the current one")
