"""``GET /api/openapi.json`` and the API reference page ``/api/``.

The document is served as the bytes :func:`~podium.jsonapi.openapi.openapi_json`
built once.  The reference page is the core layout around Swagger UI, whose
files (``swagger-ui-dist`` from the npm registry, version and digest pinned in
:mod:`podium.jsonapi.viewer_assets`) ``make install`` puts in the git-ignored
``podium/jsonapi/swagger-ui`` directory, served by a static view of this site: a
reference page never loads a script from another site.  Without them the page says
how to install them.

The navigation links the page when an enabled plugin has a JSON API view
(:func:`add_navigation_entry`, included after the plugins).
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from pyramid.config import Configurator
from pyramid.request import Request
from pyramid.response import Response

from ..plugins.permissions import PUBLIC
from ..web.errors import JSON_ROUTES
from .openapi import openapi_json

DOCUMENT_ROUTE = "podium.api.openapi"
REFERENCE_ROUTE = "podium.api.reference"
TEMPLATE = "podium:templates/api_reference.jinja2"
VIEWER_ASSETS = "podium.jsonapi:swagger-ui"
VIEWER_FILES = ("swagger-ui-bundle.js", "swagger-ui.css")


def viewer_installed() -> bool:
    directory = resources.files("podium.jsonapi") / "swagger-ui"
    return all((directory / name).is_file() for name in VIEWER_FILES)


def document(request: Request) -> Response:
    """The OpenAPI 3.1 document of this site's JSON API."""
    return Response(body=openapi_json(request.registry), content_type="application/json",
                    charset=None)


def reference(request: Request) -> dict[str, Any]:
    return {"installed": viewer_installed(),
            "document_url": request.route_path(DOCUMENT_ROUTE)}


def includeme(config: Configurator) -> None:
    config.add_route(DOCUMENT_ROUTE, "/api/openapi.json")
    config.add_route(REFERENCE_ROUTE, "/api/")
    config.add_view(document, route_name=DOCUMENT_ROUTE, request_method="GET", json_api=True,
                    permission=PUBLIC)
    config.add_view(reference, route_name=REFERENCE_ROUTE, request_method="GET",
                    renderer=TEMPLATE, permission=PUBLIC)
    config.add_static_view("podium-swagger-ui", VIEWER_ASSETS, cache_max_age=3600)


def add_navigation_entry(config: Configurator) -> None:
    """After the plugins' views are registered (an action of the same order
    registered later runs later): an "API" entry when one of them is a JSON
    API view; a site without one gets no link to an empty reference."""

    def maybe_add() -> None:
        routes = config.registry.get(JSON_ROUTES, ())
        if any(not name.startswith("podium.") for name in routes):
            config.add_podium_nav("podium.api", "API", route_name=REFERENCE_ROUTE, weight=1000)

    config.action(None, maybe_add)

