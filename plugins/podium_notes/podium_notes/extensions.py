"""Where the notes call their hooks (:mod:`podium_notes.hooks`): one function
per hook, so the pages and the API extend notes the same way.

With no plugin implementing them, every function here leaves the notes as
they were: no extra field, no extra error, no filter, no extra key.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from pyramid.config import Configurator
from pyramid.request import Request
from sqlalchemy import ColumnElement

from podium.api import hook_results

from .models import Note
from .schemas import FIELDS, READ_ONLY_FIELDS, ValidationError, validate_note

log = logging.getLogger(__name__)

#: The keys of a note's JSON that are the notes' own: a plugin's may not replace them.
OWN_KEYS = FIELDS + READ_ONLY_FIELDS
#: The plugins already warned about a key of the notes' own (once each, not per request).
_WARNED_KEY = "notes.represent_warned"


def _extra_field_names(request: Request) -> tuple[str, ...]:
    names: list[str] = []
    for plugin, returned in hook_results(request.registry, "notes_extra_fields",
                                         request=request):
        if isinstance(returned, str):
            raise TypeError(f"plugin {plugin!r}: notes_extra_fields returned the string "
                            f"{returned!r}; return a list of field names")
        for name in returned or ():
            if name not in OWN_KEYS and name not in names:
                names.append(str(name))
    return tuple(names)


def extra_fields(request: Request) -> tuple[str, ...]:
    """The extra fields the plugins read (``notes_extra_fields``), asked once
    per request (a reified request attribute)."""
    names: tuple[str, ...] = request.notes_extra_fields
    return names


def validate(request: Request, note: Note | None, data: Mapping[str, Any], *,
             partial: bool = False, ignore_unknown: bool = False) -> dict[str, str]:
    """The notes' own cleaned values, or one ``ValidationError`` with the notes'
    errors and every plugin's (``notes_validate``), so all are shown at once;
    for a field both refuse, the notes' own message is shown."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    try:
        values = validate_note(data, partial=partial, ignore_unknown=ignore_unknown,
                               extra_fields=extra_fields(request))
    except ValidationError as exc:
        errors.update(exc.fields)
    for returned in request.hooks.notes_validate(request=request, note=note, data=data,
                                                 partial=partial):
        for field, message in dict(returned or {}).items():
            errors.setdefault(str(field), str(message))
    if errors:
        raise ValidationError(errors)
    return values


def saved(request: Request, note: Note, data: Mapping[str, Any], *, created: bool,
          partial: bool = False) -> None:
    """``notes_saved``, once the note is flushed (it has its id)."""
    request.dbsession.flush()
    request.hooks.notes_saved(request=request, note=note, data=data, created=created,
                              partial=partial)


def list_filters(request: Request) -> list[ColumnElement[bool]]:
    """Every plugin's where-clauses for a list (``notes_list_filters``)."""
    return [clause for returned in request.hooks.notes_list_filters(request=request,
                                                                    params=request.GET)
            for clause in returned or ()]


def represent(request: Request, notes: Sequence[Note]) -> dict[int, dict[str, Any]]:
    """The plugins' extra JSON keys per note id (``notes_represent``, one call
    for the whole response).  A key of the notes' own is left out, with one
    warning per plugin."""
    extras: dict[int, dict[str, Any]] = {note.id: {} for note in notes}
    warned: set[str] = request.registry[_WARNED_KEY]
    for plugin, returned in hook_results(request.registry, "notes_represent",
                                         request=request, notes=notes):
        for note_id, keys in dict(returned or {}).items():
            if note_id not in extras:
                continue
            for key, value in keys.items():
                if key in OWN_KEYS:
                    if plugin not in warned:
                        warned.add(plugin)
                        log.warning("plugin %r: notes_represent returned the key %r, one of "
                                    "the notes' own (%s); such keys are left out", plugin, key,
                                    ", ".join(OWN_KEYS))
                    continue
                extras[note_id].setdefault(key, value)
    return extras


def includeme(config: Configurator) -> None:
    config.registry[_WARNED_KEY] = set()
    config.add_request_method(_extra_field_names, "notes_extra_fields", reify=True)
