"""The core home page: what this platform runs."""

from __future__ import annotations

from typing import Any

from pyramid.config import Configurator
from pyramid.request import Request

from ..plugins.registry import plugin_set


def home(request: Request) -> dict[str, Any]:
    plugins = plugin_set(request.registry)
    return {"plugins": plugins.enabled, "broken": plugins.broken}


def includeme(config: Configurator) -> None:
    config.add_route("podium.home", "/")
    config.add_view(home, route_name="podium.home", renderer="podium:templates/home.jinja2")
