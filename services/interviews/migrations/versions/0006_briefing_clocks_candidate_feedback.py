"""interviews: the briefing's first opening, think time per question, when each question was opened (its
answer clock) and what the candidate is told with the human decision.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Interviews started before the briefing existed count as briefed: their candidates are past it.
    op.add_column("invitations", sa.Column("opened_at", TS))
    op.execute("UPDATE invitations SET opened_at = started_at WHERE started_at IS NOT NULL")
    op.add_column("invitations", sa.Column("candidate_feedback", sa.Text))
    op.add_column("invitations", sa.Column("feedback_release_at", TS))

    op.add_column("questions", sa.Column("think_time", sa.Integer, nullable=False, server_default="0"))

    op.create_table(
        "question_openings",
        sa.Column("invitation_id", sa.Uuid, nullable=False),
        sa.Column("question_id", sa.Uuid, nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("invitation_id", "question_id", name="pk_question_openings"),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name="fk_question_openings_invitation_id_invitations",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("question_openings")
    op.drop_column("questions", "think_time")
    op.drop_column("invitations", "feedback_release_at")
    op.drop_column("invitations", "candidate_feedback")
    op.drop_column("invitations", "opened_at")
