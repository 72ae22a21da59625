"""The JSON API layer: what a plugin's JSON endpoints get from the core.

- :mod:`.base`: ``ApiSchema``, the base of request and query models;
- :mod:`.invalid`: pydantic's refusals as the 400 of the error shape;
- :mod:`.schemas`: ``request_schema``, ``query_schema``, ``response_schema``
  and ``response_status`` view options (pydantic models), ``request.validated``;
- :mod:`.errors`: the one error shape, and the 405 of JSON API routes;
- :mod:`.pagination`: ``paginate`` and ``Page``;
- :mod:`.conditional`: ETags, ``If-None-Match`` (304), ``If-Match`` (412);
- :mod:`.openapi`: the OpenAPI 3.1 document, built once per application;
- :mod:`.viewer`: ``GET /api/openapi.json`` and the reference page ``/api/``.

See docs/api-layer.md.
"""

from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    config.include(".errors")
    config.include(".schemas")
    config.include(".pagination")
    config.include(".viewer")


def after_plugins(config: Configurator) -> None:
    """What needs every plugin's views: the navigation's API entry, the document."""
    from .openapi import build_when_committed
    from .viewer import add_navigation_entry

    add_navigation_entry(config)
    build_when_committed(config)
