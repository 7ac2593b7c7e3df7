"""Whose analytics a caller may read: HR their billed account's only, admins any company's or all."""

from __future__ import annotations

from kit.auth import Principal
from kit.errors import Forbidden


class OtherCompany(Forbidden):
    code = "ANALYTICS_OTHER_COMPANY"


def company_scope(caller: Principal, requested: str | None) -> str | None:
    """The company whose invitations the caller reads; None is every company (admins only)."""
    if caller.has("admin"):
        return requested
    if requested is not None and requested != caller.account_id:
        raise OtherCompany("You can see your own company's analytics only.")
    return caller.account_id
