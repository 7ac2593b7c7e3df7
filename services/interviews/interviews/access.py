"""Who may touch which resource: each check compares the caller with a loaded template or invitation. Role
checks ("is this an HR user?") are not here: they sit on the routes."""

from __future__ import annotations

from interviews.domain import Invitation, Template
from kit.auth import Principal
from kit.errors import Forbidden


class TemplateUnauthorized(Forbidden):
    code = "TEMPLATE_UNAUTHORIZED"


class InvitationAccessDenied(Forbidden):
    code = "INVITATION_ACCESS_DENIED"


def owner_scope(caller: Principal) -> str | None:
    """Whose templates and invitations a listing shows: the caller's own, or everyone's (None) for an admin."""
    return None if caller.has("admin") else caller.user_id


def check_template_owner(caller: Principal, template: Template) -> None:
    """A template is its creator's to read and change; an admin's too."""
    if not caller.has("admin") and template.created_by != caller.user_id:
        raise TemplateUnauthorized("You can only access your own templates")


def check_may_invite_to(caller: Principal, template: Template) -> None:
    """Only the template's creator (or an admin) invites candidates to it."""
    if not caller.has("admin") and template.created_by != caller.user_id:
        raise TemplateUnauthorized("You can only invite to your own templates")


def check_invitation_reader(caller: Principal, invitation: Invitation) -> None:
    """An invitation is visible to its candidate, to the HR user who sent it, to its company's hiring team (team
    review) and to admins."""
    if not (is_invited_candidate(caller, invitation) or is_on_hiring_team(caller, invitation)):
        raise InvitationAccessDenied("You can only access your own invitations")


def is_invited_candidate(caller: Principal, invitation: Invitation) -> bool:
    return invitation.candidate_id == caller.user_id


def check_candidate(caller: Principal, invitation: Invitation) -> None:
    """Only the invited candidate takes the interview: starts, answers, keeps it alive and completes it (an
    admin included; the reference let anyone force an `auto_timeout` completion)."""
    if not is_invited_candidate(caller, invitation):
        raise InvitationAccessDenied("Only the invited candidate can do this")


def check_inviter(caller: Principal, invitation: Invitation) -> None:
    """The decision on a completed interview is the inviting HR user's, or an admin's."""
    if not caller.has("admin") and invitation.invited_by != caller.user_id:
        raise InvitationAccessDenied("Only the inviting HR user or an admin can do this")


def sees_candidate_view(caller: Principal, invitation: Invitation) -> bool:
    """The invited candidate reads their interview without the AI's analysis and sees the decision only as
    released (an admin reads everything)."""
    return is_invited_candidate(caller, invitation) and not caller.has("admin")


def reveals_answers(caller: Principal, invitation: Invitation) -> bool:
    """Which options are correct is not the candidate's to see (their inviter and admins see it)."""
    return not is_invited_candidate(caller, invitation) or caller.has("admin")


def is_on_hiring_team(caller: Principal, invitation: Invitation) -> bool:
    """The inviter, any HR member of the company the invitation is billed to (the gateway resolves the caller's
    company from membership), and admins."""
    same_company = caller.company_id is not None and caller.company_id == invitation.company_id
    return caller.has("admin") or invitation.invited_by == caller.user_id or (same_company and caller.has("hr"))


def check_team_reviewer(caller: Principal, invitation: Invitation) -> None:
    """A completed interview is reviewed by its company's hiring team."""
    if not is_on_hiring_team(caller, invitation):
        raise InvitationAccessDenied("Only your company's hiring team can review this interview")


def team_scope(caller: Principal) -> str | None:
    """Whose interviews a review list shows: the caller's billed account's (their company's, or their own while
    they belong to none), or everyone's (None) for an admin."""
    return None if caller.has("admin") else caller.account_id


class FairnessScopeDenied(Forbidden):
    code = "FAIRNESS_SCOPE_DENIED"


def fairness_scope(caller: Principal, company_id: str | None) -> str | None:
    """Whose decisions an adverse-impact report counts: an HR user's own company (their billed account) and no
    other; an admin's any company named, or every company (None)."""
    if caller.has("admin"):
        return company_id
    if company_id is not None and company_id != caller.account_id:
        raise FairnessScopeDenied("You can only see your own company's adverse-impact report")
    return caller.account_id
