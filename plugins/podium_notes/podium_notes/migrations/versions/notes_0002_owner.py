"""Notes get an owner: notes_note.owner_id, a foreign key to podium_user.

Nullable: the notes written before owners existed, anonymous ones, imported
ones and those of a deleted user (``ON DELETE SET NULL``) have none, and
only ``notes.edit_any`` edits or deletes them.

Revision ID: notes_0002
Revises: notes_0001
Create Date: 2026-12-03
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "notes_0002"
down_revision = "notes_0001"
branch_labels = None
# The core's revision that creates podium_user, written out: the foreign key
# needs that table first (podium db revision --autogenerate put the core's head
# then, podium_0005, which implies it; this is the exact one it needs).
depends_on = "podium_0002"

_FK = "fk_notes_note_owner_id_podium_user"
_INDEX = "ix_notes_note_owner_id"


def _notes_note(*, owner: bool) -> sa.Table:
    """The table as it stands before (``owner=False``) or after this revision.

    SQLite changes a foreign key by copying the table (batch mode), from this
    definition rather than from reflection: reflection would lose
    AUTOINCREMENT (so a deleted note's id could be given again), and ``--sql``
    has no database to reflect.  The copy would also forget the highest id
    given when the newest notes were deleted: see :func:`_sqlite_sequence`.
    """
    owner_columns: list[Any] = [
        sa.Column("owner_id", sa.Integer(),
                  sa.ForeignKey("podium_user.id", name=_FK, ondelete="SET NULL"),
                  nullable=True),
        sa.Index(_INDEX, "owner_id"),
    ] if owner else []
    return sa.Table(
        "notes_note",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notes_note"),
        sa.Index("ix_notes_note_created_at", "created_at"),
        *owner_columns,
        sqlite_autoincrement=True,
    )


def _sqlite_sequence() -> int | None:
    """The highest id SQLite gave a note (None elsewhere, before any note, or
    when only writing SQL: ``--sql`` has nothing to read)."""
    if op.get_context().as_sql or op.get_bind().dialect.name != "sqlite":
        return None
    return op.get_bind().execute(
        sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'notes_note'")
    ).scalar_one_or_none()


def _restore_sqlite_sequence(seq: int | None) -> None:
    if seq is not None:
        op.get_bind().execute(
            sa.text("UPDATE sqlite_sequence SET seq = max(seq, :seq) WHERE name = 'notes_note'"),
            {"seq": seq},
        )


def upgrade() -> None:
    seq = _sqlite_sequence()
    with op.batch_alter_table("notes_note", copy_from=_notes_note(owner=False)) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f(_INDEX), ["owner_id"])
        batch_op.create_foreign_key(batch_op.f(_FK), "podium_user", ["owner_id"], ["id"],
                                    ondelete="SET NULL")
    _restore_sqlite_sequence(seq)


def downgrade() -> None:
    seq = _sqlite_sequence()
    with op.batch_alter_table("notes_note", copy_from=_notes_note(owner=True)) as batch_op:
        batch_op.drop_constraint(batch_op.f(_FK), type_="foreignkey")
        batch_op.drop_index(batch_op.f(_INDEX))
        batch_op.drop_column("owner_id")
    _restore_sqlite_sequence(seq)
