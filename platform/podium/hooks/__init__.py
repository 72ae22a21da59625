"""Hooks between plugins, on pluggy: a plugin declares specifications
(``Plugin(hookspecs=...)``), others implement them (``Plugin(hookimpls=...)``).

Built once, at configuration time, after the plugins are included, in the
plugin order; called as ``request.hooks.<name>(...)`` in views and
``podium.api.hooks(registry).<name>(...)`` elsewhere.
"""

from __future__ import annotations

import pluggy
from pyramid.config import Configurator
from pyramid.registry import Registry
from pyramid.request import Request

from ..plugins.plugin_set import plugin_set
from .manager import Hooks, build

REGISTRY_KEY = "podium.hooks"


def hooks_of(registry: Registry) -> Hooks:
    found: Hooks = registry[REGISTRY_KEY]
    return found


def hooks(registry: Registry) -> pluggy.HookRelay:
    """The application's hooks, to call as ``hooks(registry).<name>(arg=...)``."""
    return hooks_of(registry).relay


def _request_hooks(request: Request) -> pluggy.HookRelay:
    return hooks(request.registry)


def includeme(config: Configurator) -> None:
    config.registry[REGISTRY_KEY] = build(plugin_set(config.registry).enabled)
    config.add_request_method(_request_hooks, "hooks", reify=True)
