"""interviews: the candidate's consent to the AI-use notice (its version, the hash of the text they saw, when)
and their request for a human-only review, kept with the invitation.

Revision ID: 0011
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("invitations", sa.Column("consent_notice_version", sa.String(40)))
    op.add_column("invitations", sa.Column("consent_notice_hash", sa.String(64)))
    op.add_column("invitations", sa.Column("consent_accepted_at", sa.DateTime(timezone=True)))
    op.add_column(
        "invitations",
        sa.Column("human_review_requested", sa.Boolean, nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    for column in ("human_review_requested", "consent_accepted_at", "consent_notice_hash", "consent_notice_version"):
        op.drop_column("invitations", column)
