"""Reading notes: the few queries the pages and the API share."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from podium.api import PageRequest

from .models import Note

#: The lists' order: newest first, ties broken by id.
NEWEST_FIRST = (Note.created_at.desc(), Note.id.desc())

#: The largest value of the ``INTEGER`` primary key on PostgreSQL: a larger
#: id in a URL must be a 404, not a database error (SQLite would accept it).
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class Page:
    """One page of notes, newest first, with what a pager needs."""

    items: list[Note]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the notes fill (0 when there is none)."""
        return math.ceil(self.total / self.per_page)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def list_notes(dbsession: Session, request: PageRequest,
               filters: Sequence[ColumnElement[bool]] = ()) -> Page:
    """The requested page of notes, newest first (ties broken by id), among
    those all ``filters`` (the plugins' ``notes_list_filters``) accept.

    A page past the end is empty; it is not queried, so a huge ``page``
    never becomes an out-of-range OFFSET for the database.
    """
    total = dbsession.scalar(select(func.count()).select_from(Note).where(*filters)) or 0
    items: list[Note] = []
    if request.offset < total:
        query = (
            select(Note)
            .where(*filters)
            .order_by(*NEWEST_FIRST)
            .limit(request.per_page)
            .offset(request.offset)
        )
        items = list(dbsession.scalars(query))
    return Page(items, request.page, request.per_page, total)


def parse_note_id(text: str) -> int | None:
    """The number a URL's id names, or None when it has more digits than any
    id (checked before ``int()``, which refuses strings beyond Python's limit
    on digits converted) or digits other than ASCII's (the route's ``\\d``
    matches every script's)."""
    digits = text.lstrip("0")
    if not (text.isascii() and text.isdigit()) or len(digits) > len(str(MAX_ID)):
        return None
    return int(digits or "0")


def get_note(dbsession: Session, note_id: int) -> Note | None:
    """The note with this id, or None (also for ids no row can have)."""
    if not 1 <= note_id <= MAX_ID:
        return None
    return dbsession.get(Note, note_id)
