"""The audit log of the admin console and the account commands
(podium.admin.audit): who, what, when, from where.

Revision ID: podium_0006
Revises: podium_0005
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "podium_0006"
down_revision = "podium_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "podium_audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("login", sa.String(length=160), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_podium_audit_log")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_podium_audit_log_at"), "podium_audit_log", ["at"])
    op.create_index(op.f("ix_podium_audit_log_login"), "podium_audit_log", ["login"])


def downgrade() -> None:
    op.drop_index(op.f("ix_podium_audit_log_login"), table_name="podium_audit_log")
    op.drop_index(op.f("ix_podium_audit_log_at"), table_name="podium_audit_log")
    op.drop_table("podium_audit_log")
