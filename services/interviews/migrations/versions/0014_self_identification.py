"""interviews: candidates' voluntary self-identification (sex, race/ethnicity) for the adverse-impact report, in
its own table apart from the interview.

Revision ID: 0014
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0008"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "self_identifications",
        sa.Column("candidate_id", sa.String(64), nullable=False),
        sa.Column("sex", sa.String(40)),
        sa.Column("race_ethnicity", sa.String(60)),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("candidate_id", name="pk_self_identifications"),
    )


def downgrade() -> None:
    op.drop_table("self_identifications")
