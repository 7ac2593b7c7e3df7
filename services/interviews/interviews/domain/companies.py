"""What this service knows of the users service's companies, projected from `company.*` events: an HR user who
belongs to a company invites in that company's name, never in a name of their own choosing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from kit.db import Base
from kit.errors import Conflict, Invalid, ServiceUnavailable


class KnownCompany(Base):
    """A company's current name; a deleted one is kept (flagged) so a late update cannot bring it back."""

    __tablename__ = "known_companies"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the event applied last occurred: an older one delivered late does not overwrite it.
    event_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CompanyMember(Base):
    """Who belongs to a company's hiring team (its creator and the members added), projected from `company.*`
    events: only they can be mentioned in the company's review notes."""

    __tablename__ = "company_members"

    company_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)


def invitation_company_name(company_id: str | None, company: KnownCompany | None, given: str | None) -> str:
    """The company name an invitation carries. A member of a company invites in its name (sending another name is
    refused: candidates must not be misled about who invites them); an HR user without a company names
    themselves."""
    if company_id is None:
        if given is None:
            raise CompanyNameMismatch(
                "A company name is required",
                details=[_field_error("A company name is required when you belong to no company", "missing")],
            )
        return given
    if company is None and given is not None:
        # A company created a moment ago may not have reached this service yet. Its creator chose its name freely,
        # so this window lends no name the inviter could not have given their company anyway; refusing would only
        # fail the first invitation of every new company.
        return given
    if company is None:
        raise CompanyNotYetKnown(
            "Your company's details have not reached the interview service yet; try again in a minute",
            headers={"Retry-After": "30"},
        )
    if company.deleted:
        raise CompanyDeleted("Your company has been deleted; it can no longer send invitations")
    if given is not None and given.casefold() != company.name.strip().casefold():
        raise CompanyNameMismatch(
            "The company name must be your own company's",
            details=[_field_error(f"Invitations are sent in the name of your company, {company.name}", "mismatch")],
        )
    return company.name


def _field_error(message: str, kind: str) -> dict[str, str]:
    # The shape of the kit's request validation details, so clients show it beside the field.
    return {"field": "companyName", "location": "body", "message": message, "type": kind}


class CompanyNameMismatch(Invalid):
    code = "VALIDATION_ERROR"


class CompanyNotYetKnown(ServiceUnavailable):
    code = "COMPANY_NOT_YET_KNOWN"


class CompanyDeleted(Conflict):
    code = "COMPANY_DELETED"
