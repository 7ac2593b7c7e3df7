"""billing: subscriptions, usage items, applied Stripe events, quota notices, contacts.

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
        "subscriptions",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("company_id", sa.String(64), nullable=False),
        sa.Column("plan_type", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("stripe_customer_id", sa.String(255)),
        sa.Column("stripe_subscription_id", sa.String(255)),
        sa.Column("current_period_start", TS, nullable=False),
        sa.Column("current_period_end", TS, nullable=False),
        sa.Column("cancel_at_period_end", sa.Boolean, nullable=False),
        sa.Column("canceled_at", TS),
        sa.Column("trial_end", TS),
        sa.Column("past_due_since", TS),
        sa.Column("stripe_state_at", TS),
        sa.Column("billing_user_id", sa.String(64)),
        sa.Column("billing_email", sa.String(320)),
        sa.Column("account_name", sa.String(200)),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_subscriptions"),
        sa.UniqueConstraint("company_id", name="uq_subscriptions_company_id"),
    )
    for column in ("status", "stripe_customer_id", "stripe_subscription_id", "billing_user_id"):
        op.create_index(f"ix_subscriptions_{column}", "subscriptions", [column])

    op.create_table(
        "usage_items",
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column("company_id", sa.String(64), nullable=False),
        sa.Column("resource", sa.String(32), nullable=False),
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column("period", sa.String(7)),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_usage_items"),
        sa.UniqueConstraint("resource", "key", name="uq_usage_items_resource"),
    )
    op.create_index("ix_usage_items_account", "usage_items", ["company_id", "resource", "period"])
    op.create_index("ix_usage_items_reserved", "usage_items", ["status", "created_at"])

    op.create_table(
        "payment_events",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("stripe_event_id", sa.String(255), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("subscription_id", sa.Uuid),
        sa.Column("stripe_created", TS, nullable=False),
        sa.Column("data", postgresql.JSONB, nullable=False),
        sa.Column("processed_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payment_events"),
        sa.UniqueConstraint("stripe_event_id", name="uq_payment_events_stripe_event_id"),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name="fk_payment_events_subscription_id_subscriptions",
            ondelete="SET NULL",
        ),
    )

    op.create_table(
        "quota_notices",
        sa.Column("company_id", sa.String(64), nullable=False),
        sa.Column("resource", sa.String(32), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("company_id", "resource", "period", name="pk_quota_notices"),
    )

    op.create_table(
        "billing_contacts",
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_billing_contacts"),
    )


def downgrade() -> None:
    for table in ("billing_contacts", "quota_notices", "payment_events", "usage_items", "subscriptions"):
        op.drop_table(table)
