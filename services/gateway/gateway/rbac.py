"""Who may call which gateway route, as one declarative table keyed by (method, path
template). A route missing from the table is refused for everybody, and the RBAC matrix test fails."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """`public`: no identity needed. Otherwise an identity is required, and `roles` (when not empty)
    lists the roles allowed; an empty `roles` admits any authenticated user, `pending` included."""

    public: bool = False
    roles: frozenset[str] = frozenset()

    def allows(self, roles: frozenset[str]) -> bool:
        return self.public or not self.roles or bool(self.roles & roles)


PUBLIC = Rule(public=True)
ANY = Rule()


def roles(*names: str) -> Rule:
    return Rule(roles=frozenset(names))


ADMIN = roles("admin")
HR = roles("hr", "admin")
CANDIDATE = roles("candidate")
MEMBER = roles("candidate", "hr", "admin")

RULES: dict[tuple[str, str], Rule] = {
    # ops, docs
    ("GET", "/"): PUBLIC,
    ("GET", "/health"): PUBLIC,
    ("GET", "/ready"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    ("GET", "/health/live"): PUBLIC,
    ("GET", "/health/ready"): PUBLIC,
    ("GET", "/health/circuits"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/api/docs"): PUBLIC,
    ("GET", "/api/docs-json"): PUBLIC,
    ("GET", "/protected"): ANY,
    # auth
    ("GET", "/auth/login"): PUBLIC,
    ("GET", "/auth/register"): PUBLIC,
    ("GET", "/auth/callback"): PUBLIC,
    ("POST", "/auth/refresh"): PUBLIC,
    ("POST", "/auth/logout"): PUBLIC,
    ("GET", "/auth/jwks"): PUBLIC,
    ("GET", "/auth/me"): ANY,
    ("POST", "/auth/change-password"): ANY,
    # users / profile: any signed-in user, the users service checks ownership
    ("GET", "/api/users/me"): ANY,
    ("PUT", "/api/users/me"): ANY,
    ("POST", "/api/users/me/avatar"): ANY,
    ("DELETE", "/api/users/me/avatar"): ANY,
    ("POST", "/api/users/me/select-role"): ANY,
    ("PUT", "/api/users/me/experience-level"): CANDIDATE,
    ("GET", "/api/users/me/permissions"): ANY,
    ("GET", "/api/users/me/companies"): ANY,
    # privacy: a candidate's export and erasure of their data; the erasure report is read by its signed link
    ("GET", "/api/users/me/data-export"): CANDIDATE,
    ("POST", "/api/users/me/erasure"): CANDIDATE,
    ("GET", "/api/privacy/erasure-reports/{erasure_id}"): PUBLIC,
    ("GET", "/api/retention"): HR,
    ("PUT", "/api/retention"): HR,
    ("GET", "/api/me/skills"): CANDIDATE,
    ("POST", "/api/me/skills"): CANDIDATE,
    ("PUT", "/api/me/skills/{skill_id}"): CANDIDATE,
    ("DELETE", "/api/me/skills/{skill_id}"): CANDIDATE,
    ("GET", "/api/skills"): MEMBER,
    ("GET", "/api/skills/categories"): ANY,
    # HR
    ("GET", "/api/hr/candidates/search"): HR,
    ("POST", "/api/hr/companies"): HR,
    ("GET", "/api/hr/companies"): HR,
    ("GET", "/api/hr/companies/{company_id}"): HR,
    ("PUT", "/api/hr/companies/{company_id}"): HR,
    ("DELETE", "/api/hr/companies/{company_id}"): HR,
    ("GET", "/api/hr/companies/{company_id}/members"): HR,
    ("POST", "/api/hr/companies/{company_id}/members"): HR,
    ("DELETE", "/api/hr/companies/{company_id}/members/{user_id}"): HR,
    # admin: admin only, never public (user management must not be open to anyone signed in)
    ("POST", "/api/admin/users"): ADMIN,
    ("GET", "/api/admin/users"): ADMIN,
    ("GET", "/api/admin/users/stats"): ADMIN,
    ("GET", "/api/admin/users/{user_id}"): ADMIN,
    ("PUT", "/api/admin/users/{user_id}"): ADMIN,
    ("DELETE", "/api/admin/users/{user_id}"): ADMIN,
    ("POST", "/api/admin/users/{user_id}/suspend"): ADMIN,
    ("POST", "/api/admin/users/{user_id}/activate"): ADMIN,
    ("POST", "/api/admin/users/{user_id}/verify-email"): ADMIN,
    ("GET", "/api/admin/roles"): ADMIN,
    ("GET", "/api/admin/users/{user_id}/roles"): ADMIN,
    ("POST", "/api/admin/users/{user_id}/roles"): ADMIN,
    ("DELETE", "/api/admin/users/{user_id}/roles/{role_name}"): ADMIN,
    ("POST", "/api/admin/skills"): ADMIN,
    ("GET", "/api/admin/skills"): ADMIN,
    ("GET", "/api/admin/skills/{skill_id}"): ADMIN,
    ("PUT", "/api/admin/skills/{skill_id}"): ADMIN,
    ("DELETE", "/api/admin/skills/{skill_id}"): ADMIN,
    ("POST", "/api/admin/skills/{skill_id}/toggle"): ADMIN,
    ("POST", "/api/admin/skills/{skill_id}/activate"): ADMIN,
    ("POST", "/api/admin/skills/{skill_id}/deactivate"): ADMIN,
    # interviews: HR builds and invites, candidates take; the service checks ownership
    ("POST", "/api/templates"): HR,
    ("GET", "/api/templates"): HR,
    ("GET", "/api/templates/{template_id}"): HR,
    ("PUT", "/api/templates/{template_id}"): HR,
    ("DELETE", "/api/templates/{template_id}"): HR,
    ("PUT", "/api/templates/{template_id}/publish"): HR,
    ("POST", "/api/templates/{template_id}/questions"): HR,
    ("GET", "/api/templates/{template_id}/questions"): HR,
    ("DELETE", "/api/templates/{template_id}/questions/{question_id}"): HR,
    ("PATCH", "/api/templates/{template_id}/questions/reorder"): HR,
    ("PATCH", "/api/templates/{template_id}/questions/{question_id}"): HR,
    ("POST", "/api/templates/{template_id}/revise"): HR,
    ("GET", "/api/templates/{template_id}/versions"): HR,
    # Rubrics and the calibration view of a template.
    ("GET", "/api/templates/{template_id}/rubric"): HR,
    ("PUT", "/api/templates/{template_id}/rubric"): HR,
    ("PUT", "/api/templates/{template_id}/questions/{question_id}/rubric"): HR,
    ("GET", "/api/templates/{template_id}/calibration"): HR,
    ("POST", "/api/invitations"): HR,
    ("POST", "/api/invitations/{invitation_id}/briefing"): CANDIDATE,
    ("POST", "/api/invitations/{invitation_id}/questions/{question_id}/open"): CANDIDATE,
    ("POST", "/api/invitations/{invitation_id}/start"): CANDIDATE,
    ("POST", "/api/invitations/{invitation_id}/responses"): CANDIDATE,
    ("POST", "/api/invitations/{invitation_id}/complete"): CANDIDATE,
    ("POST", "/api/invitations/{invitation_id}/heartbeat"): CANDIDATE,
    ("POST", "/api/invitations/{invitation_id}/approve"): HR,
    ("POST", "/api/invitations/{invitation_id}/reject"): HR,
    ("POST", "/api/invitations/{invitation_id}/cancel"): HR,
    ("GET", "/api/invitations/candidate"): CANDIDATE,
    ("GET", "/api/invitations/hr"): HR,
    ("GET", "/api/invitations/{invitation_id}"): MEMBER,
    # team review: HR of the interview's company (checked by the service) and admins
    ("GET", "/api/reviews"): HR,
    ("POST", "/api/reviews/stage"): HR,
    ("GET", "/api/reviews/templates/{template_id}/export.csv"): HR,
    ("GET", "/api/reviews/{invitation_id}"): HR,
    ("PUT", "/api/reviews/{invitation_id}/mine"): HR,
    ("POST", "/api/reviews/{invitation_id}/mine/submit"): HR,
    ("POST", "/api/reviews/{invitation_id}/share-links"): HR,
    ("GET", "/api/reviews/{invitation_id}/share-links"): HR,
    ("DELETE", "/api/reviews/{invitation_id}/share-links/{link_id}"): HR,
    # a share link opened without signing in: the signed, expiring, revocable token is checked by the service
    ("GET", "/api/shared"): PUBLIC,
    # inviting people without an account: the link is public (its signed token is checked by the service); any
    # signed-in account may claim, the service checks its verified e-mail
    ("POST", "/api/invites/bulk"): HR,
    ("GET", "/api/invites/join"): PUBLIC,
    ("POST", "/api/invites/claim"): ANY,
    ("POST", "/api/users/me/verify-email"): ANY,
    ("POST", "/api/invitations/{invitation_id}/resend"): HR,
    ("POST", "/api/invitations/{invitation_id}/extend"): HR,
    ("POST", "/api/invitations/{invitation_id}/reset"): HR,
    ("GET", "/api/invitations/{invitation_id}/audit"): HR,
    # a template's public apply link: HR opens, rotates or closes it; anyone with its signed token sees the role
    # and applies (the service checks the token, rate-limits per address and e-mail, and replies alike to all)
    ("GET", "/api/invites/apply-links/{template_id}"): HR,
    ("PUT", "/api/invites/apply-links/{template_id}"): HR,
    ("GET", "/api/invites/apply"): PUBLIC,
    ("POST", "/api/invites/apply"): PUBLIC,
    # a company's saved messages to candidates (decisions): the company is resolved from membership
    ("GET", "/api/message-templates"): HR,
    ("POST", "/api/message-templates"): HR,
    ("PUT", "/api/message-templates/{message_id}"): HR,
    ("DELETE", "/api/message-templates/{message_id}"): HR,
    # fairness: self-identification is the candidate's own; the report is HR's (their company) and admins'
    ("GET", "/api/self-identification"): CANDIDATE,
    ("PUT", "/api/self-identification"): CANDIDATE,
    ("DELETE", "/api/self-identification"): CANDIDATE,
    ("GET", "/api/fairness/report"): HR,
    ("GET", "/api/fairness/report.csv"): HR,
    # analysis
    ("GET", "/api/analysis/{invitation_id}"): HR,
    ("GET", "/api/analysis/status/{invitation_id}"): MEMBER,
    # the candidate's answers explained on the rubric, once their company shares it (gateway.analysis_api)
    ("GET", "/api/invitations/{invitation_id}/explanation"): CANDIDATE,
    # the audit trail: HR reads their company's rows, admins every row (gateway.audit_api)
    ("GET", "/api/hr/audit"): HR,
    ("GET", "/api/hr/audit.csv"): HR,
    # media: uploads by candidates (answers) and HR (question images)
    ("POST", "/api/media/upload/initiate"): MEMBER,
    ("POST", "/api/media/upload/confirm"): MEMBER,
    ("POST", "/api/media/upload/abort"): MEMBER,
    ("GET", "/api/media"): MEMBER,
    ("GET", "/api/media/{media_id}"): MEMBER,
    ("DELETE", "/api/media/{media_id}"): MEMBER,
    ("GET", "/api/media/{media_id}/stream"): MEMBER,
    ("GET", "/api/media/{media_id}/download"): MEMBER,
    ("GET", "/api/media/{media_id}/status"): MEMBER,
    ("GET", "/api/media/{media_id}/transcription"): MEMBER,
    ("GET", "/api/media/{media_id}/thumbnail"): MEMBER,
    ("GET", "/api/media/{media_id}/parts"): MEMBER,
    # billing: the company comes from membership, never from the client
    ("GET", "/api/billing/plans"): PUBLIC,
    ("GET", "/api/billing/subscription"): HR,
    ("POST", "/api/billing/checkout"): HR,
    ("POST", "/api/billing/portal"): HR,
    ("POST", "/api/billing/cancel"): HR,
    ("POST", "/api/billing/resume"): HR,
    ("GET", "/api/billing/usage"): HR,
    ("GET", "/api/billing/invoices"): HR,
    # verified by the billing service on the raw body with Stripe's signature
    ("POST", "/api/billing/webhooks/stripe"): PUBLIC,
    ("GET", "/api/admin/billing/accounts"): ADMIN,
    # analytics: HR sees its own company only (the service compares companyId with the forwarded company)
    ("GET", "/api/analytics/overview"): HR,
    ("GET", "/api/analytics/funnel"): HR,
    ("GET", "/api/analytics/questions"): HR,
    ("GET", "/api/analytics/scores"): HR,
    ("GET", "/api/analytics/notifications"): HR,
    ("GET", "/api/admin/analytics/usage"): ADMIN,
    # notifications: everyone sees only their own
    ("GET", "/api/notifications"): ANY,
    ("GET", "/api/notifications/unread-count"): ANY,
    ("POST", "/api/notifications/{notification_id}/read"): ANY,
    ("GET", "/api/notifications/stream"): ANY,
    ("POST", "/api/notifications/read-all"): ANY,
    ("GET", "/api/notification-preferences"): ANY,
    ("PUT", "/api/notification-preferences"): ANY,
    # opened from an e-mail without signing in: the signed, expiring token is checked by the service
    ("GET", "/api/notifications/unsubscribe"): PUBLIC,
    ("POST", "/api/notifications/unsubscribe"): PUBLIC,
    # webhooks: HR of the endpoint's company (checked by the service) and admins
    ("POST", "/api/webhooks"): HR,
    ("GET", "/api/webhooks/company/{company_id}"): HR,
    ("DELETE", "/api/webhooks/{webhook_id}"): HR,
    ("POST", "/api/webhooks/{webhook_id}/rotate-secret"): HR,
    ("POST", "/api/webhooks/{webhook_id}/test"): HR,
    ("GET", "/api/webhooks/{webhook_id}/deliveries"): HR,
    ("POST", "/api/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"): HR,
}
