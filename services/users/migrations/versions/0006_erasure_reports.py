"""users: erasure reports. One row per erasure request (its id is the only identifier kept; the address the
report link goes to is held until that mail is sent, then cleared) and one per service's report of what it
erased, with counts only; the scope of a per-invitation report is kept as a digest, so no row names the erased
invitation.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erasure_reports",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("invitations", sa.Integer(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notify_email", sa.String(320), nullable=True),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "ix_erasure_reports_unsent", "erasure_reports", ["deadline_at"], postgresql_where=sa.text("notified_at IS NULL")
    )
    op.create_table(
        "erasure_report_entries",
        sa.Column("erasure_id", sa.Uuid(), sa.ForeignKey("erasure_reports.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("service", sa.String(40), primary_key=True),
        sa.Column("scope_digest", sa.String(64), primary_key=True),
        sa.Column("counts", JSONB(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("erasure_report_entries")
    op.drop_index("ix_erasure_reports_unsent", table_name="erasure_reports")
    op.drop_table("erasure_reports")
