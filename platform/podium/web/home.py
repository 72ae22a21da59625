"""The core home page: what this platform runs."""

from __future__ import annotations

from typing import Any

from pyramid.config import Configurator
from pyramid.request import Request

from ..plugins.permissions import PUBLIC
from ..plugins.plugin_set import plugin_set
from .urls import plugin_front_url


def home(request: Request) -> dict[str, Any]:
    plugins = plugin_set(request.registry)
    return {"plugins": plugins.enabled, "broken": plugins.broken,
            "front_urls": {p.name: plugin_front_url(request, p) for p in plugins.enabled}}


def includeme(config: Configurator) -> None:
    config.add_route("podium.home", "/")
    config.add_view(home, route_name="podium.home", renderer="podium:templates/home.jinja2",
                    permission=PUBLIC)
