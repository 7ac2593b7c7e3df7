"""interviews: template versions (each publish freezes what candidates get; an invitation pins its version) and
HR's internal name for a template. Templates already published get version 1 from their current questions, and
their invitations pin it.

Revision ID: 0010
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("interview_templates", sa.Column("internal_name", sa.String(200)))
    op.create_table(
        "template_versions",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("template_id", sa.Uuid, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("settings", JSONB, nullable=False),
        sa.Column("questions", JSONB, nullable=False),
        sa.Column("published_by", sa.String(64), nullable=False),
        sa.Column("published_at", TS, nullable=False),
        sa.Column("questions_added", sa.Integer, nullable=False),
        sa.Column("questions_removed", sa.Integer, nullable=False),
        sa.Column("questions_edited", sa.Integer, nullable=False),
        sa.Column("details_changed", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_template_versions"),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["interview_templates.id"],
            name="fk_template_versions_template_id_interview_templates",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("template_id", "number", name="uq_template_versions_template_id"),
    )
    op.create_index("ix_template_versions_template_id", "template_versions", ["template_id"])
    op.add_column("invitations", sa.Column("template_version_id", sa.Uuid))
    op.create_foreign_key(
        "fk_invitations_template_version_id_template_versions",
        "invitations",
        "template_versions",
        ["template_version_id"],
        ["id"],
    )
    op.create_index("ix_invitations_template_version_id", "invitations", ["template_version_id"])
    # Every template that was ever published (active or archived) gets its questions as they are now as version 1.
    op.execute(
        """
        INSERT INTO template_versions (id, template_id, number, title, description, settings, questions,
            published_by, published_at, questions_added, questions_removed, questions_edited, details_changed)
        SELECT gen_random_uuid(), t.id, 1, t.title, t.description, t.settings,
            COALESCE((SELECT jsonb_agg(jsonb_build_object(
                'id', q.id::text, 'text', q.text, 'type', q.type, 'order', q.order_number,
                'time_limit', q.time_limit, 'think_time', q.think_time, 'required', q.required,
                'hints', q.hints, 'options', q.options,
                'created_at', to_char(q.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'))
                ORDER BY q.order_number) FROM questions q WHERE q.template_id = t.id), '[]'::jsonb),
            t.created_by, COALESCE(t.published_at, t.updated_at), 0, 0, 0, false
        FROM interview_templates t WHERE t.status <> 'draft'
        """
    )
    op.execute(
        """
        UPDATE invitations i SET template_version_id = v.id
        FROM template_versions v WHERE v.template_id = i.template_id
        """
    )


def downgrade() -> None:
    op.drop_index("ix_invitations_template_version_id", table_name="invitations")
    op.drop_constraint("fk_invitations_template_version_id_template_versions", "invitations", type_="foreignkey")
    op.drop_column("invitations", "template_version_id")
    op.drop_index("ix_template_versions_template_id", table_name="template_versions")
    op.drop_table("template_versions")
    op.drop_column("interview_templates", "internal_name")
