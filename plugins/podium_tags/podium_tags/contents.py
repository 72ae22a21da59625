"""What tags put into the notes' pages, through the notes' template slots.

Each content is a callable ``content(request, **values)`` that reads the tags
and renders one of the plugin's own templates (autoescaped, so a tag can
never be markup; the names' rules forbid ``<`` anyway).

A list page asks for the tags of its notes once: the first list item's
content loads those of every note of the page (``notes`` is the page's
notes) and keeps them in the request's environ for the other items.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup
from pyramid.config import Configurator
from pyramid.renderers import render
from pyramid.request import Request

from . import store
from .hookimpls import FIELD, PARAMETER, limits, tag_parameter
from .names import joined

FIELD_TEMPLATE = "podium_tags:templates/field.jinja2"
NOTE_TEMPLATE = "podium_tags:templates/note_tags.jinja2"
ITEM_TEMPLATE = "podium_tags:templates/item_tags.jinja2"
FILTER_TEMPLATE = "podium_tags:templates/filter.jinja2"

#: The page's tags by note id, in ``request.environ``: one query per list page.
_CACHE_KEY = "podium_tags.by_note"


def _render(template: str, request: Request, **values: Any) -> Markup:
    # pyramid_jinja2 autoescapes: what it returns is markup already.
    return Markup(render(template, values, request=request))


def form_field(request: Request, note: Any, values: Mapping[str, Any],
               errors: Mapping[str, str], **_: Any) -> Markup:
    """The "Tags" field: the submitted text on a re-shown form, the note's tags on
    an edit form, empty for a new note."""
    if request.method == "POST" or note is None:
        value = str(values.get(FIELD, ""))
    else:
        value = joined(store.tags_by_note(request.dbsession, [note.id])[note.id])
    return _render(FIELD_TEMPLATE, request, value=value, error=errors.get(FIELD),
                   max_length=limits(request).max_length)


def note_tags(request: Request, note: Any, **_: Any) -> Markup:
    """The note's tags, as links to the list of notes with each."""
    names = store.tags_by_note(request.dbsession, [note.id])[note.id]
    return _render(NOTE_TEMPLATE, request, names=names) if names else Markup("")


def item_tags(request: Request, note: Any, notes: Sequence[Any] = (), **_: Any) -> Markup:
    """One list item's tags, from the page's tags read once."""
    cache: dict[int, list[str]] = request.environ.setdefault(_CACHE_KEY, {})
    if note.id not in cache:
        cache.update(store.tags_by_note(request.dbsession, {n.id for n in notes} | {note.id}))
    names = cache[note.id]
    return _render(ITEM_TEMPLATE, request, names=names) if names else Markup("")


def filter_notice(request: Request, **_: Any) -> Markup:
    """"Notes tagged X — show all" above a list filtered by ``?tag=``."""
    name = tag_parameter(request, request.GET)
    if name is None:
        return Markup("")
    return _render(FILTER_TEMPLATE, request, name=name, parameter=PARAMETER)


def includeme(config: Configurator) -> None:
    config.add_slot_content("notes.form.fields", form_field)
    config.add_slot_content("notes.note.after_body", note_tags)
    config.add_slot_content("notes.list.item", item_tags)
    config.add_slot_content("notes.list.filters", filter_notice)
