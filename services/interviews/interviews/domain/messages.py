"""A company's saved messages to candidates ("Rejection — polite"), picked when deciding on one candidate or many.
A message may name the candidate, the role and the company by placeholders, filled in for each candidate."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from sqlalchemy import DateTime, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kit.db import Base
from kit.errors import Conflict, Invalid, NotFound

PLACEHOLDERS = ("candidateName", "role", "company")
_PLACEHOLDER = re.compile(r"\{(\w*)\}")


class MessageTemplate(Base):
    __tablename__ = "message_templates"
    __table_args__ = (UniqueConstraint("company_id", "name", name="uq_message_templates_company_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # The billed account of the HR users who share it (their company, or the user while they belong to none).
    company_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def check_placeholders(body: str) -> None:
    """Only the placeholders a message can be filled with: a typo would reach the candidate as written."""
    unknown = sorted({name for name in _PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})
    if unknown:
        allowed = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
        raise InvalidMessage(
            f"Unknown placeholder {', '.join(f'{{{u}}}' for u in unknown)}: use {allowed}",
            details=[
                {
                    "field": "body",
                    "location": "body",
                    "message": f"Unknown placeholder; use {allowed}",
                    "type": "value_error",
                }
            ],
        )


def render(template: MessageTemplate, *, candidate_name: str | None, role: str, company: str) -> str:
    values = {"candidateName": candidate_name or "there", "role": role, "company": company}
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template.body)


class InvalidMessage(Invalid):
    code = "VALIDATION_ERROR"


class MessageTemplateNotFound(NotFound):
    code = "MESSAGE_TEMPLATE_NOT_FOUND"


class DuplicateMessageName(Conflict):
    code = "DUPLICATE_MESSAGE_TEMPLATE"
