"""analysis: analysis_results and question_analyses.

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


def upgrade() -> None:
    op.create_table(
        "analysis_results",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("invitation_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("candidate_id", sa.String(255)),
        sa.Column("template_id", sa.String(255)),
        sa.Column("template_title", sa.String(500), nullable=False),
        sa.Column("company_name", sa.String(255), nullable=False),
        sa.Column("company_id", sa.String(255)),
        sa.Column("hr_user_id", sa.String(255)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("overall_score", sa.Integer),
        sa.Column("summary", sa.Text),
        sa.Column("strengths", postgresql.JSONB, nullable=False),
        sa.Column("weaknesses", postgresql.JSONB, nullable=False),
        sa.Column("recommendation", sa.String(20)),
        sa.Column("error_message", sa.Text),
        sa.Column("engine", sa.String(20)),
        sa.Column("model_used", sa.String(100)),
        sa.Column("prompt_version", sa.String(20)),
        sa.Column("prompt_tokens", sa.Integer, nullable=False),
        sa.Column("completion_tokens", sa.Integer, nullable=False),
        sa.Column("total_tokens_used", sa.Integer, nullable=False),
        sa.Column("processing_time_ms", sa.Integer, nullable=False),
        sa.Column("language", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("job_id", sa.String(200)),
        sa.Column("source_event_data", postgresql.JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_analysis_results"),
        sa.UniqueConstraint("invitation_id", name="uq_analysis_results_invitation_id"),
        sa.CheckConstraint(
            "status IN ('pending', 'in_progress', 'completed', 'failed')", name="ck_analysis_results_status"
        ),
        sa.CheckConstraint(
            "recommendation IS NULL OR recommendation IN ('hire', 'consider', 'reject')",
            name="ck_analysis_results_recommendation",
        ),
    )
    op.create_index("ix_analysis_results_candidate_id", "analysis_results", ["candidate_id"])
    op.create_index("ix_analysis_results_hr_user_id", "analysis_results", ["hr_user_id"])
    op.create_index("ix_analysis_results_status", "analysis_results", ["status"])
    op.create_index("ix_analysis_results_created_at", "analysis_results", ["created_at"])
    op.create_table(
        "question_analyses",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("analysis_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("question_id", sa.String(255), nullable=False),
        sa.Column("question_text", sa.Text, nullable=False),
        sa.Column("question_type", sa.String(30), nullable=False),
        sa.Column("response_text", sa.Text),
        sa.Column("score", sa.Integer),
        sa.Column("feedback", sa.Text, nullable=False),
        sa.Column("criteria_scores", postgresql.JSONB, nullable=False),
        sa.Column("is_correct", sa.Boolean),
        sa.Column("tokens_used", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_question_analyses"),
        sa.ForeignKeyConstraint(
            ["analysis_id"],
            ["analysis_results.id"],
            name="fk_question_analyses_analysis_id_analysis_results",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_question_analyses_analysis_id", "question_analyses", ["analysis_id"])


def downgrade() -> None:
    op.drop_table("question_analyses")
    op.drop_table("analysis_results")
