"""The one JSON error shape of every JSON endpoint, and the 405 the router leaves out.

Every 4xx and 5xx a JSON client gets, from the core or a plugin, is::

    {"error": {"status": 400, "title": "Bad Request", "message": "...",
               "fields": {"title": "Required.", "tags.0": "..."}}}

sent as ``application/json`` by the core's error views
(:func:`podium.web.errors.error_response`); ``fields`` comes only with an
invalid input (:class:`InvalidInput`), one message per field path.  It is
kept rather than RFC 9457's ``application/problem+json`` because clients and
tests already read ``error.status``; the members mean what RFC 9457's
``status``, ``title`` and ``detail`` mean.

Pyramid answers a method no view of a matched route accepts with a 404
(``PredicateMismatch``); for the routes of JSON API views (``json_api=True``)
the view here makes it the 405 it is, with ``Allow`` listing the methods the
route's views declare, read once from the introspector.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field
from pyramid.config import Configurator
from pyramid.exceptions import PredicateMismatch
from pyramid.httpexceptions import HTTPBadRequest
from pyramid.registry import Registry
from pyramid.request import Request
from pyramid.response import Response

from ..web.errors import JSON_ROUTES, error_response, http_error

#: Registry key: route name -> the methods its views answer (None: any).
_ROUTE_METHODS = "podium.jsonapi.route_methods"
_methods_lock = threading.Lock()

INVALID_MESSAGE = "The request was not accepted: correct the fields listed."


class InvalidInput(HTTPBadRequest):
    """A 400 naming what is wrong with each field (``fields``: path -> message).

    Raised by the schema options for what pydantic refuses, and by a view for
    what only it can check (``InvalidInput({"title": "Taken."})``)."""

    def __init__(self, fields: Mapping[str, str] | None = None, message: str | None = None):
        self.fields: dict[str, str] = dict(fields or {})
        super().__init__(message or INVALID_MESSAGE)


class ErrorDetail(BaseModel):
    """The members of an error (the OpenAPI document's ``Error`` schema is made from it)."""



    status: int = Field(description="The HTTP status code, as in the status line.")
    title: str = Field(description="The status's reason phrase.")
    message: str = Field(description="What went wrong and what helps, for a person.")
    fields: dict[str, str] | None = Field(
        None, description="Only for invalid input: each offending field's path (tags.0) "
                          "and what is wrong with it.")


class ErrorBody(BaseModel):
    """``{"error": {...}}``: what every 4xx and 5xx of a JSON endpoint sends."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"error": {"status": 400, "title": "Bad Request", "message": INVALID_MESSAGE,
                   "fields": {"title": "Required."}}},
        {"error": {"status": 404, "title": "Not Found", "message": "No item with id 7."}},
    ]})

    error: ErrorDetail


def _declared_methods(registry: Registry) -> dict[str, frozenset[str] | None]:
    """Route name -> the methods its (non-exception) views declare, or None
    when one of them accepts any method; worked out once."""
    found: dict[str, frozenset[str] | None] | None = registry.get(_ROUTE_METHODS)
    if found is not None:
        return found
    with _methods_lock:
        methods: dict[str, set[str] | None] = {}
        for entry in registry.introspector.get_category("views"):
            intr = entry["introspectable"]
            route = intr["route_name"]
            if route is None or intr["exception_only"]:
                continue
            declared = intr["request_methods"]
            if declared is None:
                methods[route] = None
                continue
            names = {declared} if isinstance(declared, str) else set(declared)
            if "GET" in names:
                names.add("HEAD")  # Pyramid's request_method="GET" answers HEAD too
            current = methods.setdefault(route, set())
            if current is not None:
                current.update(names)
        found = {route: None if names is None else frozenset(names)
                 for route, names in methods.items()}
        registry[_ROUTE_METHODS] = found
    return found


def allowed_methods(request: Request) -> frozenset[str] | None:
    """The methods the matched route's views answer; None when unknown or any."""
    route = getattr(request, "matched_route", None)
    if route is None:
        return None
    return _declared_methods(request.registry).get(route.name)


def predicate_mismatch(exc: PredicateMismatch, request: Request) -> Response:
    """405 with ``Allow`` when a JSON API route's views take other methods;
    any other mismatch (another predicate, an HTML route) stays the 404."""
    route = getattr(request, "matched_route", None)
    if route is not None and route.name in request.registry.get(JSON_ROUTES, ()):
        allowed = allowed_methods(request)
        if allowed is not None and request.method not in allowed:
            listed = ", ".join(sorted(allowed))
            return error_response(
                request, 405, "Method Not Allowed",
                f"{request.method} is not allowed here; use {listed}.",
                headers=[("Allow", listed)])
    return http_error(exc, request)


def includeme(config: Configurator) -> None:
    config.registry[JSON_ROUTES] = set()
    # More specific than the core's HTTPError view, so it wins for this one case.
    config.add_exception_view(predicate_mismatch, context=PredicateMismatch)

