"""Where the notes call their hooks (:mod:`podium_notes.hooks`): one function
per hook, so the pages and the API extend notes the same way.

The schemas the API declares and the forms validate with are composed here,
once per application, from the notes' own (:mod:`podium_notes.schemas`) and
every plugin's ``notes_extra_fields`` and ``notes_extra_keys`` models: the
view options name the factories below, which the JSON API layer calls as
the configuration is committed.

With no plugin implementing the hooks, every function here leaves the notes
as they were: no extra field, no extra error, no filter, no extra key.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationError
from pyramid.registry import Registry
from pyramid.request import Request
from sqlalchemy import ColumnElement

from podium.api import ApiSchema, InvalidInput, Page, hook_results, invalid_input

from .models import Note
from .schemas import (
    FIELDS,
    READ_ONLY_FIELDS,
    NoteInput,
    NoteOutput,
    NotePatch,
    NoteSchema,
)

log = logging.getLogger(__name__)

#: The keys of a note's JSON that are the notes' own: a plugin's may not replace them.
OWN_KEYS = FIELDS + READ_ONLY_FIELDS
#: The plugins already warned about a key of the notes' own (once each, not per request).
_WARNED_KEY = "notes.represent_warned"
_SCHEMAS_KEY = "notes.schemas"


@dataclass(frozen=True)
class NoteSchemas:
    """The models of one application, the plugins' fields and keys included."""

    input: type[NoteInput]  # a new or a replaced note: POST, PUT, the forms
    patch: type[NotePatch]
    output: type[NoteOutput]
    page: type[Page[Any]]
    #: The plugins' input fields, in plugin order (the form keeps their values).
    extra_fields: tuple[str, ...]


def _models(registry: Registry, hook: str, base: type[BaseModel]) -> list[type[BaseModel]]:
    """The plugins' models of ``hook``, checked: a subclass of ``base``, no
    field of the notes' own or of another plugin, a default for each field."""
    models: list[type[BaseModel]] = []
    taken: dict[str, str] = {name: "the notes" for name in OWN_KEYS}
    for plugin, model in hook_results(registry, hook, registry=registry):
        if model is None:
            continue
        if not (isinstance(model, type) and issubclass(model, base)):
            raise ConfigurationError(f"plugin {plugin!r}: {hook} returned {model!r}; return a "
                                     f"subclass of {base.__module__}.{base.__qualname__}")
        for name, field in model.model_fields.items():
            if name in taken:
                raise ConfigurationError(f"plugin {plugin!r}: {hook} declares the field "
                                         f"{name!r}, which is {taken[name]}'")
            if base is ApiSchema and field.is_required():
                raise ConfigurationError(f"plugin {plugin!r}: {hook} declares the field "
                                         f"{name!r} without a default; a note must be valid "
                                         "without it")
            taken[name] = f"plugin {plugin!r}"
        models.append(model)
    return models


def _compose(name: str, base: type[BaseModel], extra: list[type[BaseModel]]) -> Any:
    """``base`` with the plugins' fields after its own (a subclass of all:
    their validators run), each field's errors worded by its own model."""
    if not extra:
        return base
    owner = {field: model for model in extra for field in model.model_fields}

    def error_message(cls: type[BaseModel], path: str, error_type: str, message: str) -> str:
        model = owner.get(path.split(".", 1)[0])
        if model is None:  # the notes' own wording, for this composed schema
            return base.error_message.__func__(cls, path, error_type, message)  # type: ignore[attr-defined, no-any-return]
        word = getattr(model, "error_message", None)
        return word(path, error_type, message) if word is not None else message

    # Bases in this order: pydantic lists the fields of the last first.
    namespace = {"__module__": base.__module__, "__doc__": base.__doc__,
                 "__qualname__": name, "error_message": classmethod(error_message)}
    return type(base)(name, (*reversed(extra), base), namespace)


def note_schemas(registry: Registry) -> NoteSchemas:
    """The application's note models, composed on first use and kept."""
    found: NoteSchemas | None = registry.get(_SCHEMAS_KEY)
    if found is None:
        fields = _models(registry, "notes_extra_fields", ApiSchema)
        keys = _models(registry, "notes_extra_keys", BaseModel)
        output = _compose("Note", NoteOutput, keys)
        found = NoteSchemas(
            input=_compose("NoteInput", NoteInput, fields),
            patch=_compose("NotePatch", NotePatch, fields),
            output=output,
            page=Page[output],  # type: ignore[valid-type]
            extra_fields=tuple(name for model in fields for name in model.model_fields),
        )
        registry[_SCHEMAS_KEY] = found
    return found


# The factories the API's views name as schema options.

def input_schema(registry: Registry) -> type[NoteInput]:
    return note_schemas(registry).input


def patch_schema(registry: Registry) -> type[NotePatch]:
    return note_schemas(registry).patch


def output_schema(registry: Registry) -> type[NoteOutput]:
    return note_schemas(registry).output


def page_schema(registry: Registry) -> type[Page[Any]]:
    return note_schemas(registry).page


def extra_fields(request: Request) -> tuple[str, ...]:
    """The plugins' input fields (``notes_extra_fields``)."""
    return note_schemas(request.registry).extra_fields


def values_of(validated: BaseModel, *, partial: bool) -> dict[str, Any]:
    """The fields to apply: a PATCH's only those sent; otherwise the notes' own
    (a missing body is an empty one) and the plugins' that were sent."""
    names: Iterable[str] = validated.model_fields_set
    if not partial:
        names = dict.fromkeys([*FIELDS, *validated.model_fields_set])
    return {name: getattr(validated, name) for name in names}


def check(request: Request, note: Note | None, values: Mapping[str, Any], *,
          partial: bool = False) -> None:
    """The plugins' checks of valid fields (``notes_validate``): one 400 with
    every plugin's errors."""
    errors: dict[str, str] = {}
    for returned in request.hooks.notes_validate(request=request, note=note, values=values,
                                                 partial=partial):
        for field, message in dict(returned or {}).items():
            errors.setdefault(str(field), str(message))
    if errors:
        raise InvalidInput(errors, NoteSchema.invalid_message)


def validate_form(request: Request, note: Note | None) -> dict[str, Any]:
    """A form's note, validated as a PUT would be (the fields the schema knows
    are read from the POST, the rest, such as the CSRF token, ignored): the
    values, or ``InvalidInput`` with every field's message."""
    schema = note_schemas(request.registry).input
    data = {name: request.POST[name] for name in schema.model_fields if name in request.POST}
    try:
        validated = schema.model_validate(data)
    except ValidationError as exc:
        raise invalid_input(exc, schema, "form") from None
    values = values_of(validated, partial=False)
    check(request, note, values)
    return values


def saved(request: Request, note: Note, values: Mapping[str, Any], *, created: bool,
          partial: bool = False) -> None:
    """``notes_saved``, once the note is flushed (it has its id)."""
    request.dbsession.flush()
    request.hooks.notes_saved(request=request, note=note, values=values, created=created,
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
