"""media: rename `invitations` to `invitation_access` (the fleet shares one SQLAlchemy metadata in a
process, and the interviews service already maps a table named `invitations`).

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.rename_table("invitations", "invitation_access")
    op.execute("ALTER TABLE invitation_access RENAME CONSTRAINT pk_invitations TO pk_invitation_access")


def downgrade() -> None:
    op.execute("ALTER TABLE invitation_access RENAME CONSTRAINT pk_invitation_access TO pk_invitations")
    op.rename_table("invitation_access", "invitations")
