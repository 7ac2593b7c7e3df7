"""media: the object key of a video's thumbnail.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("media_objects", sa.Column("thumbnail_key", sa.String(300)))


def downgrade() -> None:
    op.drop_column("media_objects", "thumbnail_key")
