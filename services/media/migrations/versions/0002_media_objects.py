"""media: media_objects (uploads, probe results, transcripts) and the invitations projection.

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
        "invitations",
        sa.Column("invitation_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("candidate_id", sa.String(), nullable=False),
        sa.Column("hr_user_id", sa.String(), nullable=False),
        sa.Column("company_id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("invitation_id", name="pk_invitations"),
    )
    op.create_table(
        "media_objects",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("owner_id", sa.String(), nullable=False),
        sa.Column("invitation_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("question_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("declared_size", sa.BigInteger(), nullable=False),
        sa.Column("size", sa.BigInteger()),
        sa.Column("object_key", sa.String(300), nullable=False),
        sa.Column("upload_mode", sa.String(12), nullable=False),
        sa.Column("upload_id", sa.String(300)),
        sa.Column("part_size", sa.BigInteger()),
        sa.Column("part_count", sa.Integer()),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reject_reason", sa.Text()),
        sa.Column("probe", postgresql.JSONB()),
        sa.Column("duration_seconds", sa.Float()),
        sa.Column("transcript_status", sa.String(16), nullable=False),
        sa.Column("transcript_text", sa.Text()),
        sa.Column("transcript_language", sa.String(32)),
        sa.Column("transcript_segments", postgresql.JSONB()),
        sa.Column("transcript_model", sa.String(100)),
        sa.Column("transcript_reason", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_media_objects"),
    )
    op.create_index("ix_media_objects_owner_id", "media_objects", ["owner_id"])
    op.create_index("ix_media_objects_invitation_id", "media_objects", ["invitation_id"])
    # The sweep looks for work left in these states.
    op.create_index(
        "ix_media_objects_unfinished",
        "media_objects",
        ["updated_at"],
        postgresql_where=sa.text("status = 'processing' OR (status = 'ready' AND transcript_status = 'pending')"),
    )


def downgrade() -> None:
    op.drop_table("media_objects")
    op.drop_table("invitations")
