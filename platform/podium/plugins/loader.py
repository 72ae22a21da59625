"""Importing enabled plugins and including them under their prefix."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyramid.config import Configurator
from pyramid.path import AssetResolver

from .discovery import InstalledPlugin
from .errors import BrokenPluginError, PluginDefinitionError


@dataclass(frozen=True)
class LoadedPlugin:
    """An imported plugin with the metadata the platform uses.

    Metadata are optional attributes of the entry point's target (a module or
    any object with ``includeme``): ``title``, ``description``,
    ``route_prefix``, ``front_page`` (a route name) and ``migrations`` (an
    asset spec of a directory of alembic revisions).
    """

    installed: InstalledPlugin
    includeme: Callable[[Configurator], None]
    title: str
    description: str
    route_prefix: str
    front_page: str | None
    migrations: str | None
    include_spec: str = field(default="")

    @property
    def name(self) -> str:
        return self.installed.name

    @property
    def version(self) -> str | None:
        return self.installed.version

    @property
    def distribution(self) -> str | None:
        return self.installed.distribution

    def migrations_path(self) -> str | None:
        """The absolute directory of this plugin's alembic revisions."""
        if not self.migrations:
            return None
        return AssetResolver().resolve(self.migrations).abspath()

    def front_url(self, request: Any) -> str:
        if self.front_page:
            return request.route_url(self.front_page)
        return request.application_url + self.route_prefix + "/"


def _prefix_setting(name: str) -> str:
    return f"podium.plugin.{name}.route_prefix"


def load(plugin: InstalledPlugin, settings: dict[str, Any]) -> LoadedPlugin:
    """Import the plugin's entry point and read its metadata."""
    try:
        target = plugin.entry_point.load()
    except Exception as exc:
        raise BrokenPluginError(plugin, "failed to import", exc) from exc
    includeme = target if inspect.isfunction(target) else getattr(target, "includeme", None)
    if not callable(includeme):
        raise PluginDefinitionError(
            plugin,
            f"the entry point target {plugin.entry_point.value!r} has no includeme(config)",
        )
    module = inspect.getmodule(includeme)
    include_spec = f"{module.__name__}:{includeme.__name__}" if module else ""
    default_prefix = getattr(target, "route_prefix", None) or f"/{plugin.name}"
    route_prefix = settings.get(_prefix_setting(plugin.name)) or default_prefix
    route_prefix = "/" + route_prefix.strip().strip("/") if route_prefix.strip("/") else ""
    return LoadedPlugin(
        installed=plugin,
        includeme=includeme,
        title=getattr(target, "title", None) or plugin.name,
        description=getattr(target, "description", None) or plugin.summary,
        route_prefix=route_prefix,
        front_page=getattr(target, "front_page", None),
        migrations=getattr(target, "migrations", None),
        include_spec=include_spec,
    )


def include(config: Configurator, plugin: LoadedPlugin) -> None:
    """Run the plugin's ``includeme`` under its route prefix."""
    actions = config.action_state.actions
    first_new_action = len(actions)
    try:
        config.include(plugin.includeme, route_prefix=plugin.route_prefix or None)
    except Exception as exc:
        raise BrokenPluginError(plugin.installed, "raised in includeme", exc) from exc
    _check_route_names(plugin, actions[first_new_action:])


def _check_route_names(plugin: LoadedPlugin, new_actions: list[dict[str, Any]]) -> None:
    """Route names are global in Pyramid; a plugin's carry its name so that
    ``request.route_url('notes.list')`` can never mean two things."""
    namespace = plugin.name + "."
    for action in new_actions:
        discriminator = action.get("discriminator")
        if not (isinstance(discriminator, tuple) and discriminator[:1] == ("route",)):
            continue
        route_name = discriminator[1]
        # Static views name their routes "__<prefix>/<name>" themselves.
        if route_name.startswith(namespace) or route_name.startswith("__"):
            continue
        info = action.get("info")
        where = f" at {os.path.relpath(info.file)}:{info.line}" if info else ""
        raise PluginDefinitionError(
            plugin.installed,
            f"route {route_name!r}{where} must be named '{namespace}{route_name}': "
            f"a plugin's route names start with its name and a dot",
        )
