"""Wire models of a company's saved messages to candidates."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import StringConstraints

from kit.schemas import Command, View

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
# As long as the written feedback a decision carries.
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class SaveMessageTemplate(Command):
    name: Name
    body: Body


class MessageTemplateView(View):
    id: uuid.UUID
    name: str
    body: str
    created_by: str
    updated_at: datetime
