"""notifications: the invitations projection remembers whether reviewers rate blind to the AI, so the
analysis-ready message and the `analysis.completed` webhook leave the score out then.

Revision ID: 0005_blind_flag
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_blind_flag"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("invitation_projections", sa.Column("ai_blind", sa.Boolean(), nullable=True))


def downgrade() -> None:
    op.drop_column("invitation_projections", "ai_blind")
