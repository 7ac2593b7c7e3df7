"""users: candidates who applied to an account (invited by it), so that account's HR finds them in candidate
search whether or not they chose to be discoverable.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "candidate_applications",
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column(
            "candidate_id",
            sa.Uuid,
            sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_candidate_applications_candidate_id_users"),
            nullable=False,
        ),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "candidate_id", name="pk_candidate_applications"),
    )
    # The primary key serves search (by account); this serves a user's deletion (the cascade).
    op.create_index("ix_candidate_applications_candidate_id", "candidate_applications", ["candidate_id"])


def downgrade() -> None:
    op.drop_table("candidate_applications")
