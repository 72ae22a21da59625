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

Invalid input is a **400** whose ``fields`` names each field's path
(``tags.0``), like the notes API's, and never a 422: one status for "this
request's content is wrong" whatever found it, the schema or the view
(:class:`~podium.jsonapi.errors.InvalidInput`).  A body that is not JSON is
a 400 too; a body of another type, a 415.  These checks run after the
permission and CSRF checks, so a stranger learns nothing from them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, field_validator
from pydantic_core import ErrorDetails
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationError
from pyramid.httpexceptions import HTTPUnsupportedMediaType
from pyramid.interfaces import IViewDeriverInfo
from pyramid.request import Request
from pyramid.response import Response

from ..security.csrf import is_json_body
from .errors import JSON_ROUTES, InvalidInput

OPTIONS = ("request_schema", "query_schema", "response_schema", "response_status")
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
    is one both databases store alike (:func:`check_storable`)."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

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


def invalid_input(exc: ValidationError, what: str) -> InvalidInput:
    """A pydantic error as the 400 of the error shape: one message per field
    path; an error of the whole body (not JSON, not an object) is the message."""
    fields: dict[str, str] = {}
    whole: list[str] = []
    for error in exc.errors(include_url=False, include_input=False):
        path = ".".join(str(part) for part in error["loc"])
        if error["type"] == "json_invalid":
            return InvalidInput(message=f"The {what} is not valid JSON: "
                                f"{error['ctx'].get('error', error['msg'])}.")
        if not path:
            whole.append(_message(error))
            continue
        fields[path] = f"{fields[path]} {_message(error)}" if path in fields else _message(error)
    if whole and not fields:
        return InvalidInput(message=f"The {what} was not accepted: {' '.join(whole)} "
                            "It must be a JSON object.")
    return InvalidInput(fields)


def _schema(info: IViewDeriverInfo, name: str) -> type[BaseModel] | None:
    """The option's model; what clients send must be an ``ApiSchema`` (its
    text rules are the ones the OpenAPI document states), what they get may
    be any pydantic model (``Page[Item]``)."""
    schema = info.options.get(name)
    if schema is None:
        return None
    base = BaseModel if name == "response_schema" else ApiSchema
    if not (isinstance(schema, type) and issubclass(schema, base)):
        raise ConfigurationError(
            f"{name}={schema!r} on the view {info.original_view!r}: give a subclass of "
            f"{'pydantic.BaseModel' if base is BaseModel else 'podium.api.ApiSchema'}")
    return schema


def _status(info: IViewDeriverInfo) -> int:
    status = info.options.get("response_status")
    if status is None:
        return 200
    if isinstance(status, bool) or not isinstance(status, int) or not 200 <= status <= 299:
        raise ConfigurationError(f"response_status={status!r} on the view "
                                 f"{info.original_view!r}: give a 2xx status code")
    return status


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
    skip = PAGE_PARAMETERS if is_paginated(response_schema) else ()

    def validated_view(context: Any, request: Request) -> Any:
        if query_schema is not None:
            try:
                request.validated_query = query_schema.model_validate(
                    _query_values(request, skip))
            except ValidationError as exc:
                raise invalid_input(exc, "query string") from None
        if body_adapter is not None:
            if not is_json_body(request):
                sent = request.content_type or "none"
                raise HTTPUnsupportedMediaType(
                    f"Send the body as JSON, with Content-Type: application/json "
                    f"(this request's Content-Type: {sent}).")
            try:
                request.validated = body_adapter.validate_json(request.body)
            except ValidationError as exc:
                raise invalid_input(exc, "request body") from None
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
