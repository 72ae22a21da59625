"""The JSON API: ``<prefix>/api/notes`` and ``<prefix>/api/notes/{id}``.

For programs, not browsers, on Podium's JSON API layer: every view is
declared ``json_api=True`` with its schemas (the factories of
:mod:`podium_notes.extensions`, so other plugins' fields are part of them),
and appears in the OpenAPI document.  A POST sent as ``Content-Type:
application/json`` needs no CSRF token (a cross-site page cannot send that
content type without a CORS preflight), while a form-shaped POST still
does; PUT, PATCH and DELETE never need one (see :mod:`podium.security.csrf`).
Invalid input is the layer's 400 with ``fields``, one message per offending
field; a body of another type a 415; a missing note the core's JSON 404.  A
note of someone else is refused by :func:`podium_notes.owners.check`: the
core's JSON 403 (401 for nobody).

A note's read sends its ETag (``If-None-Match``: 304); a PUT, PATCH or
DELETE with ``If-Match`` naming another version is refused with 412, so
that one client does not overwrite another's change unseen.  The ETag is
made from the note's whole JSON, the plugins' keys included: a change of
its tags alone is a new version too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pyramid.request import Request
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import select

from podium.api import PUBLIC, Page, check_if_match, check_if_none_match, etag_for, paginate

from ..extensions import (
    check,
    input_schema,
    list_filters,
    output_schema,
    page_schema,
    patch_schema,
    represent,
    saved,
    values_of,
)
from ..models import Note
from ..owners import check as check_owner
from ..owners import check_reader, owner_for_new_note
from ..permissions import CREATE, DELETE, EDIT, VIEW
from ..queries import NEWEST_FIRST
from ..settings import MAX_PER_PAGE_SETTING, PAGE_SIZE_SETTING
from . import method_not_allowed, note_or_404

_ROUTE_METHODS = {
    "notes.api.notes": ("GET", "HEAD", "POST"),
    "notes.api.note": ("GET", "HEAD", "PUT", "PATCH", "DELETE"),
}


def note_json(request: Request, note: Note,
              extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A note as the API shows it; ``url`` is where to GET, PUT, PATCH or DELETE it;
    ``extra``: the plugins' keys (``notes_represent``), after the notes' own."""
    data = {
        "id": note.id,
        "title": note.title,
        "body": note.body,
        "created_at": note.created_at,
        "updated_at": note.updated_at,
        "url": request.route_url("notes.api.note", id=note.id),
    }
    for key, value in (extra or {}).items():
        data.setdefault(key, value)
    return data


def one_note_json(request: Request, note: Note) -> dict[str, Any]:
    """One note's JSON with the plugins' keys (one ``notes_represent`` call)."""
    return note_json(request, note, represent(request, [note])[note.id])


def etag_of(note_data: Mapping[str, Any]) -> str:
    """The ETag of a note's JSON (``one_note_json``), every key counted."""
    return etag_for(json.dumps(note_data, sort_keys=True, default=str))


def check_version(request: Request, note: Note) -> None:
    """Before a write: 412 when ``If-Match`` names another version (the
    note's JSON is made only when the request sent one)."""
    if "HTTP_IF_MATCH" in request.environ:
        check_if_match(request, etag_of(one_note_json(request, note)))


def answer(request: Request, note: Note) -> dict[str, Any]:
    """The note's JSON, its ETag sent with it."""
    data = one_note_json(request, note)
    request.response.etag = etag_of(data)
    return data


@view_config(route_name="notes.api.notes", request_method="GET", json_api=True,
             permission=VIEW, response_schema=page_schema,
             per_page_settings=(PAGE_SIZE_SETTING, MAX_PER_PAGE_SETTING))
def list_api(request: Request) -> Page[Any]:
    """List notes, newest first.

    ``per_page`` defaults to ``notes.page_size`` and may not exceed
    ``notes.max_per_page``; other plugins may add filters (``?tag=``)."""
    check_reader(request)
    page = paginate(select(Note).where(*list_filters(request)).order_by(*NEWEST_FIRST),
                    request)
    extras = represent(request, page.items)
    page.items = [note_json(request, note, extras[note.id]) for note in page.items]
    return page


@view_config(route_name="notes.api.notes", request_method="POST", json_api=True,
             permission=CREATE, request_schema=input_schema, response_schema=output_schema,
             response_status=201)
def create_api(request: Request) -> dict[str, Any]:
    """Create a note; its URL is in ``Location``."""
    values = values_of(request.validated, partial=False)
    check(request, None, values)
    note = Note(values["title"], values["body"], owner_id=owner_for_new_note(request))
    request.dbsession.add(note)
    request.dbsession.flush()  # for its id
    saved(request, note, values, created=True)
    request.response.location = request.route_url("notes.api.note", id=note.id)
    return answer(request, note)


@view_config(route_name="notes.api.note", request_method="GET", json_api=True,
             permission=VIEW, response_schema=output_schema)
def get_api(request: Request) -> dict[str, Any]:
    """Read a note (with its ETag)."""
    check_reader(request)
    data = one_note_json(request, note_or_404(request))
    check_if_none_match(request, etag_of(data))
    return data


def _update(request: Request, partial: bool) -> dict[str, Any]:
    note = note_or_404(request)
    check_owner(request, EDIT, note)
    check_version(request, note)
    values = values_of(request.validated, partial=partial)
    check(request, note, values, partial=partial)
    note.update({name: values[name] for name in ("title", "body") if name in values})
    request.dbsession.flush()
    saved(request, note, values, created=False, partial=partial)
    return answer(request, note)


@view_config(route_name="notes.api.note", request_method="PUT", json_api=True,
             permission=EDIT, request_schema=input_schema, response_schema=output_schema)
def replace_api(request: Request) -> dict[str, Any]:
    """Replace a note: the title is required, a missing body is an empty one."""
    return _update(request, partial=False)


@view_config(route_name="notes.api.note", request_method="PATCH", json_api=True,
             permission=EDIT, request_schema=patch_schema, response_schema=output_schema)
def update_api(request: Request) -> dict[str, Any]:
    """Change only the fields sent."""
    return _update(request, partial=True)


@view_config(route_name="notes.api.note", request_method="DELETE", json_api=True,
             permission=DELETE, response_status=204)
def delete_api(request: Request) -> Response:
    """Delete a note."""
    note = note_or_404(request)
    check_owner(request, DELETE, note)
    check_version(request, note)
    request.dbsession.delete(note)
    return Response(status=204)


@view_config(route_name="notes.api.notes", require_csrf=False, permission=PUBLIC)
@view_config(route_name="notes.api.note", require_csrf=False, permission=PUBLIC)
def wrong_method(request: Request) -> None:
    """Any other method: 405 with ``Allow`` (see ``pages.wrong_method``)."""
    raise method_not_allowed(request, _ROUTE_METHODS[request.matched_route.name])
