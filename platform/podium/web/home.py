"""The core home page: what this platform runs, and the sections plugins add
through the core hook ``podium_home_sections``."""

from __future__ import annotations

import logging
from typing import Any

from pyramid.config import Configurator
from pyramid.request import Request

from ..hooks import hook_results
from ..plugins.permissions import PUBLIC
from ..plugins.plugin_set import plugin_set
from .home_section import HomeSection
from .urls import plugin_front_url

log = logging.getLogger(__name__)


def home_sections(request: Request) -> list[HomeSection]:
    """The plugins' sections by weight, then in the plugin order (a stable sort
    of the calling order).  Like an implementation that raises (the hook's
    fault policy is isolate), anything but a HomeSection is logged with the
    plugin's name and left out: one broken plugin does not take the page down."""
    sections: list[HomeSection] = []
    for plugin, returned in hook_results(request.registry, "podium_home_sections",
                                         request=request):
        for section in returned or ():
            if isinstance(section, HomeSection):
                sections.append(section)
            else:
                log.error("plugin %r: podium_home_sections returned a %s, not a "
                          "podium.api.HomeSection; left out", plugin, type(section).__name__)
    return sorted(sections, key=lambda section: section.weight)


def home(request: Request) -> dict[str, Any]:
    plugins = plugin_set(request.registry)
    return {"plugins": plugins.enabled, "broken": plugins.broken,
            "front_urls": {p.name: plugin_front_url(request, p) for p in plugins.enabled},
            "sections": home_sections(request)}


def includeme(config: Configurator) -> None:
    config.add_route("podium.home", "/")
    config.add_view(home, route_name="podium.home", renderer="podium:templates/home.jinja2",
                    permission=PUBLIC)
