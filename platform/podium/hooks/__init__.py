"""Hooks between plugins, on pluggy: a plugin declares specifications
(``Plugin(hookspecs=...)``), others implement them (``Plugin(hookimpls=...)``);
the core declares its own (:mod:`podium.hooks.core_specs`).

Built once, at configuration time, after the plugins are included, in the
plugin order; called as ``request.hooks.<name>(...)`` in views and
``podium.api.hooks(registry).<name>(...)`` elsewhere.
"""

from __future__ import annotations

from typing import Any

import pluggy
from pyramid.config import Configurator
from pyramid.events import ApplicationCreated
from pyramid.registry import Registry
from pyramid.request import Request

from ..plugins.errors import PluginErrors, PluginRefusedError
from ..plugins.plugin_set import plugin_set
from . import core_specs
from .manager import Hooks, build, results_by_plugin

REGISTRY_KEY = "podium.hooks"


def hooks_of(registry: Registry) -> Hooks:
    found: Hooks = registry[REGISTRY_KEY]
    return found


def hooks(registry: Registry) -> pluggy.HookRelay:
    """The application's hooks, to call as ``hooks(registry).<name>(arg=...)``."""
    return hooks_of(registry).relay


def hook_results(registry: Registry, name: str, **kwargs: Any) -> list[tuple[str, Any]]:
    """Call hook ``name`` and return each implementation's result with the name
    of its plugin, in calling order (wrappers are not called): for a caller
    whose messages must name the plugin that returned a value."""
    return results_by_plugin(hooks_of(registry), name, **kwargs)


def _request_hooks(request: Request) -> pluggy.HookRelay:
    return hooks(request.registry)


def validate_settings(registry: Registry) -> None:
    """``podium_validate_settings``: every message of every plugin, in one error.

    Raised even under ``podium.on_plugin_error = skip``: the plugins are already
    included, so none can be left out any more."""
    plugins = plugin_set(registry)
    errors = []
    for name, messages in hook_results(registry, "podium_validate_settings",
                                       settings=registry.settings):
        plugin = plugins.get(name)
        for message in messages or ():
            errors.append(PluginRefusedError(name, f"settings: {message}",
                                             plugin.installed if plugin else None))
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise PluginErrors(list(errors))


def _configured(event: ApplicationCreated) -> None:
    registry = event.app.registry
    hooks(registry).podium_configured(registry=registry)


def includeme(config: Configurator) -> None:
    config.registry[REGISTRY_KEY] = build(plugin_set(config.registry).enabled, core_specs)
    config.add_request_method(_request_hooks, "hooks", reify=True)
    validate_settings(config.registry)
    # ApplicationCreated: sent by make_wsgi_app once everything is committed,
    # just before it returns the application.
    config.add_subscriber(_configured, ApplicationCreated)
