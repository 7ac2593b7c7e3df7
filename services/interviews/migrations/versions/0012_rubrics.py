"""interviews: rubrics (a template's scoring criteria, a question's own overriding them) and reviewers' ratings per
rubric criterion.

Revision ID: 0012
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0012"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("interview_templates", sa.Column("rubric", JSONB))
    op.add_column("questions", sa.Column("rubric", JSONB))
    op.add_column("reviews", sa.Column("criteria_ratings", sa.JSON, nullable=False, server_default="{}"))


def downgrade() -> None:
    op.drop_column("reviews", "criteria_ratings")
    op.drop_column("questions", "rubric")
    op.drop_column("interview_templates", "rubric")
