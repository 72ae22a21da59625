"""Plugins: discover entry points, enable, import, include each under its prefix."""

from __future__ import annotations

from pyramid.config import Configurator

from .discovery import discover
from .enabling import select_enabled
from .loader import include, load
from .registry import REGISTRY_KEY, PluginSet


def includeme(config: Configurator) -> None:
    settings = config.get_settings()
    installed = discover()
    enabled = [load(p, settings) for p in select_enabled(installed, settings["podium.plugins"])]
    config.registry[REGISTRY_KEY] = PluginSet(installed, tuple(enabled))
    for plugin in enabled:
        include(config, plugin)
