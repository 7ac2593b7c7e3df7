"""interviews: templates name their billed account, invitations may be cancelled, and the projection of the
users service's company names.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Templates created so far were billed to their creator, as invitations were.
    op.add_column("interview_templates", sa.Column("company_id", sa.String(64)))
    op.execute("UPDATE interview_templates SET company_id = created_by")
    op.alter_column("interview_templates", "company_id", nullable=False)
    op.create_index("ix_interview_templates_company_id", "interview_templates", ["company_id"])

    op.add_column("invitations", sa.Column("cancelled_at", TS))

    op.create_table(
        "known_companies",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("event_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_known_companies"),
    )


def downgrade() -> None:
    op.drop_table("known_companies")
    op.drop_column("invitations", "cancelled_at")
    op.drop_index("ix_interview_templates_company_id", "interview_templates")
    op.drop_column("interview_templates", "company_id")
