"""The answer to an erasure request: the erased person is e-mailed the report's signed link once, at the address
they had, and the address is not kept once the e-mail is sent. Delivered to the real Mailpit."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from kit.contracts.privacy import ErasureReportReady
from notifications import worker
from notifications.domain import Notification, NotificationStatus

from .conftest import envelope


async def test_the_erasure_report_is_mailed_once_with_its_signed_link_and_the_address_is_then_forgotten(
    apply: Any, worker_ctx: Any, mailpit: Any, settings: Any, sessions: Any
) -> None:
    erasure_id = uuid.uuid4()
    address = f"erased-{erasure_id.hex[:12]}@example.com"
    path = f"/privacy/erasure/{erasure_id}?token=signed.part"
    ready = envelope(
        ErasureReportReady(erasure_id=erasure_id, email=address, report_path=path, complete=True, waiting_for=[])
    )

    assert await apply(ready)
    assert not await apply(ready)  # redelivered: nothing more
    await worker.sweep_emails(worker_ctx)
    await worker.sweep_emails(worker_ctx)

    [summary] = await mailpit.wait_for(address)
    message = await mailpit.message(summary["ID"])
    assert message["Subject"] == "Your data has been erased"
    assert f"{settings.web_url}{path}" in message["Text"]
    assert "Every part of the platform has confirmed what it deleted." in message["Text"]
    async with sessions() as session:
        rows = (
            await session.scalars(select(Notification).where(Notification.recipient_id == f"erasure:{erasure_id}"))
        ).all()
        kept = await session.scalar(
            select(func.count()).select_from(Notification).where(Notification.recipient_email == address)
        )
    assert [(row.status, row.recipient_email) for row in rows] == [(NotificationStatus.SENT, None)]
    assert kept == 0


async def test_a_report_not_yet_complete_says_so_in_plain_words(apply: Any, worker_ctx: Any, mailpit: Any) -> None:
    erasure_id = uuid.uuid4()
    address = f"erased-{erasure_id.hex[:12]}@example.com"
    late = ErasureReportReady(
        erasure_id=erasure_id,
        email=address,
        report_path=f"/privacy/erasure/{erasure_id}?token=signed.part",
        complete=False,
        waiting_for=["media"],
    )

    await apply(envelope(late))
    await worker.sweep_emails(worker_ctx)

    [summary] = await mailpit.wait_for(address)
    text = (await mailpit.message(summary["ID"]))["Text"]
    assert "Not every part of the platform has confirmed yet." in text
    assert "media" not in text  # no internal names
