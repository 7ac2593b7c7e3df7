"""Routes of a company's saved messages to candidates (HR). Like `api`: roles on the route, one transaction, a
view after COMMIT."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from interviews import messages
from interviews.api import HrCaller, Now
from interviews.message_schemas import MessageTemplateView, SaveMessageTemplate
from kit.db import ReadSession, Sessions, transaction

router = APIRouter(prefix="/api/message-templates", tags=["message templates"])


@router.get("")
async def list_messages(caller: HrCaller, session: ReadSession) -> list[MessageTemplateView]:
    """The company's saved messages to candidates, by name."""
    return await messages.list_messages(session, caller=caller)


@router.post("", status_code=201)
async def create_message(cmd: SaveMessageTemplate, caller: HrCaller, db: Sessions, now: Now) -> MessageTemplateView:
    """Save a message ({candidateName}, {role} and {company} are filled in for each candidate)."""
    async with transaction(db) as session:
        view = await messages.create_message(session, cmd, caller=caller, now=now)
    return view


@router.put("/{message_id}")
async def update_message(
    message_id: uuid.UUID, cmd: SaveMessageTemplate, caller: HrCaller, db: Sessions, now: Now
) -> MessageTemplateView:
    """Rename or rewrite a saved message."""
    async with transaction(db) as session:
        view = await messages.update_message(session, message_id, cmd, caller=caller, now=now)
    return view


@router.delete("/{message_id}", status_code=204)
async def delete_message(message_id: uuid.UUID, caller: HrCaller, db: Sessions) -> Response:
    """Delete a saved message (decisions already sent keep their words)."""
    async with transaction(db) as session:
        await messages.delete_message(session, message_id, caller=caller)
    return Response(status_code=204)
