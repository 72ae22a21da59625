"""The notes plugin's hooks: how another plugin extends notes (extra fields,
their validation and storage, list filters, extra keys in the API's JSON)
without touching the notes' templates or internals.

The contract, fault ``propagate``; see the plugin's README.  Version 2 of
``notes_extra_fields``, ``notes_validate`` and ``notes_saved`` came with the
API's move onto Podium's JSON API layer: extra fields are declared as a
model, once, and the other two hooks get the validated values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from podium.api import hookspec

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pyramid.registry import Registry
    from pyramid.request import Request
    from sqlalchemy import ColumnElement

    from podium.api import ApiSchema

    from .models import Note


@hookspec(version=2)
def notes_extra_fields(registry: Registry) -> type[ApiSchema] | None:  # type: ignore[empty-body]
    """A model (a ``podium.api.ApiSchema``) of the extra input fields the
    plugin reads from a note's form and the API's JSON object (``tags``).
    Its fields join the notes' own in one schema: the API and the forms
    accept them, their validators run with the notes' own (every error is
    shown at once), and the OpenAPI document shows them.  Every field needs
    a default (a note is valid without it); a form sends text, so a field a
    form shows must accept a string.  Called once, as the configuration is
    committed.  Version 1 returned names only, per request."""


@hookspec(version=1)
def notes_extra_keys(registry: Registry) -> type[BaseModel] | None:  # type: ignore[empty-body]
    """A model of the extra keys the plugin adds to a note's JSON
    (``notes_represent``), for the OpenAPI document.  Called once."""


@hookspec(version=2)
def notes_validate(request: Request, note: Note | None, values: Mapping[str, Any],
                   partial: bool) -> Mapping[str, str] | None:
    """Field -> message errors of a note whose fields are each valid (the
    checks no field's model can make: several fields together, the
    database).  ``values`` are the validated fields sent (a PATCH's only),
    the plugins' as their models made them; ``note`` is None for a new
    note, ``partial`` True for a PATCH.  Nothing is written when any."""


@hookspec(version=2)
def notes_saved(request: Request, note: Note, values: Mapping[str, Any], created: bool,
                partial: bool) -> None:
    """After the note is added or updated and flushed (it has its id), in the
    same transaction: an exception aborts the whole of it.  ``values`` as
    for ``notes_validate``."""


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
