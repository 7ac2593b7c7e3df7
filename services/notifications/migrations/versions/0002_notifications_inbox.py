"""notifications: the notifications themselves, each user's preferences, and the projections of users and
invitations the triggers read their recipients from.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("seq", sa.BigInteger, sa.Identity(always=True), nullable=False),
        sa.Column("recipient_id", sa.String(64), nullable=False),
        sa.Column("recipient_email", sa.String(255)),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("template", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("data", postgresql.JSONB, nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("link", sa.String(2000)),
        sa.Column("locale", sa.String(10), nullable=False),
        sa.Column("event_id", sa.String(64)),
        sa.Column("event_type", sa.String(100)),
        sa.Column("read_at", TS),
        sa.Column("sent_at", TS),
        sa.Column("next_attempt_at", TS),
        sa.Column("error", sa.Text),
        sa.Column("retry_count", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
        sa.UniqueConstraint("seq", name="uq_notifications_seq"),
        sa.UniqueConstraint("event_id", "template", "recipient_id", "channel", name="uq_notifications_event_id"),
    )
    op.create_index("ix_notifications_recipient", "notifications", ["recipient_id", "channel", "seq"])
    op.create_index("ix_notifications_due", "notifications", ["status", "next_attempt_at"])

    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("email_enabled", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("in_app_enabled", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("subscriptions", postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_notification_preferences"),
    )

    op.create_table(
        "recipients",
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("email", sa.String(255)),
        sa.Column("first_name", sa.String(100)),
        sa.Column("last_name", sa.String(100)),
        sa.Column("role", sa.String(20)),
        sa.Column("language", sa.String(10), nullable=False, server_default="en"),
        sa.Column("timezone", sa.String(64), nullable=False, server_default="UTC"),
        sa.Column("company_id", sa.String(64)),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_recipients"),
    )

    op.create_table(
        "invitations",
        sa.Column("invitation_id", sa.String(64), nullable=False),
        sa.Column("candidate_id", sa.String(64), nullable=False),
        sa.Column("hr_user_id", sa.String(64), nullable=False),
        sa.Column("template_id", sa.String(64)),
        sa.Column("template_title", sa.String(200)),
        sa.Column("company_id", sa.String(64)),
        sa.Column("company_name", sa.String(200)),
        sa.Column("expires_at", TS),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_at", TS),
        sa.Column("completed_at", TS),
        sa.Column("decided_at", TS),
        sa.Column("reminder_24h_sent_at", TS),
        sa.Column("reminder_2h_sent_at", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("invitation_id", name="pk_invitations"),
    )
    op.create_index("ix_invitations_hr_user_id", "invitations", ["hr_user_id"])
    op.create_index("ix_invitations_due", "invitations", ["status", "expires_at"])


def downgrade() -> None:
    op.drop_table("invitations")
    op.drop_table("recipients")
    op.drop_table("notification_preferences")
    op.drop_table("notifications")
