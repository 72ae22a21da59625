"""The Note model, stored in the ``notes_note`` table.

Timestamps are timezone-aware UTC datetimes set in Python rather than by the
database: SQLite has no time zones and its ``CURRENT_TIMESTAMP`` has a
resolution of one second, so a database default would make the two backends
disagree about the same note.

A note's owner is the user who wrote it (``owner_id``, a foreign key to the
core's ``podium_user``), or nobody: a note written anonymously, imported, or
whose user was deleted (``ON DELETE SET NULL``).  The author's name is read in
the same query as the note, from the documented columns of ``podium_user``
(docs/accounts.md) rather than the core's model class, which ``podium.api``
does not export.
"""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    String,
    Text,
    column,
    func,
    select,
    table,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column
from sqlalchemy.types import TypeDecorator

from podium.api import Base

#: The longest title the column holds (``String(200)``).
TITLE_MAX_LENGTH = 200

#: The core's user table, as docs/accounts.md documents it: only the columns a
#: note shows.  A lightweight ``table()``, not a second mapping of the table.
_USERS = table("podium_user", column("id", Integer), column("login", String),
               column("display_name", String))


def utcnow() -> datetime.datetime:
    """The current time as an aware UTC datetime."""
    return datetime.datetime.now(datetime.UTC)


class UTCDateTime(TypeDecorator[datetime.datetime]):
    """A ``DateTime(timezone=True)`` that always hands back aware UTC values.

    PostgreSQL returns ``timestamptz`` in the connection's time zone and
    SQLite returns naive values; both are normalized to UTC so that the JSON
    API and the pages show the same instant the same way on either backend.
    Naive values are refused on the way in: guessing their zone is how
    off-by-some-hours bugs are born.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: datetime.datetime | None, dialect: Dialect
    ) -> datetime.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware datetime (UTC)")
        return value.astimezone(datetime.UTC)

    def process_result_value(
        self, value: datetime.datetime | None, dialect: Dialect
    ) -> datetime.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=datetime.UTC)
        return value.astimezone(datetime.UTC)


class Note(Base):
    """A short titled text."""

    __tablename__ = "notes_note"
    # SQLite would otherwise reuse the id of the newest note once it is
    # deleted, so an old link could show another note; PostgreSQL never does.
    __table_args__: ClassVar[dict[str, Any]] = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    # Indexed: the list pages and the API sort on it.
    created_at: Mapped[datetime.datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, index=True
    )
    updated_at: Mapped[datetime.datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow
    )
    #: Who wrote it; None for nobody (see the module's docstring).  Indexed:
    #: deleting a user looks up their notes to set this to NULL.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("podium_user.id", ondelete="SET NULL"), nullable=True, default=None,
        index=True
    )
    #: The owner's display name (their login when they have none), None for an
    #: ownerless note: a subquery of the note's own SELECT, so a page of notes
    #: costs no query per author.  Read-only; after a flush it is read again.
    author_name: Mapped[str | None] = column_property(
        select(func.coalesce(func.nullif(_USERS.c.display_name, ""), _USERS.c.login))
        .where(_USERS.c.id == owner_id)
        .correlate_except(_USERS)
        .scalar_subquery()
    )

    def __init__(
        self, title: str, body: str = "", now: datetime.datetime | None = None,
        owner_id: int | None = None, **kwargs: Any
    ) -> None:
        """Both timestamps get the very same instant, so ``updated_at >
        created_at`` means exactly "edited since it was written"."""
        now = now or utcnow()
        super().__init__(title=title, body=body, created_at=now, updated_at=now,
                         owner_id=owner_id, **kwargs)

    def update(self, changes: dict[str, str], now: datetime.datetime | None = None) -> bool:
        """Apply ``changes`` (field name to new value); touch ``updated_at``
        only if a value really changed.  Returns whether anything did."""
        changed = False
        for name, value in changes.items():
            if getattr(self, name) != value:
                setattr(self, name, value)
                changed = True
        if changed:
            self.updated_at = now or utcnow()
        return changed

    @property
    def edited(self) -> bool:
        """Whether the note was changed after it was created."""
        return self.updated_at > self.created_at

    def __repr__(self) -> str:
        return f"<Note id={self.id!r} title={self.title!r}>"
