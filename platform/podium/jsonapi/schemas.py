"""Request and response schemas of JSON API views: pydantic models as view options.

A view declared ``json_api=True`` may also declare, through the view
deriver registered here (Pyramid's documented way to add view options):

``request_schema=Model``
    the body must be sent as JSON (``application/json`` or ``...+json``;
    anything else is a 415) and be valid for ``Model``; the view finds the
    model instance in ``request.validated``.
``query_schema=Model``
    the query string, validated into ``request.validated_query`` (a
    parameter given twice is a list, refused unless the field is one; on a
    paginated view ``page`` and ``per_page`` are left to :func:`paginate`).
``response_schema=Model``
    what the view returns (a ``Model``, a dict, an object whose attributes
    carry the fields, such as an ORM row) is validated and serialized with
    it, as ``application/json``; a ``Response`` the view returns is sent as
    it is.
``response_status=201``
    the status of a success (200 by default); with 204 nothing is sent.
``per_page_settings=("myplugin.page_size", "myplugin.max_per_page")``
    on a paginated view, the settings giving its default and largest page
    size instead of ``podium.api.default_per_page`` and ``podium.api.max_per_page``.

A schema option may also be a **schema factory**: a function of the registry
returning the model, called once as the configuration is committed (every
plugin's hooks are known by then), for a schema that other plugins extend
(the notes' input gains the tags plugin's field this way).

Invalid input is a **400** whose ``fields`` names each field's path
(``tags.0``), like the notes API's, and never a 422: one status for "this
request's content is wrong" whatever found it, the schema or the view
(:class:`~podium.jsonapi.errors.InvalidInput`).  A body that is not JSON is
a 400 too; a body of another type, a 415.  These checks run after the
permission and CSRF checks, so a stranger learns nothing from them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, field_validator
from pydantic_core import ErrorDetails
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationError
from pyramid.httpexceptions import HTTPUnsupportedMediaType
from pyramid.interfaces import IViewDeriverInfo
from pyramid.registry import Registry
from pyramid.request import Request
from pyramid.response import Response

from ..security.csrf import is_json_body
from ..web.errors import JSON_ROUTES
from .errors import INVALID_MESSAGE, InvalidInput

OPTIONS = ("request_schema", "query_schema", "response_schema", "response_status",
           "per_page_settings")
SCHEMA_OPTIONS = ("request_schema", "query_schema", "response_schema")
#: Registry key: schema factory -> the model it returned (called once per application).
_RESOLVED = "podium.jsonapi.resolved_schemas"
#: Where a paginated view's ``per_page_settings`` are found by ``paginate``.
PAGE_SETTINGS_ATTRIBUTE = "podium_per_page_settings"
#: Query parameters :func:`podium.jsonapi.pagination.paginate` reads itself.
PAGE_PARAMETERS = ("page", "per_page")


def check_storable(value: Any, where: str = "") -> None:
    """Refuse text no database can store the same: NUL (PostgreSQL refuses
    it, SQLite keeps it) and lone UTF-16 surrogates (``"\\ud800"`` in JSON,
    which no driver can encode).  Lists and dicts are looked into, and the
    message names the item (``where``: "item 0: ")."""
    if isinstance(value, str):
        problem = None
        if "\x00" in value:
            problem = "must not contain NUL characters (U+0000)."
        elif not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                problem = (f"must be valid Unicode text: {exc.object[exc.start]!a} is a lone "
                           "UTF-16 surrogate, not a character.")
        if problem:
            text = where + problem
            raise ValueError(text[0].upper() + text[1:])
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            check_storable(item, f"{where}item {index}: ")
    elif isinstance(value, (set, frozenset)):
        for item in value:
            check_storable(item, f"{where}an item: ")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_storable(key, f"{where}a key: ")
            check_storable(item, f"{where}{key!r}: ")


#: Field values that hold no text.
_PLAIN = frozenset({int, float, bool, type(None)})


class ApiSchema(BaseModel):
    """The base of request and response models: unknown fields are refused
    (a misspelt field must not be dropped silently), fields are read from
    attributes too (an ORM row serializes as it is), and every text field
    is one both databases store alike (:func:`check_storable`).

    A schema words its own 400s with :attr:`invalid_message` and
    :meth:`error_message`; the defaults are the layer's."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    #: The 400's ``message`` when fields are invalid (None: the layer's).
    invalid_message: ClassVar[str | None] = None

    @classmethod
    def error_message(cls, path: str, error_type: str, message: str) -> str:
        """The message shown for field ``path``'s error of pydantic's type
        ``error_type`` (``missing``, ``string_type``, ``extra_forbidden``...);
        ``message`` is the layer's wording.  Override to speak your users'
        language; the default keeps the layer's."""
        return message

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        kind = value.__class__
        if kind is str:
            if value.isascii() and "\x00" not in value:
                return value  # the common case, without a call
        elif kind in _PLAIN:
            return value
        check_storable(value)
        return value


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "missing":
        return "Required."
    if kind == "extra_forbidden":
        return "Unknown field."
    if kind == "value_error" and "error" in error.get("ctx", {}):
        return str(error["ctx"]["error"])  # our own message, without pydantic's prefix
    return error["msg"] + "."


def invalid_input(exc: ValidationError, schema: type[BaseModel] | None = None,
                  what: str = "request body") -> InvalidInput:
    """A pydantic error as the 400 of the error shape: one message per field
    path, worded by ``schema`` when it is an :class:`ApiSchema`; an error of
    the whole (``what``: not JSON, not an object) is the message.  For a
    plugin that validates with a schema itself (a form)."""
    fields: dict[str, str] = {}
    whole: list[str] = []
    word = schema.error_message if schema is not None and issubclass(
        schema, ApiSchema) else None
    for error in exc.errors(include_url=False, include_input=False):
        path = ".".join(str(part) for part in error["loc"])
        if error["type"] == "json_invalid":
            return InvalidInput(message=f"The {what} is not valid JSON: "
                                f"{error['ctx'].get('error', error['msg'])}.")
        if error["type"] in ("model_type", "model_attributes_type", "dict_type"):
            return InvalidInput(message=f"The {what} must be a JSON object.")
        message = _message(error)
        if not path:  # a model validator's: about the whole, not one field
            whole.append(message)
            continue
        if word is not None:
            message = word(path, error["type"], message)
        fields[path] = f"{fields[path]} {message}" if path in fields else message
    invalid = getattr(schema, "invalid_message", None)
    summary = invalid if isinstance(invalid, str) else None
    if whole:
        summary = " ".join([summary or INVALID_MESSAGE, *whole] if fields else whole)
    return InvalidInput(fields, summary)


def _refused_body(exc: ValidationError, body: bytes, adapter: TypeAdapter[Any],
                  schema: type[BaseModel] | None) -> InvalidInput:
    """The 400 of a body ``adapter`` refused.  pydantic's JSON parser refuses
    the escape of a lone surrogate (``"\\ud800"``) as invalid JSON, where
    Python's reads it: such a body is read again by Python's, so that the
    400 names the field (whose text :func:`check_storable` refuses); only
    on this error path."""
    if any(error["type"] == "json_invalid" for error in exc.errors(include_url=False)):
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return invalid_input(exc, schema)
        # A name that is no text is no field's: unknown, and left out of the rest's check.
        unknown = {key for key in data if not _is_text(key)} if isinstance(data, dict) else set()
        if unknown:
            data = {key: value for key, value in data.items() if key not in unknown}
        try:
            adapter.validate_python(data)
        except ValidationError as second:
            refused = invalid_input(second, schema)
        else:
            if not unknown:
                return invalid_input(exc, schema)
            refused = InvalidInput({}, getattr(schema, "invalid_message", None))
        word = schema.error_message if schema is not None and issubclass(
            schema, ApiSchema) else None
        for key in sorted(unknown):
            refused.fields[key] = word(key, "extra_forbidden", "Unknown field.") if word else (
                "Unknown field.")
        return refused
    return invalid_input(exc, schema)


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def resolve_schema(registry: Registry, schema: Any) -> Any:
    """The model a schema option names: the option itself, or what its
    factory returns for ``registry`` (called once, then remembered, so the
    view and the OpenAPI document see the same model)."""
    if schema is None or isinstance(schema, type) or not callable(schema):
        return schema
    resolved: dict[Any, Any] = registry.setdefault(_RESOLVED, {})
    if schema not in resolved:
        resolved[schema] = schema(registry)
    return resolved[schema]


def _schema(info: IViewDeriverInfo, name: str) -> type[BaseModel] | None:
    """The option's model; what clients send must be an ``ApiSchema`` (its
    text rules are the ones the OpenAPI document states), what they get may
    be any pydantic model (``Page[Item]``)."""
    option = info.options.get(name)
    schema = resolve_schema(info.registry, option)
    if schema is None:
        return None
    base = BaseModel if name == "response_schema" else ApiSchema
    if not (isinstance(schema, type) and issubclass(schema, base)):
        made = "" if schema is option else f" (made by the factory {option!r})"
        raise ConfigurationError(
            f"{name}={schema!r}{made} on the view {info.original_view!r}: give a subclass "
            f"of {'pydantic.BaseModel' if base is BaseModel else 'podium.api.ApiSchema'}, "
            "or a function of the registry returning one")
    return schema


def _status(info: IViewDeriverInfo) -> int:
    status = info.options.get("response_status")
    if status is None:
        return 200
    if isinstance(status, bool) or not isinstance(status, int) or not 200 <= status <= 299:
        raise ConfigurationError(f"response_status={status!r} on the view "
                                 f"{info.original_view!r}: give a 2xx status code")
    return status


def page_settings(registry: Registry, option: Any, view: Any = None) -> tuple[str, str]:
    """The settings' names of a paginated view's default and largest page
    size: ``per_page_settings`` or the platform's, checked to be set."""
    from .pagination import DEFAULT_SETTING, MAX_SETTING

    if option is None:
        return DEFAULT_SETTING, MAX_SETTING
    if (not isinstance(option, (tuple, list)) or len(option) != 2
            or not all(isinstance(name, str) for name in option)):
        raise ConfigurationError(f"per_page_settings={option!r} on the view {view!r}: give "
                                 "the names of two settings (default, largest page size)")
    for name in option:
        value = registry.settings.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigurationError(
                f"per_page_settings on the view {view!r}: the setting {name} is "
                f"{value!r}; it must be a whole number of 1 or more (declare it as an "
                "integer setting of your plugin)")
    return option[0], option[1]


def _query_values(request: Request, skip: Iterable[str]) -> dict[str, Any]:
    return {key: value for key, value in request.GET.mixed().items() if key not in skip}


def is_paginated(schema: type[BaseModel] | None) -> bool:
    from .pagination import Page

    return schema is not None and issubclass(schema, Page)


def schema_view(view: Callable[..., Any], info: IViewDeriverInfo) -> Callable[..., Any]:
    """The view deriver of the schema options (see the module's docstring)."""
    options = info.options
    route_name = options.get("route_name")
    if options.get("json_api") and route_name and not info.exception_only:
        # For the route's 405 (podium.jsonapi.errors) and the navigation's API entry.
        info.registry[JSON_ROUTES].add(route_name)
    request_schema = _schema(info, "request_schema")
    query_schema = _schema(info, "query_schema")
    response_schema = _schema(info, "response_schema")
    declared = any(options.get(name) is not None for name in OPTIONS)
    if not declared or info.exception_only:
        return view
    if not options.get("json_api"):
        raise ConfigurationError(
            f"{', '.join(n for n in OPTIONS if options.get(n) is not None)} on the view "
            f"{info.original_view!r} need json_api=True: these options are for JSON API views")
    status = _status(info)
    body_adapter = TypeAdapter(request_schema) if request_schema else None
    response_adapter = TypeAdapter(response_schema) if response_schema else None
    paginated = is_paginated(response_schema)
    skip = PAGE_PARAMETERS if paginated else ()
    if options.get("per_page_settings") is not None and not paginated:
        raise ConfigurationError(f"per_page_settings on the view {info.original_view!r} "
                                 "needs a response_schema=Page[...]")
    per_page = page_settings(info.registry, options.get("per_page_settings"),
                             info.original_view) if paginated else None

    def validated_view(context: Any, request: Request) -> Any:
        if query_schema is not None:
            try:
                request.validated_query = query_schema.model_validate(
                    _query_values(request, skip))
            except ValidationError as exc:
                raise invalid_input(exc, query_schema, "query string") from None
        if body_adapter is not None:
            if not is_json_body(request):
                sent = request.content_type or "none"
                raise HTTPUnsupportedMediaType(
                    f"Send the body as JSON, with Content-Type: application/json "
                    f"(this request's Content-Type: {sent}).")
            try:
                request.validated = body_adapter.validate_json(request.body)
            except ValidationError as exc:
                raise _refused_body(exc, request.body, body_adapter, request_schema) from None
        if per_page is not None:
            setattr(request, PAGE_SETTINGS_ATTRIBUTE, per_page)
        response = request.response
        response.status_int = status
        result = view(context, request)
        if isinstance(result, Response):
            return result
        if status == 204:
            del response.content_type  # nothing is sent, so no type either
            return response
        if response_adapter is None:
            return result  # the view's renderer, if any, renders it
        if not isinstance(result, response_schema):  # type: ignore[arg-type]
            result = response_adapter.validate_python(result, from_attributes=True)
        response.content_type = "application/json"
        response.body = response_adapter.dump_json(result)
        return response

    return validated_view


schema_view.options = OPTIONS  # type: ignore[attr-defined]


def includeme(config: Configurator) -> None:
    # Inside the permission and CSRF checks, on the view's own return value
    # (under the renderer): nobody is told what is invalid before being let in.
    config.add_view_deriver(schema_view, "podium_schemas", under="rendered_view",
                            over="mapped_view")
