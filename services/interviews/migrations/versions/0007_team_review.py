"""interviews: team review (each reviewer's ratings and private note), the candidate's stage before the decision,
and read-only share links with their view log.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _invitation_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["invitation_id"], ["invitations.id"], name=f"fk_{table}_invitation_id_invitations", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "candidate_stages",
        sa.Column("invitation_id", sa.Uuid, nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("changed_by", sa.String(64), nullable=False),
        sa.Column("changed_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("invitation_id", name="pk_candidate_stages"),
        _invitation_fk("candidate_stages"),
    )
    op.create_index("ix_candidate_stages_stage", "candidate_stages", ["stage"])
    op.create_table(
        "reviews",
        sa.Column("invitation_id", sa.Uuid, nullable=False),
        sa.Column("reviewer_id", sa.String(64), nullable=False),
        sa.Column("ratings", sa.JSON, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("submitted_at", TS),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("invitation_id", "reviewer_id", name="pk_reviews"),
        _invitation_fk("reviews"),
    )
    op.create_table(
        "share_links",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("invitation_id", sa.Uuid, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("revoked_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_share_links"),
        _invitation_fk("share_links"),
    )
    op.create_index("ix_share_links_invitation_id", "share_links", ["invitation_id"])
    op.create_table(
        "share_views",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("share_link_id", sa.Uuid, nullable=False),
        sa.Column("viewed_at", TS, nullable=False),
        sa.Column("ip_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_share_views"),
        sa.ForeignKeyConstraint(
            ["share_link_id"], ["share_links.id"], name="fk_share_views_share_link_id_share_links", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_share_views_link", "share_views", ["share_link_id", "viewed_at"])


def downgrade() -> None:
    op.drop_table("share_views")
    op.drop_table("share_links")
    op.drop_table("reviews")
    op.drop_table("candidate_stages")
