"""The moderation page of the admin console (``<prefix>/moderation``): the
newest notes with their authors, any of which can be deleted.

Listed in the console with ``config.add_admin_page``
(see the plugin's ``includeme``).  Permission ``podium.admin``, not
``notes.edit_any`` with ``notes.delete``: the page lives in the admin
console, whose frame and navigation are the administrators'; an editor
already changes and deletes anyone's notes from the notes' own pages.
A deletion is a POST with the CSRF token, then a redirect
with a flash message.
"""

from __future__ import annotations

from typing import Any

from pyramid.httpexceptions import HTTPFound
from pyramid.request import Request
from pyramid.view import view_config
from sqlalchemy import select

from podium.api import PUBLIC, audit

from ..models import Note
from . import method_not_allowed, note_or_404

TEMPLATE = "podium_notes:templates/moderation.jinja2"
ADMIN = "podium.admin"
#: How many of the newest notes the page lists.
RECENT = 50


@view_config(route_name="notes.moderation", request_method="GET", renderer=TEMPLATE,
             permission=ADMIN)
def moderation(request: Request) -> dict[str, Any]:
    notes = request.dbsession.scalars(
        select(Note).order_by(Note.created_at.desc(), Note.id.desc()).limit(RECENT)).all()
    return {"notes": notes}


@view_config(route_name="notes.moderation_delete", request_method="POST", permission=ADMIN)
def delete_any(request: Request) -> HTTPFound:
    note = note_or_404(request)
    request.dbsession.delete(note)
    audit(request, "notes.delete", f"note {note.id}", title=note.title, owner_id=note.owner_id)
    request.session.flash(f"Note “{note.title}” (#{note.id}) deleted.")
    return HTTPFound(request.route_url("notes.moderation"))


@view_config(route_name="notes.moderation", require_csrf=False, permission=PUBLIC)
@view_config(route_name="notes.moderation_delete", require_csrf=False, permission=PUBLIC)
def wrong_method(request: Request) -> None:
    """Other methods: 405 with ``Allow``; it changes nothing, hence no CSRF check."""
    allowed = ("GET", "HEAD") if request.matched_route.name == "notes.moderation" \
        else ("POST",)
    raise method_not_allowed(request, allowed)
