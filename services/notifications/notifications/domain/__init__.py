"""The aggregates of the notifications service, one module each: notifications, preferences, and the
projections of users and invitations. Every public name is re-exported here, so `from notifications.domain
import X` does not depend on the split (migrations/env.py imports this package for the metadata)."""

from notifications.domain.notifications import (
    DUE_STATUSES,
    SWITCHABLE,
    Channel,
    InvalidNotification,
    Notification,
    NotificationNotFound,
    NotificationStatus,
    Template,
)
from notifications.domain.preferences import Preferences, UnknownSubscription
from notifications.domain.projections import FINISHED, InvitationStatus, InvitationView, Recipient
from notifications.domain.unsubscribe import InvalidUnsubscribeToken, UnsubscribeToken

__all__ = [
    "DUE_STATUSES",
    "FINISHED",
    "SWITCHABLE",
    "Channel",
    "InvalidNotification",
    "InvalidUnsubscribeToken",
    "InvitationStatus",
    "InvitationView",
    "Notification",
    "NotificationNotFound",
    "NotificationStatus",
    "Preferences",
    "Recipient",
    "Template",
    "UnknownSubscription",
    "UnsubscribeToken",
]
