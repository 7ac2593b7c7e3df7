"""users: a pending request for HR access (an administrator approves it) and the candidate's choice to be
found by HR's candidate search (off until the candidate turns it on).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("hr_access_requested_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("users", sa.Column("discoverable", sa.Boolean, server_default=sa.false(), nullable=False))


def downgrade() -> None:
    op.drop_column("users", "discoverable")
    op.drop_column("users", "hr_access_requested_at")
