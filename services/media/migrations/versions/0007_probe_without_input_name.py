"""media: stored probes no longer keep ffprobe's input name, which used to be a presigned URL of the object.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE media_objects SET probe = probe #- '{format,filename}' WHERE probe -> 'format' ? 'filename'")


def downgrade() -> None:
    """The names are gone for good; nothing reads them."""
