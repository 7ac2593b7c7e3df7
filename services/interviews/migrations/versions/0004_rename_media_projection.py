"""interviews: the media projection gets a name of its own (the media service owns `media_objects`).

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.rename_table("media_objects", "known_media")
    op.execute("ALTER TABLE known_media RENAME CONSTRAINT pk_media_objects TO pk_known_media")


def downgrade() -> None:
    op.execute("ALTER TABLE known_media RENAME CONSTRAINT pk_known_media TO pk_media_objects")
    op.rename_table("known_media", "media_objects")
