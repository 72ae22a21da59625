"""HTML pages: list, create, view, edit and delete notes.

A view's ``permission=`` says what a request may do; :mod:`podium_notes.owners`
says on which notes (a user's own, or any with ``notes.edit_any``) and whether
nobody may read (``notes.public_read``).

Every change is a POST carrying the CSRF token, followed by a redirect to a
GET page that shows a flash message (so reloading never resubmits).  An
invalid form is shown again with the submitted values and the errors beside
the fields, with status 400, which also makes pyramid_tm abort the
transaction: nothing of a refused submission is written.

Other plugins extend the form and the list through the notes' hooks
(:mod:`podium_notes.extensions`): their fields are validated with the notes'
own, kept on a re-shown form, saved in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyramid.httpexceptions import HTTPBadRequest, HTTPFound, HTTPNotFound
from pyramid.request import Request
from pyramid.view import view_config

from podium.api import PUBLIC, InvalidInput, page_request

from ..extensions import extra_fields, list_filters, saved, validate_form
from ..models import Note
from ..owners import check, check_reader, owner_for_new_note
from ..permissions import CREATE, DELETE, EDIT, VIEW
from ..queries import list_notes
from . import limits, method_not_allowed, note_or_404

LIST_TEMPLATE = "podium_notes:templates/list.jinja2"
VIEW_TEMPLATE = "podium_notes:templates/view.jinja2"
FORM_TEMPLATE = "podium_notes:templates/form.jinja2"
DELETE_TEMPLATE = "podium_notes:templates/delete.jinja2"

_ROUTE_METHODS = {
    "notes.list": ("GET", "HEAD"),
    "notes.view": ("GET", "HEAD"),
    "notes.new": ("GET", "HEAD", "POST"),
    "notes.edit": ("GET", "HEAD", "POST"),
    "notes.delete": ("GET", "HEAD", "POST"),
    "notes.export": ("GET", "HEAD"),  # the view is in views/export.py
}


@view_config(route_name="notes.root", permission=VIEW)
def to_list(request: Request) -> HTTPFound:
    """``/notes`` (no slash) is where people type; the list lives at ``/notes/``."""
    return HTTPFound(request.route_url("notes.list", _query=request.GET))


@view_config(route_name="notes.list", request_method="GET", renderer=LIST_TEMPLATE,
             permission=VIEW)
def list_page(request: Request) -> dict[str, Any]:
    """Newest notes first, ``notes.page_size`` at a time (``?page=``)."""
    check_reader(request)
    try:
        wanted = page_request(request, per_page=limits(request).page_size)
    except InvalidInput as exc:
        raise HTTPBadRequest(f"page: {exc.fields['page']}") from exc
    page = list_notes(request.dbsession, wanted, list_filters(request))
    if page.page > max(page.pages, 1):
        raise HTTPNotFound(f"There is no page {page.page} of notes; there are {page.pages}.")
    return {"page": page}


@view_config(route_name="notes.view", request_method="GET", renderer=VIEW_TEMPLATE,
             permission=VIEW)
def view_page(request: Request) -> dict[str, Any]:
    check_reader(request)
    return {"note": note_or_404(request)}


def _form(
    request: Request, *, note: Note | None, values: Mapping[str, str], errors: Mapping[str, str]
) -> dict[str, Any]:
    """What ``form.jinja2`` needs, for a new note or an existing one."""
    if note is None:
        action = request.route_url("notes.new")
        cancel = request.route_url("notes.list")
    else:
        action = request.route_url("notes.edit", id=note.id)
        cancel = request.route_url("notes.view", id=note.id)
    return {
        "note": note,
        "action": action,
        "cancel_url": cancel,
        "values": values,
        "errors": errors,
    }


def _submitted(request: Request) -> dict[str, str]:
    """The posted values, as typed, to fill the form again: the notes' own and
    the extra fields other plugins read (``notes_extra_fields``)."""
    names = ("title", "body", *extra_fields(request))
    return {name: request.POST.get(name, "") for name in names}


def _invalid(request: Request, note: Note | None, exc: InvalidInput) -> dict[str, Any]:
    request.response.status_int = 400
    return _form(request, note=note, values=_submitted(request), errors=exc.fields)


@view_config(route_name="notes.new", request_method="GET", renderer=FORM_TEMPLATE,
             permission=CREATE)
def new_form(request: Request) -> dict[str, Any]:
    return _form(request, note=None, values={"title": "", "body": ""}, errors={})


@view_config(route_name="notes.new", request_method="POST", renderer=FORM_TEMPLATE,
             permission=CREATE)
def create(request: Request) -> HTTPFound | dict[str, Any]:
    try:
        values = validate_form(request, None)
    except InvalidInput as exc:
        return _invalid(request, None, exc)
    note = Note(values["title"], values["body"], owner_id=owner_for_new_note(request))
    request.dbsession.add(note)
    request.dbsession.flush()  # for its id
    saved(request, note, values, created=True)
    request.session.flash(f"Note “{note.title}” created.")
    # Returned, not raised: a raised HTTPFound would count as an exception
    # for pyramid_tm and abort the transaction.
    return HTTPFound(request.route_url("notes.view", id=note.id))


@view_config(route_name="notes.edit", request_method="GET", renderer=FORM_TEMPLATE,
             permission=EDIT)
def edit_form(request: Request) -> dict[str, Any]:
    note = note_or_404(request)
    check(request, EDIT, note)
    return _form(request, note=note, values={"title": note.title, "body": note.body}, errors={})


@view_config(route_name="notes.edit", request_method="POST", renderer=FORM_TEMPLATE,
             permission=EDIT)
def update(request: Request) -> HTTPFound | dict[str, Any]:
    note = note_or_404(request)
    check(request, EDIT, note)
    try:
        values = validate_form(request, note)
    except InvalidInput as exc:
        return _invalid(request, note, exc)
    changed = note.update({"title": values["title"], "body": values["body"]})
    saved(request, note, values, created=False)
    if changed:
        request.session.flash(f"Note “{note.title}” saved.")
    else:
        request.session.flash("Nothing changed.")
    return HTTPFound(request.route_url("notes.view", id=note.id))


@view_config(route_name="notes.delete", request_method="GET", renderer=DELETE_TEMPLATE,
             permission=DELETE)
def confirm_delete(request: Request) -> dict[str, Any]:
    """A GET never deletes: it asks, with the same POST form as the note's page."""
    note = note_or_404(request)
    check(request, DELETE, note)
    return {"note": note}


@view_config(route_name="notes.delete", request_method="POST", permission=DELETE)
def delete(request: Request) -> HTTPFound:
    note = note_or_404(request)
    check(request, DELETE, note)
    request.dbsession.delete(note)
    request.session.flash(f"Note “{note.title}” deleted.")
    return HTTPFound(request.route_url("notes.list"))


@view_config(route_name="notes.list", require_csrf=False, permission=PUBLIC)
@view_config(route_name="notes.view", require_csrf=False, permission=PUBLIC)
@view_config(route_name="notes.new", require_csrf=False, permission=PUBLIC)
@view_config(route_name="notes.edit", require_csrf=False, permission=PUBLIC)
@view_config(route_name="notes.delete", require_csrf=False, permission=PUBLIC)
@view_config(route_name="notes.export", require_csrf=False, permission=PUBLIC)
def wrong_method(request: Request) -> None:
    """Any other method on a page's URL: 405 with ``Allow``, not a bare 404.

    Registered without a method predicate, so Pyramid tries it only after
    the views above; it changes nothing, hence no CSRF check."""
    raise method_not_allowed(request, _ROUTE_METHODS[request.matched_route.name])
