"""Dormant implementations of hooks that no installed plugin declares.

An implementation of a hook whose owner is installed but not enabled is
dormant by design; one of a hook nobody declares at all is most likely a
misspelt name (``notes_validte``), which would otherwise never run and never
say so.  ``podium check`` warns about those.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

import pluggy

from ..plugins.discovery import discover
from ..plugins.errors import PluginError
from ..plugins.loader import load
from .manager import Hooks, Impl
from .markers import PROJECT


def declared_anywhere(settings: dict[str, Any]) -> set[str]:
    """The hook names every installed plugin's ``hookspecs`` module declares,
    enabled or not (a plugin that cannot be imported declares nothing here:
    ``podium check`` reports it already)."""
    parser = pluggy.PluginManager(PROJECT)
    names: set[str] = set()
    for installed in discover().values():
        try:
            dotted = load(installed, settings).definition.hookspecs
            module = importlib.import_module(dotted) if dotted else None
        except (PluginError, ImportError):
            continue
        if module is not None:
            names.update(name for name in dir(module)
                         if parser.parse_hookspec_opts(module, name) is not None)
    return names


def undeclared(hooks: Hooks, declared: Iterable[str]) -> list[Impl]:
    """The dormant implementations whose hook is in neither ``declared`` nor the app."""
    known = set(declared) | set(hooks.specs)
    return [impl for impl in hooks.dormant if impl.hook not in known]


def undeclared_warnings(hooks: Hooks, settings: dict[str, Any]) -> list[str]:
    return [f"plugin {impl.plugin!r} implements hook {impl.hook!r} ({impl.where}), which no "
            f"installed plugin declares: it never runs (a misspelt name? `podium hooks` "
            f"lists the hooks there are)"
            for impl in undeclared(hooks, declared_anywhere(settings))]
