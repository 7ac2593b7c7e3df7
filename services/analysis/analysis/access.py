"""Who may read or retry which analysis: each function compares the caller with the analysis the handler
loaded, and refuses with a 403."""

from __future__ import annotations

from analysis.domain import AnalysisResult, AnalysisRow, AnalysisStatusRow
from kit.auth import Principal
from kit.errors import Forbidden

# The aggregate, or a read's row of it: each names the candidate, the inviting HR user and the company.
Owned = AnalysisResult | AnalysisRow | AnalysisStatusRow


def may_review(caller: Principal, analysis: Owned) -> bool:
    """Admins see every analysis; HR those of invitations they sent and, as its hiring team, those of their
    company (the gateway resolves it from membership). The inviter is matched against the company id too,
    because the reference's `invitation.completed` carried the inviting HR user's id there."""
    same_company = caller.company_id is not None and caller.company_id.lower() == analysis.company_id
    return caller.has("admin") or (
        caller.has("hr") and (same_company or caller.user_id.lower() in (analysis.hr_user_id, analysis.company_id))
    )


def ensure_may_review(caller: Principal, analysis: Owned) -> None:
    if not may_review(caller, analysis):
        raise Forbidden("Only the HR user who sent the invitation, or an admin, can read its analysis")


def ensure_may_retry(caller: Principal, analysis: Owned) -> None:
    if not may_review(caller, analysis):
        raise Forbidden("Only the HR user who sent the invitation, or an admin, can retry its analysis")


def ensure_candidate_of(caller: Principal, analysis: Owned) -> None:
    if analysis.candidate_id != caller.user_id.lower():
        raise Forbidden("This analysis belongs to another candidate")


def ensure_may_follow(caller: Principal, analysis: Owned) -> None:
    """The status is for the analysis' candidate as well as its reviewers."""
    own_candidate = caller.has("candidate") and analysis.candidate_id == caller.user_id.lower()
    if not (own_candidate or may_review(caller, analysis)):
        raise Forbidden("This analysis belongs to another user")
