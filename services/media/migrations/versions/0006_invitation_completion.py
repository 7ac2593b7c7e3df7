"""media: when an invitation's interview was completed, after which its recordings are fixed.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("invitation_access", sa.Column("completed_at", sa.DateTime(timezone=True)))
    # The open-session limit counts a candidate's uploads in progress.
    op.create_index(
        "ix_media_objects_open_uploads",
        "media_objects",
        ["owner_id"],
        postgresql_where=sa.text("status = 'uploading'"),
    )


def downgrade() -> None:
    op.drop_index("ix_media_objects_open_uploads", table_name="media_objects")
    op.drop_column("invitation_access", "completed_at")
