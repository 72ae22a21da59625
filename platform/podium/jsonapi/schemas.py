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

from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationError
from pyramid.httpexceptions import HTTPUnsupportedMediaType
from pyramid.interfaces import IViewDeriverInfo
from pyramid.registry import Registry
from pyramid.request import Request
from pyramid.response import Response

from ..security.csrf import is_json_body
from ..web.errors import JSON_ROUTES
from .base import ApiSchema
from .invalid import invalid_input, refused_body
from .pagination import DEFAULT_SETTING, MAX_SETTING, PAGE_SETTINGS_ATTRIBUTE, Page

OPTIONS = ("request_schema", "query_schema", "response_schema", "response_status",
           "per_page_settings")
SCHEMA_OPTIONS = ("request_schema", "query_schema", "response_schema")
#: Registry key: schema factory -> the model it returned (called once per application).
_RESOLVED = "podium.jsonapi.resolved_schemas"
#: Query parameters :func:`podium.jsonapi.pagination.paginate` reads itself.
PAGE_PARAMETERS = ("page", "per_page")


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
                raise refused_body(exc, request.body, body_adapter, request_schema) from None
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
