"""A company's saved messages to candidates: any HR user of the company lists, adds, edits and deletes them (a
user without a company keeps their own). Like `commands`: load, check, change, leave the commit to the route."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from interviews.domain.messages import (
    DuplicateMessageName,
    MessageTemplate,
    MessageTemplateNotFound,
    check_placeholders,
)
from interviews.message_schemas import MessageTemplateView, SaveMessageTemplate
from kit.auth import Principal


def _view(message: MessageTemplate) -> MessageTemplateView:
    return MessageTemplateView.model_validate(message)


async def list_messages(session: AsyncSession, *, caller: Principal) -> list[MessageTemplateView]:
    found = await session.scalars(
        select(MessageTemplate).where(MessageTemplate.company_id == caller.account_id).order_by(MessageTemplate.name)
    )
    return [_view(m) for m in found]


async def company_message(session: AsyncSession, message_id: uuid.UUID, *, caller: Principal) -> MessageTemplate:
    """The caller's company's message; another company's is simply not found."""
    message = await session.get(MessageTemplate, message_id)
    if message is None or message.company_id != caller.account_id:
        raise MessageTemplateNotFound("This saved message does not exist.")
    return message


async def _check_name(session: AsyncSession, name: str, company_id: str, *, other_than: uuid.UUID | None) -> None:
    query = select(MessageTemplate.id).where(
        MessageTemplate.company_id == company_id, func.lower(MessageTemplate.name) == name.lower()
    )
    if other_than is not None:
        query = query.where(MessageTemplate.id != other_than)
    if await session.scalar(query) is not None:
        raise DuplicateMessageName(f"Your company already has a saved message named “{name}”.")


async def create_message(
    session: AsyncSession, cmd: SaveMessageTemplate, *, caller: Principal, now: datetime
) -> MessageTemplateView:
    check_placeholders(cmd.body)
    await _check_name(session, cmd.name, caller.account_id, other_than=None)
    message = MessageTemplate(
        id=uuid.uuid4(),
        company_id=caller.account_id,
        name=cmd.name,
        body=cmd.body,
        created_by=caller.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(message)
    return _view(message)


async def update_message(
    session: AsyncSession, message_id: uuid.UUID, cmd: SaveMessageTemplate, *, caller: Principal, now: datetime
) -> MessageTemplateView:
    message = await company_message(session, message_id, caller=caller)
    check_placeholders(cmd.body)
    await _check_name(session, cmd.name, caller.account_id, other_than=message.id)
    message.name, message.body, message.updated_at = cmd.name, cmd.body, now
    return _view(message)


async def delete_message(session: AsyncSession, message_id: uuid.UUID, *, caller: Principal) -> None:
    await session.delete(await company_message(session, message_id, caller=caller))
