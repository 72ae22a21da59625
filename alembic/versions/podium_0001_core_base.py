"""The core's base revision: every plugin branch depends on it.

The core owns no table yet; this revision gives plugin migrations a fixed
point to declare ``depends_on`` so that the core's schema always comes first.

Revision ID: podium_0001
Revises:
Create Date: 2026-11-21
"""

revision = "podium_0001"
down_revision = None
branch_labels = ("podium",)
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
