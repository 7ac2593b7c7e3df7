"""Who may touch which notification: each check compares the caller with a loaded notification. Role checks
are not here: every signed-in user has an inbox and preferences of their own."""

from __future__ import annotations

from kit.auth import Principal
from notifications.domain import Notification, NotificationNotFound


def check_recipient(caller: Principal, notification: Notification) -> None:
    """A notification is its recipient's alone; another user's is answered as missing, so ids are not probed."""
    if notification.recipient_id != caller.user_id:
        raise NotificationNotFound("This notification was not found; it may have been deleted")
