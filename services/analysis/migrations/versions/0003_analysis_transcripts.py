"""analysis: transcripts of recorded answers, the wait for them, and how many answers a score rests on.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STATUSES = "('waiting_for_transcripts', 'pending', 'in_progress', 'completed', 'failed')"


def upgrade() -> None:
    op.create_table(
        "transcripts",
        sa.Column("media_id", sa.String(255), nullable=False),
        sa.Column("invitation_id", sa.String(255), nullable=False),
        sa.Column("question_id", sa.String(255), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("text", sa.Text),
        sa.Column("language", sa.String(20)),
        sa.Column("segments", postgresql.JSONB, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("media_id", name="pk_transcripts"),
        sa.CheckConstraint("status IN ('completed', 'unavailable')", name="ck_transcripts_status"),
    )
    op.create_index("ix_transcripts_invitation_id", "transcripts", ["invitation_id"])
    op.add_column("analysis_results", sa.Column("scored_answers", sa.Integer))
    op.add_column("analysis_results", sa.Column("total_answers", sa.Integer))
    op.alter_column("analysis_results", "status", type_=sa.String(30))
    op.drop_constraint("ck_analysis_results_status", "analysis_results", type_="check")
    op.create_check_constraint("ck_analysis_results_status", "analysis_results", f"status IN {STATUSES}")


def downgrade() -> None:
    op.drop_constraint("ck_analysis_results_status", "analysis_results", type_="check")
    op.create_check_constraint(
        "ck_analysis_results_status", "analysis_results", "status IN ('pending', 'in_progress', 'completed', 'failed')"
    )
    op.alter_column("analysis_results", "status", type_=sa.String(20))
    op.drop_column("analysis_results", "total_answers")
    op.drop_column("analysis_results", "scored_answers")
    op.drop_table("transcripts")
