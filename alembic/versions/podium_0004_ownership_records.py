"""What each branch owns, recorded while its code is installed (podium.store.ownership_records).

``podium db upgrade`` and ``downgrade`` write the tables and the applied
revisions of every branch, so that ``podium db forget`` can clean up after a
plugin whose code is gone.

Revision ID: podium_0004
Revises: podium_0003
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "podium_0004"
down_revision = "podium_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "podium_branch_table",
        sa.Column("branch", sa.String(length=100), nullable=False),
        sa.Column("table_name", sa.String(length=255), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("branch", "table_name", name=op.f("pk_podium_branch_table")),
    )
    op.create_table(
        "podium_branch_revision",
        sa.Column("branch", sa.String(length=100), nullable=False),
        sa.Column("revision", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("branch", "revision", name=op.f("pk_podium_branch_revision")),
    )


def downgrade() -> None:
    op.drop_table("podium_branch_revision")
    op.drop_table("podium_branch_table")
