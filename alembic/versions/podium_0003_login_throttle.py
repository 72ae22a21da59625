"""Failed logins, counted per account and per client address (podium.accounts.throttle).

Revision ID: podium_0003
Revises: podium_0002
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "podium_0003"
down_revision = "podium_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "podium_login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=150), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_podium_login_failure")),
    )
    op.create_index("ix_podium_login_failure_login_failed_at", "podium_login_failure",
                    ["login", "failed_at"])
    op.create_index("ix_podium_login_failure_address_failed_at", "podium_login_failure",
                    ["address", "failed_at"])
    op.create_index("ix_podium_login_failure_failed_at", "podium_login_failure",
                    ["failed_at"])


def downgrade() -> None:
    op.drop_index("ix_podium_login_failure_failed_at", table_name="podium_login_failure")
    op.drop_index("ix_podium_login_failure_address_failed_at",
                  table_name="podium_login_failure")
    op.drop_index("ix_podium_login_failure_login_failed_at", table_name="podium_login_failure")
    op.drop_table("podium_login_failure")
