"""interviews: templates, questions, invitations, responses.

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

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "interview_templates",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("settings", postgresql.JSONB, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("published_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_interview_templates"),
    )
    op.create_index("ix_interview_templates_created_by", "interview_templates", ["created_by"])
    op.create_index("ix_interview_templates_status", "interview_templates", ["status"])
    op.create_index("ix_interview_templates_created_at", "interview_templates", ["created_at"])

    op.create_table(
        "questions",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("template_id", sa.Uuid, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("type", sa.String(30), nullable=False),
        sa.Column("order_number", sa.Integer, nullable=False),
        sa.Column("time_limit", sa.Integer, nullable=False),
        sa.Column("required", sa.Boolean, nullable=False),
        sa.Column("hints", sa.Text),
        sa.Column("options", postgresql.JSONB),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_questions"),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["interview_templates.id"],
            name="fk_questions_template_id_interview_templates",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "template_id", "order_number", name="uq_questions_template_id", deferrable=True, initially="DEFERRED"
        ),
    )

    op.create_table(
        "invitations",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("template_id", sa.Uuid, nullable=False),
        sa.Column("candidate_id", sa.String(64), nullable=False),
        sa.Column("company_id", sa.String(64), nullable=False),
        sa.Column("company_name", sa.String(200), nullable=False),
        sa.Column("invited_by", sa.String(64), nullable=False),
        sa.Column("candidate_email", sa.String(255)),
        sa.Column("candidate_name", sa.String(200)),
        sa.Column("hr_email", sa.String(255)),
        sa.Column("hr_name", sa.String(200)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("allow_pause", sa.Boolean, nullable=False),
        sa.Column("show_timer", sa.Boolean, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("started_at", TS),
        sa.Column("completed_at", TS),
        sa.Column("last_activity_at", TS),
        sa.Column("completed_reason", sa.String(20)),
        sa.Column("total_questions", sa.Integer, nullable=False),
        sa.Column("analysis_id", sa.String(64)),
        sa.Column("analysis_status", sa.String(20)),
        sa.Column("analysis_score", sa.Integer),
        sa.Column("analysis_recommendation", sa.String(20)),
        sa.Column("analysis_completed_at", TS),
        sa.Column("analysis_error_message", sa.Text),
        sa.Column("analysis_event_at", TS),
        sa.Column("decision", sa.String(20)),
        sa.Column("decision_at", TS),
        sa.Column("decision_by", sa.String(64)),
        sa.Column("decision_note", sa.Text),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_invitations"),
        sa.ForeignKeyConstraint(
            ["template_id"], ["interview_templates.id"], name="fk_invitations_template_id_interview_templates"
        ),
        sa.UniqueConstraint("candidate_id", "template_id", name="uq_invitations_candidate_id"),
    )
    for column in ("template_id", "candidate_id", "invited_by", "status", "analysis_status", "decision"):
        op.create_index(f"ix_invitations_{column}", "invitations", [column])
    op.create_index("ix_invitations_created_at", "invitations", ["created_at"])
    op.create_index("ix_invitations_due", "invitations", ["status", "expires_at"])

    op.create_table(
        "responses",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("invitation_id", sa.Uuid, nullable=False),
        sa.Column("question_id", sa.Uuid, nullable=False),
        sa.Column("question_index", sa.Integer, nullable=False),
        sa.Column("question_text", sa.Text, nullable=False),
        sa.Column("response_type", sa.String(20), nullable=False),
        sa.Column("text_answer", sa.Text),
        sa.Column("code_answer", sa.Text),
        sa.Column("video_url", sa.Text),
        sa.Column("selected_option_id", sa.String(64)),
        sa.Column("media_id", sa.Uuid),
        sa.Column("duration", sa.Integer, nullable=False),
        sa.Column("submitted_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_responses"),
        sa.ForeignKeyConstraint(
            ["invitation_id"], ["invitations.id"], name="fk_responses_invitation_id_invitations", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("invitation_id", "question_id", name="uq_responses_invitation_id"),
    )
    op.create_index("ix_responses_invitation_id", "responses", ["invitation_id"])


def downgrade() -> None:
    op.drop_table("responses")
    op.drop_table("invitations")
    op.drop_table("questions")
    op.drop_table("interview_templates")
