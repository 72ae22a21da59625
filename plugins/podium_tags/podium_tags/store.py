"""Reading and writing tags: every statement the plugin sends is here.

The notes' table is found in ``Base.metadata`` by its name (it is there once
notes, which this plugin requires, has been included), never by importing
notes' models: the where-clause of ``?tag=`` correlates to its ``id`` column.

Two requests may add the same new tag at once: tags are inserted with
``ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL both have it) and read
back, so the second finds the first's row instead of failing on the unique
name.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from podium.api import Base

from .models import NOTES_TABLE, NoteTag, Tag

# The Table objects (typed as such), for Core statements that bypass the ORM's bookkeeping.
_TAG = Base.metadata.tables[Tag.__tablename__]
_LINK = Base.metadata.tables[NoteTag.__tablename__]


def notes_table() -> Table:
    """The notes plugin's table, from the shared metadata."""
    return Base.metadata.tables[NOTES_TABLE]


def tags_by_note(session: Session, note_ids: Iterable[int]) -> dict[int, list[str]]:
    """Every given note's tags, by name, in one query; a note without tags maps to []."""
    ids = sorted(set(note_ids))
    found: dict[int, list[str]] = {note_id: [] for note_id in ids}
    if not ids:
        return found
    rows = session.execute(
        select(NoteTag.note_id, Tag.name)
        .join(Tag, Tag.id == NoteTag.tag_id)
        .where(NoteTag.note_id.in_(ids))
        .order_by(NoteTag.note_id, Tag.name))
    for note_id, name in rows:
        found[note_id].append(name)
    return found


def tagged(name: str) -> ColumnElement[bool]:
    """A where-clause on the notes' table: the note has the tag ``name``."""
    note_id = notes_table().c.id
    return (select(NoteTag.note_id)
            .join(Tag, Tag.id == NoteTag.tag_id)
            .where(NoteTag.note_id == note_id, Tag.name == name)
            .exists())


def set_tags(session: Session, note_id: int, names: Sequence[str]) -> None:
    """Make ``names`` (normalised, checked) exactly the note's tags."""
    wanted = set(_tag_ids(session, names).values())
    current = set(session.scalars(select(NoteTag.tag_id).where(NoteTag.note_id == note_id)))
    if current - wanted:
        session.execute(delete(_LINK).where(_LINK.c.note_id == note_id,
                                            _LINK.c.tag_id.in_(current - wanted)))
    if wanted - current:
        _insert_new(session, _LINK, [{"note_id": note_id, "tag_id": tag_id}
                                     for tag_id in sorted(wanted - current)],
                    ["note_id", "tag_id"])


def _tag_ids(session: Session, names: Collection[str]) -> dict[str, int]:
    """The id of every name, the missing tags created."""
    if not names:
        return {}
    ids = _existing(session, names)
    missing = [name for name in names if name not in ids]
    if missing:
        _insert_new(session, _TAG, [{"name": name} for name in missing], ["name"])
        ids.update(_existing(session, missing))
    return ids


def _existing(session: Session, names: Collection[str]) -> dict[str, int]:
    rows = session.execute(select(Tag.name, Tag.id).where(Tag.name.in_(list(names))))
    return {name: tag_id for name, tag_id in rows}


def _insert_new(session: Session, table: Table, rows: list[dict[str, Any]],
                keys: list[str]) -> None:
    """Insert the rows, skipping those another transaction has just inserted."""
    dialect = session.get_bind().dialect.name
    statement: Any
    if dialect == "postgresql":
        statement = postgresql.insert(table).on_conflict_do_nothing(index_elements=keys)
    elif dialect == "sqlite":
        statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=keys)
    else:  # no portable upsert: a concurrent duplicate fails the transaction instead
        statement = insert(table)
    session.execute(statement, rows)


def counts(session: Session) -> list[tuple[str, int]]:
    """Every tag some note has, by name, with how many notes have it."""
    rows = session.execute(
        select(Tag.name, func.count(NoteTag.note_id))
        .join(NoteTag, NoteTag.tag_id == Tag.id)
        .group_by(Tag.name)
        .order_by(Tag.name))
    return [(name, count) for name, count in rows]


class UnknownTag(LookupError):
    """Renaming a tag that no row has."""


def rename(session: Session, old: str, new: str) -> tuple[bool, int]:
    """Rename the tag ``old`` to ``new`` (both normalised and checked), or merge
    it into ``new`` when that exists: a note that had both keeps one.
    Returns whether it merged, and how many notes now have ``new`` instead of ``old``."""
    found = _existing(session, [old, new])
    if old not in found:
        raise UnknownTag(old)
    old_id = found[old]
    notes = session.scalar(select(func.count()).select_from(_LINK)
                           .where(NoteTag.tag_id == old_id)) or 0
    if new not in found:
        session.execute(update(_TAG).where(_TAG.c.id == old_id).values(name=new))
        return False, notes
    new_id = found[new]
    has_new = select(_LINK.c.note_id).where(_LINK.c.tag_id == new_id)
    session.execute(update(_LINK)
                    .where(_LINK.c.tag_id == old_id, _LINK.c.note_id.not_in(has_new))
                    .values(tag_id=new_id))
    # What is left of old are the notes that had both: they keep new (cascade).
    session.execute(delete(_TAG).where(_TAG.c.id == old_id))
    return True, notes
