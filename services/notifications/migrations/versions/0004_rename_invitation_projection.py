"""notifications: the invitations projection gets a name of its own (the interviews service owns
`invitations`, and every service's models share the kit's metadata in a process that loads them all).

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.rename_table("invitations", "invitation_projections")
    op.execute("ALTER TABLE invitation_projections RENAME CONSTRAINT pk_invitations TO pk_invitation_projections")
    op.execute("ALTER INDEX ix_invitations_hr_user_id RENAME TO ix_invitation_projections_hr_user_id")
    op.execute("ALTER INDEX ix_invitations_due RENAME TO ix_invitation_projections_due")


def downgrade() -> None:
    op.execute("ALTER INDEX ix_invitation_projections_due RENAME TO ix_invitations_due")
    op.execute("ALTER INDEX ix_invitation_projections_hr_user_id RENAME TO ix_invitations_hr_user_id")
    op.execute("ALTER TABLE invitation_projections RENAME CONSTRAINT pk_invitation_projections TO pk_invitations")
    op.rename_table("invitation_projections", "invitations")
