"""The plugin's views: ``pages`` for browsers, ``api`` for programs,
``export`` for the CSV download.

``pages`` and ``api`` find a note the same way: a missing note is an
``HTTPNotFound`` with a message, which the core renders as an HTML page or
as JSON depending on the client and the URL.
"""

from __future__ import annotations

from pyramid.httpexceptions import HTTPMethodNotAllowed, HTTPNotFound
from pyramid.request import Request

from .. import LIMITS_KEY
from ..models import Note
from ..queries import get_note, parse_note_id
from ..settings import Limits

#: How much of an id no note can have the 404 repeats.
_ID_SHOWN = 20


def note_or_404(request: Request) -> Note:
    """The note named by the route's ``id`` (digits only, by the route pattern)."""
    text = request.matchdict["id"]
    note_id = parse_note_id(text)
    note = None if note_id is None else get_note(request.dbsession, note_id)
    if note is None:
        shown = text if len(text) <= _ID_SHOWN else f"{text[:_ID_SHOWN]}… ({len(text)} digits)"
        raise HTTPNotFound(f"No note with id {shown if note_id is None else note_id}.")
    return note


def method_not_allowed(request: Request, allowed: tuple[str, ...]) -> HTTPMethodNotAllowed:
    """A 405 naming the methods the URL answers (sent in ``Allow``)."""
    return HTTPMethodNotAllowed(
        f"{request.method} is not allowed here; use {', '.join(allowed)}.",
        headers={"Allow": ", ".join(allowed)},
    )


def limits(request: Request) -> Limits:
    """The settings ``notes.page_size`` and ``notes.max_per_page``, typed."""
    return request.registry[LIMITS_KEY]
