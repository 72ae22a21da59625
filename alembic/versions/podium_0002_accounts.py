"""Accounts: users, roles, memberships and API tokens (podium.accounts.models).

Revision ID: podium_0002
Revises: podium_0001
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "podium_0002"
down_revision = "podium_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "podium_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=150), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_podium_user")),
        sa.UniqueConstraint("login", name=op.f("uq_podium_user_login")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "podium_role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_podium_role")),
        sa.UniqueConstraint("name", name=op.f("uq_podium_role_name")),
    )
    op.create_table(
        "podium_membership",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["podium_user.id"], ondelete="CASCADE",
                                name=op.f("fk_podium_membership_user_id_podium_user")),
        sa.ForeignKeyConstraint(["role_id"], ["podium_role.id"], ondelete="CASCADE",
                                name=op.f("fk_podium_membership_role_id_podium_role")),
        sa.PrimaryKeyConstraint("user_id", "role_id", name=op.f("pk_podium_membership")),
    )
    op.create_index(op.f("ix_podium_membership_role_id"), "podium_membership", ["role_id"])
    op.create_table(
        "podium_api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["podium_user.id"], ondelete="CASCADE",
                                name=op.f("fk_podium_api_token_user_id_podium_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_podium_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_podium_api_token_token_hash")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_podium_api_token_user_id"), "podium_api_token", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_podium_api_token_user_id"), table_name="podium_api_token")
    op.drop_table("podium_api_token")
    op.drop_index(op.f("ix_podium_membership_role_id"), table_name="podium_membership")
    op.drop_table("podium_membership")
    op.drop_table("podium_role")
    op.drop_table("podium_user")
