"""interviews: one head again after the hiring-workflow and trust branches (0009 invite care, 0010 template
versions, 0011 consent, 0012 rubrics, 0013 company retention, 0014 self-identification), which were written in
parallel on top of 0008 and touch different tables and columns. Nothing to change.

Revision ID: 0015
Revises: 0009, 0010, 0011, 0012, 0013, 0014
"""

revision = "0015"
down_revision = ("0009", "0010", "0011", "0012", "0013", "0014")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
