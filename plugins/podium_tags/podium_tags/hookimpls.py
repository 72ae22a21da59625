"""How tags extend notes: implementations of the notes' hooks (``podium_notes.hooks``).

Each is written for one version of its spec (``versions=(2,)``): a notes
release that changes a contract bumps the version, and Podium then refuses
this plugin at start-up instead of calling it wrongly.  The notes' objects
are only read (``note.id``); nothing of ``podium_notes`` is imported.

- ``notes_extra_fields`` (version 2): the model of the field ``tags``
  (:mod:`podium_tags.schema`), which the form and the API accept, and whose
  errors are shown with the notes' own (nothing is written);
- ``notes_extra_keys``: the ``tags`` key of a note's JSON, for the OpenAPI document;
- ``notes_saved`` (version 2): the note's tags, in the note's transaction;
- ``notes_list_filters``: ``?tag=NAME`` on the list page and the API's list;
- ``notes_represent``: ``"tags": [...]`` in the API's JSON of a note.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel
from pyramid.httpexceptions import HTTPBadRequest
from pyramid.registry import Registry
from pyramid.request import Request
from sqlalchemy import ColumnElement

from podium.api import ApiSchema, hookimpl

from . import store
from .names import Limits, TagError, check_name
from .schema import FIELD, TagsOutput, input_model
from .settings import LIMITS_KEY

#: The list's query parameter.
PARAMETER = "tag"


def limits(request: Request) -> Limits:
    found: Limits = request.registry[LIMITS_KEY]
    return found


@hookimpl(versions=(2,))
def notes_extra_fields(registry: Registry) -> type[ApiSchema]:
    """The field ``tags``, validated and normalised with the notes' own."""
    return input_model(registry[LIMITS_KEY])


@hookimpl(versions=(1,))
def notes_extra_keys(registry: Registry) -> type[BaseModel]:
    return TagsOutput


@hookimpl(versions=(2,))
def notes_saved(request: Request, note: Any, values: Mapping[str, Any], created: bool,
                partial: bool) -> None:
    """Replace the note's tags with those sent; a PATCH without ``tags`` keeps them."""
    if FIELD in values:
        names = values[FIELD]  # normalised by the input model
    elif partial:
        return
    else:
        names = []
    if created and not names:
        return  # a new note has no tags to take away
    store.set_tags(request.dbsession, note.id, names)


@hookimpl(versions=(1,))
def notes_list_filters(request: Request,
                       params: Mapping[str, str]) -> Sequence[ColumnElement[bool]] | None:
    """``?tag=NAME``: only the notes with that tag (an empty value filters nothing,
    like an empty search box)."""
    name = tag_parameter(request, params)
    return None if name is None else [store.tagged(name)]


def tag_parameter(request: Request, params: Mapping[str, str]) -> str | None:
    """The normalised ``?tag=``, None without one, or a 400 naming the problem."""
    raw = params.get(PARAMETER)
    if raw is None or not raw.strip():
        return None
    try:
        return check_name(raw, limits(request))
    except TagError as exc:
        raise HTTPBadRequest(f"{PARAMETER}: {exc}") from None


@hookimpl(versions=(1,))
def notes_represent(request: Request,
                    notes: Sequence[Any]) -> Mapping[int, Mapping[str, Any]] | None:
    found = store.tags_by_note(request.dbsession, (note.id for note in notes))
    return {note_id: {FIELD: names} for note_id, names in found.items()}
