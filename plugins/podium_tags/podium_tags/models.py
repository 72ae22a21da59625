"""The tags plugin's tables: ``tags_tag`` (one row per name) and ``tags_note_tag``.

``tags_note_tag`` links a note to a tag; both foreign keys are ``ON DELETE
CASCADE``, so deleting a note (however notes deletes it: the plugin is not
told) takes its links with it, and so does deleting a tag.

The notes' table is named by its documented name, ``notes_note``, in a
string foreign key: this module imports nothing of ``podium_notes``.

A tag that no note has any more is kept: it is a name, it shows nowhere
(the pages and the API show a note's tags, and ``/tags/`` counts only tags
in use), and the next note to get it reuses its row.  Deleting it when the
last note lets it go would need to be told of every note deleted, which
notes does not announce.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from podium.api import Base

from .names import COLUMN_LENGTH

#: The notes plugin's table and its key, as notes documents them.
NOTES_TABLE = "notes_note"


class Tag(Base):
    """A tag's name, normalised (:func:`podium_tags.names.normalise`)."""

    __tablename__ = "tags_tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(COLUMN_LENGTH), nullable=False, unique=True)

    def __repr__(self) -> str:
        return f"<Tag id={self.id!r} name={self.name!r}>"


class NoteTag(Base):
    """One note has one tag."""

    __tablename__ = "tags_note_tag"

    note_id: Mapped[int] = mapped_column(
        ForeignKey(f"{NOTES_TABLE}.id", ondelete="CASCADE"), primary_key=True)
    # Indexed on its own: the key starts with note_id, and ?tag= looks notes up by tag.
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags_tag.id", ondelete="CASCADE"), primary_key=True, index=True)
