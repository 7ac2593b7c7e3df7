"""interviews: each scoring criterion's mean score (the review CSV's columns), a template's public apply link and
the requests made through it (for rate limits), a company's saved message templates, the company members a
review note may mention, and who a note already mentioned.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("invitations", sa.Column("analysis_criteria", postgresql.JSONB))
    op.create_table(
        "apply_links",
        sa.Column("template_id", sa.Uuid, nullable=False),
        sa.Column("nonce", sa.String(32), nullable=False),
        # The name applicants see, fixed when HR opened the link (their company's, or their own choice without one).
        sa.Column("company_name", sa.String(200), nullable=False),
        sa.Column("changed_by", sa.String(64), nullable=False),
        sa.Column("changed_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("template_id", name="pk_apply_links"),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["interview_templates.id"],
            name="fk_apply_links_template_id_interview_templates",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "apply_requests",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("template_id", sa.Uuid, nullable=False),
        sa.Column("email_hash", sa.String(64), nullable=False),
        sa.Column("ip_hash", sa.String(64), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_apply_requests"),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["interview_templates.id"],
            name="fk_apply_requests_template_id_interview_templates",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_apply_requests_ip", "apply_requests", ["ip_hash", "at"])
    op.create_index("ix_apply_requests_email", "apply_requests", ["email_hash", "at"])
    op.create_index("ix_apply_requests_template_id", "apply_requests", ["template_id"])
    op.create_table(
        "message_templates",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("company_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_message_templates"),
        sa.UniqueConstraint("company_id", "name", name="uq_message_templates_company_id"),
    )
    op.create_table(
        "company_members",
        sa.Column("company_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("company_id", "user_id", name="pk_company_members"),
    )
    op.add_column("reviews", sa.Column("mentions", sa.JSON, nullable=False, server_default="[]"))


def downgrade() -> None:
    op.drop_column("reviews", "mentions")
    op.drop_table("company_members")
    op.drop_table("message_templates")
    op.drop_table("apply_requests")
    op.drop_table("apply_links")
    op.drop_column("invitations", "analysis_criteria")
