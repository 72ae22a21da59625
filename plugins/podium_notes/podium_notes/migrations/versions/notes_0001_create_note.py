"""Create the notes_note table.

Revision ID: notes_0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "notes_0001"
down_revision = None
branch_labels = ("notes",)
# The core's base revision (podium.api.CORE_BASE_REVISION), written out:
# a migration must keep meaning what it meant when it was written.
depends_on = "podium_0001"


def upgrade() -> None:
    op.create_table(
        "notes_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes_note")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_notes_note_created_at"), "notes_note", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_notes_note_created_at"), table_name="notes_note")
    op.drop_table("notes_note")
