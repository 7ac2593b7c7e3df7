"""interviews: inviting people without an account: the e-mail link's nonce, when an account claimed the
invitation, and the audit of HR's steps on an invitation.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("invitations", sa.Column("link_nonce", sa.String(32)))
    op.add_column("invitations", sa.Column("claimed_at", TS))
    # "Already invited?" is asked by e-mail for each row of a bulk invitation.
    op.create_index(
        "ix_invitations_template_email", "invitations", ["template_id", sa.text("lower(candidate_email)")]
    )
    op.create_table(
        "invitation_audit",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("invitation_id", sa.Uuid, nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_invitation_audit"),
        sa.ForeignKeyConstraint(
            ["invitation_id"], ["invitations.id"], name="fk_invitation_audit_invitation_id_invitations", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_invitation_audit_invitation_id", "invitation_audit", ["invitation_id"])


def downgrade() -> None:
    op.drop_table("invitation_audit")
    op.drop_index("ix_invitations_template_email", "invitations")
    op.drop_column("invitations", "claimed_at")
    op.drop_column("invitations", "link_nonce")
