"""Permissions granted to roles in the store (podium.accounts.grants).

A grant names its role (``editor``, or the pseudo-roles ``everyone`` and
``authenticated``) and a permission a plugin or the core declares; the
defaults of settings and plugins are not stored.

Revision ID: podium_0005
Revises: podium_0004
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "podium_0005"
down_revision = "podium_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "podium_role_permission",
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("permission", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("role", "permission", name=op.f("pk_podium_role_permission")),
    )


def downgrade() -> None:
    op.drop_table("podium_role_permission")
