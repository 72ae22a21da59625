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
from pyramid.interfaces import PHASE3_CONFIG
from pyramid.registry import Registry
from pyramid.request import Request

from ..plugins.errors import BrokenPluginError, PluginError, PluginErrors, PluginRefusedError
from ..plugins.plugin_set import plugin_set
from . import core_specs
from .manager import Hooks, build, calls_by_plugin, results_by_plugin

REGISTRY_KEY = "podium.hooks"


def hooks_of(registry: Registry) -> Hooks:
    found: Hooks = registry[REGISTRY_KEY]
    return found


def hooks(registry: Registry) -> pluggy.HookRelay:
    """The application's hooks, to call as ``hooks(registry).<name>(arg=...)``."""
    return hooks_of(registry).relay


def hook_results(registry: Registry, name: str, /, **kwargs: Any) -> list[tuple[str, Any]]:
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
    errors: list[PluginError] = []
    for name, call in calls_by_plugin(hooks_of(registry), "podium_validate_settings",
                                      settings=registry.settings):
        plugin = plugins.get(name)
        installed = plugin.installed if plugin else None
        try:
            messages = call()
        except Exception as exc:  # a broken plugin names itself, with its traceback
            if installed is None:
                raise
            errors.append(BrokenPluginError(installed, "failed in podium_validate_settings",
                                            exc))
            errors[-1].__cause__ = exc
            continue
        for message in messages or ():
            errors.append(PluginRefusedError(name, f"settings: {message}", installed))
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise PluginErrors(errors) from next((e.__cause__ for e in errors if e.__cause__), None)


#: After every other action of the commit (the plugins' own late checks run at
#: PHASE3_CONFIG + 1): everything is configured when ``podium_configured`` runs.
CONFIGURED_ORDER = PHASE3_CONFIG + 1000


def includeme(config: Configurator) -> None:
    config.registry[REGISTRY_KEY] = build(plugin_set(config.registry).enabled, core_specs)
    config.add_request_method(_request_hooks, "hooks", reify=True)
    validate_settings(config.registry)
    registry = config.registry
    # An action, not an ApplicationCreated subscriber: any subscriber at all makes
    # Pyramid's router send NewRequest, ContextFound and NewResponse on every
    # request.  The last action of the commit, which podium.main makes just
    # before make_wsgi_app (and make_wsgi_app makes for a host application).
    config.action(None, lambda: hooks(registry).podium_configured(registry=registry),
                  order=CONFIGURED_ORDER)
