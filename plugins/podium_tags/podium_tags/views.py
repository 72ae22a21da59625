"""The plugin's one page, ``/tags/``: every tag in use, linking to its notes.

It shows what the notes show, so it asks what the notes' list asks: the
permission ``notes.view``, and a logged-in user when the notes' setting
``notes.public_read`` is off (read from the settings, as notes documents it).
"""

from __future__ import annotations

from typing import Any

from pyramid.httpexceptions import HTTPForbidden, HTTPFound, HTTPMethodNotAllowed
from pyramid.request import Request
from pyramid.view import view_config

from podium.api import PUBLIC

from . import NOTES_VIEW, store

INDEX_TEMPLATE = "podium_tags:templates/index.jinja2"


def _check_reader(request: Request) -> None:
    if request.identity is None and not request.registry.settings.get("notes.public_read", True):
        raise HTTPForbidden("Tags are read by logged-in users only on this site.")


@view_config(route_name="tags.list", request_method="GET", renderer=INDEX_TEMPLATE,
             permission=NOTES_VIEW)
def index(request: Request) -> dict[str, Any]:
    _check_reader(request)
    return {"tags": store.counts(request.dbsession)}


@view_config(route_name="tags.list", require_csrf=False, permission=PUBLIC)
def wrong_method(request: Request) -> None:
    """Any other method: 405 with ``Allow``, not a bare 404 (registered without a
    method predicate, so tried after the view above; it changes nothing)."""
    raise HTTPMethodNotAllowed(f"{request.method} is not allowed here; use GET, HEAD.",
                               headers={"Allow": "GET, HEAD"})


def to_index(request: Request) -> HTTPFound:
    """``/tags`` without the slash leads to the page, as ``/notes`` does
    (registered by ``includeme`` when the plugin has a prefix)."""
    return HTTPFound(request.route_url("tags.list"))
