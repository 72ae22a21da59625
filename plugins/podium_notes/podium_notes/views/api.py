"""The JSON API: ``<prefix>/api/notes`` and ``<prefix>/api/notes/{id}``.

For programs, not browsers: every view is declared ``json_api=True``, so a
POST sent as ``Content-Type: application/json`` needs no CSRF token (a
cross-site page cannot send that content type without a CORS preflight),
while a form-shaped POST still does; PUT, PATCH and DELETE never need one
(see :mod:`podium.security.csrf`).  Invalid input is a 400 in the
core's error shape plus ``fields``, one message per offending field; a
missing note is the core's JSON 404 (the path has an ``/api/`` segment).
A note of someone else is refused by :func:`podium_notes.owners.check`: the
core's JSON 403 (401 for nobody).

Other plugins extend the API through the notes' hooks
(:mod:`podium_notes.extensions`): extra input fields, their errors in
``fields``, list filters, and extra keys in a note's JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyramid.request import Request
from pyramid.response import Response
from pyramid.view import exception_view_config, view_config

from podium.api import PUBLIC

from ..extensions import list_filters, represent, saved, validate
from ..models import Note
from ..owners import check, check_reader, owner_for_new_note
from ..permissions import CREATE, DELETE, EDIT, VIEW
from ..queries import list_notes
from ..schemas import ValidationError, load_json_object, parse_page_request
from . import limits, method_not_allowed, note_or_404

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


def _is_json(request: Request) -> bool:
    content_type = request.content_type
    return content_type == "application/json" or content_type.endswith("+json")


def json_object(request: Request) -> dict[str, Any]:
    """The request's body, which must be a JSON object sent as JSON."""
    if not _is_json(request):
        raise ValidationError(
            message="Send the note as a JSON object with Content-Type: application/json."
        )
    return load_json_object(request.body)


@exception_view_config(ValidationError, renderer="json")
def invalid_input(exc: ValidationError, request: Request) -> dict[str, Any]:
    """A 400 in the core's error shape, plus the message of each bad field.

    Only the API lets ``ValidationError`` escape (the pages show the errors on
    the form).  Being an exception view, it also aborts the transaction."""
    request.response.status_int = 400
    error = {"status": 400, "title": "Bad Request", "message": exc.message, "fields": exc.fields}
    return {"error": error}


@view_config(route_name="notes.api.notes", request_method="GET", renderer="json", json_api=True,
             permission=VIEW)
def list_api(request: Request) -> dict[str, Any]:
    """``?page=1&per_page=20``; a page past the end has no items.

    ``per_page`` defaults to ``notes.page_size`` and may not exceed
    ``notes.max_per_page``."""
    check_reader(request)
    settings = limits(request)
    page_request = parse_page_request(
        request.GET, default_per_page=settings.page_size, max_per_page=settings.max_per_page
    )
    page = list_notes(request.dbsession, page_request, list_filters(request))
    extras = represent(request, page.items)
    return {
        "items": [note_json(request, note, extras[note.id]) for note in page.items],
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
    }


@view_config(route_name="notes.api.notes", request_method="POST", renderer="json", json_api=True,
             permission=CREATE)
def create_api(request: Request) -> dict[str, Any]:
    data = json_object(request)
    values = validate(request, None, data)
    note = Note(values["title"], values["body"], owner_id=owner_for_new_note(request))
    request.dbsession.add(note)
    request.dbsession.flush()  # for its id
    saved(request, note, data, created=True)
    request.response.status_int = 201
    request.response.location = request.route_url("notes.api.note", id=note.id)
    return one_note_json(request, note)


@view_config(route_name="notes.api.note", request_method="GET", renderer="json", json_api=True,
             permission=VIEW)
def get_api(request: Request) -> dict[str, Any]:
    check_reader(request)
    return one_note_json(request, note_or_404(request))


@view_config(route_name="notes.api.note", request_method=("PUT", "PATCH"), renderer="json",
             json_api=True, permission=EDIT)
def update_api(request: Request) -> dict[str, Any]:
    """PUT replaces the note (title required, body defaults to empty); PATCH
    changes only the fields it sends."""
    note = note_or_404(request)
    check(request, EDIT, note)
    data = json_object(request)
    partial = request.method == "PATCH"
    values = validate(request, note, data, partial=partial)
    note.update(values)
    request.dbsession.flush()
    saved(request, note, data, created=False, partial=partial)
    return one_note_json(request, note)


@view_config(route_name="notes.api.note", request_method="DELETE", json_api=True,
             permission=DELETE)
def delete_api(request: Request) -> Response:
    note = note_or_404(request)
    check(request, DELETE, note)
    request.dbsession.delete(note)
    return Response(status=204)


@view_config(route_name="notes.api.notes", require_csrf=False, permission=PUBLIC)
@view_config(route_name="notes.api.note", require_csrf=False, permission=PUBLIC)
def wrong_method(request: Request) -> None:
    """Any other method: 405 with ``Allow`` (see ``pages.wrong_method``)."""
    raise method_not_allowed(request, _ROUTE_METHODS[request.matched_route.name])
