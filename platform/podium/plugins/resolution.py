"""From installed distributions to the ordered list of plugins that run.

Every check happens here, before any ``includeme`` runs, and every problem
is collected: ``podium check`` reports them all, start-up raises them all at
once (``podium.on_plugin_error = raise``) or starts without the plugins
concerned and anything that requires them (``skip``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .compat import incompatibility
from .discovery import InstalledPlugin, discover
from .errors import PluginError, PluginErrors, PluginRefusedError, UnknownPluginError
from .loader import LoadedPlugin, load
from .ordering import compute_order, requirement_problems
from .plugin_settings import read_plugin_settings

log = logging.getLogger(__name__)

#: In ``podium.plugins``, every installed plugin, by name.
ALL = "*"


@dataclass
class Resolution:
    installed: dict[str, InstalledPlugin]
    enabled: list[LoadedPlugin] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)
    errors: list[PluginError] = field(default_factory=list)

    def refuse(self, error: PluginError, name: str, reason: str | None = None) -> None:
        self.errors.append(error)
        self.broken[name] = reason or str(error)

    def raise_errors(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            first_cause = next((e.__cause__ for e in self.errors if e.__cause__), None)
            raise PluginErrors(self.errors) from first_cause

    def log_errors(self) -> None:
        for error in self.errors:
            log.error("starting without a plugin: %s", error, exc_info=error.__cause__)


def listing_of(names: list[str], installed: Mapping[str, InstalledPlugin]) -> list[str]:
    """The plugins ``podium.plugins`` names; with ``*``, every installed one plus any
    other name given, so that a misspelt or uninstalled name is still reported."""
    if ALL in names:
        return list(installed) + [name for name in dict.fromkeys(names)
                                  if name != ALL and name not in installed]
    return list(dict.fromkeys(names))


def resolve(settings: dict[str, Any], environ: Mapping[str, str]) -> Resolution:
    result = Resolution(installed=discover())
    listing = listing_of(settings["podium.plugins"], result.installed)

    unknown = [name for name in listing if name not in result.installed]
    if unknown:
        result.errors.append(UnknownPluginError(unknown, result.installed))
        result.broken.update(dict.fromkeys(unknown, "not installed"))

    loaded: dict[str, LoadedPlugin] = {}
    for name in listing:
        if name in unknown:
            continue
        installed = result.installed[name]
        why = incompatibility(installed)
        if why:
            result.refuse(PluginRefusedError(name, why, installed), name, why)
            continue
        try:
            plugin = load(installed, settings)
        except PluginError as exc:
            result.refuse(exc, name)
            continue
        values, problems = read_plugin_settings(name, plugin.definition.settings, settings,
                                                environ)
        if problems:
            reason = "; ".join(problems)
            result.refuse(PluginRefusedError(name, reason, installed), name, reason)
            continue
        loaded[name] = dataclasses.replace(plugin, settings=values)

    for name, reason in requirement_problems(loaded, result.installed, result.broken).items():
        result.refuse(PluginRefusedError(name, reason, result.installed[name]), name, reason)
        del loaded[name]

    ordering = compute_order(listing, loaded,
                             every_installed=ALL in settings["podium.plugins"])
    for name, reason in ordering.cycles.items():
        result.refuse(PluginRefusedError(name, reason, result.installed[name]), name, reason)
    result.enabled = [loaded[name] for name in ordering.order]
    result.reasons = ordering.reasons
    return result
