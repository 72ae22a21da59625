"""The notes plugin's hooks: how another plugin extends notes (extra fields,
their validation and storage, list filters, extra keys in the API's JSON)
without touching the notes' templates or internals.

The contract, all version 1, fault ``propagate``; see the plugin's README.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from podium.api import hookspec

if TYPE_CHECKING:
    from pyramid.request import Request
    from sqlalchemy import ColumnElement

    from .models import Note


@hookspec(version=1)
def notes_extra_fields(request: Request) -> Iterable[str]:  # type: ignore[empty-body]
    """The names of the extra input fields the plugin reads from a note's form
    and from the API's JSON object (``["tags"]``): the API accepts them instead
    of refusing them as unknown, the form keeps their submitted values.
    Called at most once per request."""


@hookspec(version=1)
def notes_validate(request: Request, note: Note | None, data: Mapping[str, Any],
                   partial: bool) -> Mapping[str, str] | None:
    """Field -> message errors of ``data`` (the form's POST or the JSON object)
    for ``note`` (None for a new note); ``partial`` is True for a PATCH.
    Shown together with the notes' own errors; nothing is written when any."""


@hookspec(version=1)
def notes_saved(request: Request, note: Note, data: Mapping[str, Any], created: bool,
                partial: bool) -> None:
    """After the note is added or updated and flushed (it has its id), in the
    same transaction: an exception aborts the whole of it."""


@hookspec(version=1)
def notes_list_filters(request: Request,
                       params: Mapping[str, str]) -> Sequence[ColumnElement[bool]] | None:
    """Where-clauses ANDed into the lists' count and items (pages and API);
    ``params`` is ``request.GET``.  A bad value may raise ``HTTPBadRequest``;
    a clause must never fail in the database."""


@hookspec(version=1)
def notes_represent(request: Request,
                    notes: Sequence[Note]) -> Mapping[int, Mapping[str, Any]] | None:
    """Extra keys of the API's JSON per note id, for every note of one response
    (called once per response); a key of the notes' own is never replaced."""
