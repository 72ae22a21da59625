"""What the core layout template receives besides the view's values.

``podium:templates/layout.jinja2`` has the blocks ``title``, ``head``,
``content`` and ``scripts``; its navigation lists the enabled plugins.  The
list is built from the registry, so it costs nothing until a page renders.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyramid.config import Configurator
from pyramid.request import Request
from pyramid_jinja2 import ENV_CONFIG_PHASE

from ..plugins.registry import plugin_set

LAYOUT = "podium:templates/layout.jinja2"


@dataclass(frozen=True)
class NavEntry:
    name: str
    title: str
    url: str


def navigation(request: Request) -> list[NavEntry]:
    return [
        NavEntry(p.name, p.title, p.front_url(request))
        for p in plugin_set(request.registry).enabled
    ]


def includeme(config: Configurator) -> None:
    config.add_static_view("static", "podium:static", cache_max_age=3600)

    def add_globals() -> None:
        env = config.get_jinja2_environment()
        env.globals["podium_navigation"] = navigation
        env.globals["podium_layout"] = LAYOUT

    # After pyramid_jinja2 has built the environment, before any request.
    config.action(None, add_globals, order=ENV_CONFIG_PHASE + 1)
