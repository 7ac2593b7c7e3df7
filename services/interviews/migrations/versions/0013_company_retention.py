"""interviews: per-company retention. A company (the billed account) may have its candidates' data erased a set
number of days after the decision; no row means off (the default).

Revision ID: 0013
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "company_retention",
        sa.Column("company_id", sa.String(64), primary_key=True),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("retention_days BETWEEN 1 AND 3650", name="ck_company_retention_days"),
    )
    # The retention job's scan: decided invitations of one company, oldest decision first.
    op.create_index("ix_invitations_company_decided", "invitations", ["company_id", "decision_at"])


def downgrade() -> None:
    op.drop_index("ix_invitations_company_decided", table_name="invitations")
    op.drop_table("company_retention")
