"""interviews: the projection of the media service's objects, and how often a response was submitted.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "media_objects",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("invitation_id", sa.Uuid, nullable=False),
        sa.Column("question_id", sa.Uuid, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("event_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_media_objects"),
    )
    # Existing responses were each submitted once.
    op.add_column("responses", sa.Column("attempts", sa.Integer, nullable=False, server_default="1"))


def downgrade() -> None:
    op.drop_column("responses", "attempts")
    op.drop_table("media_objects")
