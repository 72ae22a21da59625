"""Plugins: discover entry points, resolve (enabled set, requirements, order,
compatibility, settings), then include each under its prefix."""

from __future__ import annotations

import logging

from packaging.requirements import Requirement
from pyramid.config import Configurator
from pyramid.interfaces import PHASE3_CONFIG

from ..settings.core import environment_for
from .errors import PluginError
from .loader import LoadedPlugin, check_front_page, include
from .permissions import REGISTRY_KEY as PERMISSIONS_KEY
from .permissions import build_catalog
from .plugin_set import REGISTRY_KEY, PluginSet
from .plugin_settings import store_typed
from .resolution import resolve

log = logging.getLogger(__name__)


def includeme(config: Configurator) -> None:
    # The application's registrations win over the core's and the plugins'
    # wherever it makes them (podium.plugins.conflicts).
    config.include(".conflicts")
    settings = config.get_settings()
    skip = settings["podium.on_plugin_error"] == "skip"
    resolution = resolve(settings, environment_for(settings))
    if not skip:
        resolution.raise_errors()
    resolution.log_errors()

    included = []
    for plugin in resolution.enabled:
        if any(dep in resolution.broken for dep in _required_names(plugin)):
            reason = f"{plugin.name} requires a plugin that failed to include"
            resolution.broken[plugin.name] = reason
            log.error("starting without plugin %r: %s", plugin.name, reason)
            continue
        store_typed(plugin.name, plugin.settings, settings)
        try:
            include(config, plugin)
        except PluginError as exc:
            if not skip:
                raise
            resolution.broken[plugin.name] = str(exc)
            log.error("starting without a plugin: %s", exc, exc_info=exc.__cause__)
            continue
        included.append(plugin)
    config.registry[REGISTRY_KEY] = PluginSet(
        resolution.installed, tuple(included), dict(resolution.broken), resolution.reasons
    )
    # The permissions the roles may name are those of the plugins that run.
    config.registry[PERMISSIONS_KEY] = build_catalog(
        ((p.name, p.definition.permissions, p.definition.default_grants) for p in included),
        settings, refused=resolution.broken)

    def check_front_pages() -> None:
        routes = {route.name for route in config.get_routes_mapper().get_routes()}
        for plugin in included:
            try:
                check_front_page(plugin, routes)
            except PluginError as exc:
                if not skip:
                    raise
                log.error("%s; the navigation links to %s/ instead", exc, plugin.route_prefix)

    # After every route is connected (PHASE2) and every view registered.
    config.action(None, check_front_pages, order=PHASE3_CONFIG + 1)


def _required_names(plugin: LoadedPlugin) -> list[str]:
    return [Requirement(text).name for text in plugin.definition.requires]
