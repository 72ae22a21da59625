"""Create tags_tag and tags_note_tag.

tags_note_tag refers to notes_note, so this revision depends on the notes
branch as well as on the core: alembic then always creates notes_note first
(PostgreSQL refuses a foreign key to a missing table), and taking notes down
to base takes tags down before it.

Revision ID: tags_0001
Revises:
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "tags_0001"
down_revision = None
# The plugin's own branch: podium db upgrade/downgrade --plugin tags.
branch_labels = ("tags",)
# The core's base revision (podium.api.CORE_BASE_REVISION) and the notes
# branch's head when this was written, written out: a migration must keep
# meaning what it meant.
depends_on = ("podium_0001", "notes_0002")


def upgrade() -> None:
    op.create_table(
        "tags_tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags_tag")),
        sa.UniqueConstraint("name", name=op.f("uq_tags_tag_name")),
    )
    op.create_table(
        "tags_note_tag",
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["note_id"], ["notes_note.id"],
                                name=op.f("fk_tags_note_tag_note_id_notes_note"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tag_id"], ["tags_tag.id"],
                                name=op.f("fk_tags_note_tag_tag_id_tags_tag"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("note_id", "tag_id", name=op.f("pk_tags_note_tag")),
    )
    op.create_index(op.f("ix_tags_note_tag_tag_id"), "tags_note_tag", ["tag_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_tags_note_tag_tag_id"), table_name="tags_note_tag")
    op.drop_table("tags_note_tag")
    op.drop_table("tags_tag")
