"""media: the web-playable rendition of a video whose original browsers cannot play.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("media_objects", sa.Column("rendition_status", sa.String(16)))
    op.add_column("media_objects", sa.Column("rendition_key", sa.String(300)))
    op.add_column("media_objects", sa.Column("rendition_progress", sa.Float()))
    op.add_column("media_objects", sa.Column("rendition_reason", sa.Text()))


def downgrade() -> None:
    for column in ("rendition_reason", "rendition_progress", "rendition_key", "rendition_status"):
        op.drop_column("media_objects", column)
