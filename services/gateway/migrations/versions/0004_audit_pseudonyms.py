"""gateway: the audit trail names candidates, their interviews, recordings and share links only by pseudonym.

`audit_pseudonyms` maps each such id to a random pseudonym and a key (which encrypts the reasons written about
that interview); it is an ordinary mutable table, unlike `audit_events`. Erasing a person or an interview deletes
its mapping rows, and the audit rows that stay (append-only) then name no one: who did what, when, stays.

Revision ID: 0004_audit_pseudonyms
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_audit_pseudonyms"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_pseudonyms",
        sa.Column("pseudonym", sa.Uuid, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("real_id", sa.String(64), nullable=False),
        sa.Column("invitation_id", sa.String(64)),
        sa.Column("candidate_id", sa.String(64)),
        sa.Column("key", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("kind", "real_id", name="uq_audit_pseudonyms_kind_real_id"),
    )
    op.create_index("ix_audit_pseudonyms_invitation", "audit_pseudonyms", ["invitation_id"])
    op.create_index("ix_audit_pseudonyms_candidate", "audit_pseudonyms", ["candidate_id"])
    # The trail is read newest first by candidate, besides by interview (already indexed).
    op.create_index("ix_audit_events_candidate", "audit_events", ["candidate_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_candidate", "audit_events")
    op.drop_table("audit_pseudonyms")
