"""Importing enabled plugins and including them under their prefix."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pyramid.config import Configurator
from pyramid.path import AssetResolver

from ..settings.core import parse_role_permissions
from ..settings.types import Setting, SettingsError
from .definition import PERMISSION_NAME, Permission, Plugin, definition_of
from .discovery import InstalledPlugin
from .errors import BrokenPluginError, PluginDefinitionError


@dataclass(frozen=True)
class LoadedPlugin:
    """An imported plugin: its distribution, its declaration, where it is mounted."""

    installed: InstalledPlugin
    definition: Plugin
    route_prefix: str
    include_spec: str
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.installed.name

    @property
    def version(self) -> str | None:
        return self.installed.version

    @property
    def distribution(self) -> str | None:
        return self.installed.distribution

    @property
    def includeme(self) -> Callable[[Configurator], None]:
        return self.definition.includeme

    @property
    def title(self) -> str:
        return self.definition.title or self.name

    @property
    def description(self) -> str:
        return self.definition.description or self.installed.summary

    @property
    def front_page(self) -> str | None:
        return self.definition.front_page

    @property
    def migrations(self) -> str | None:
        return self.definition.migrations

    def migrations_path(self) -> str | None:
        """The absolute directory of this plugin's alembic revisions."""
        if not self.migrations:
            return None
        path: str = AssetResolver().resolve(self.migrations).abspath()
        return path


def _prefix_setting(name: str) -> str:
    return f"podium.plugin.{name}.route_prefix"


def load(plugin: InstalledPlugin, settings: dict[str, Any]) -> LoadedPlugin:
    """Import the plugin's entry point and read its declaration."""
    try:
        target = plugin.entry_point.load()
    except Exception as exc:
        raise BrokenPluginError(plugin, "failed to import", exc) from exc
    definition = definition_of(target)
    if definition is None:
        raise PluginDefinitionError(
            plugin,
            f"the entry point target {plugin.entry_point.value!r} has no includeme(config)",
        )
    _check_definition(plugin, definition)
    module = inspect.getmodule(definition.includeme)
    include_spec = f"{module.__name__}:{definition.includeme.__name__}" if module else ""
    prefix = settings.get(_prefix_setting(plugin.name)) or definition.route_prefix
    prefix = (prefix if prefix is not None else f"/{plugin.name}").strip().strip("/")
    return LoadedPlugin(
        installed=plugin,
        definition=definition,
        route_prefix="/" + prefix if prefix else "",
        include_spec=include_spec,
    )


def _check_definition(plugin: InstalledPlugin, definition: Plugin) -> None:
    for name in ("requires", "after", "before"):
        value = getattr(definition, name)
        if isinstance(value, str) or not all(isinstance(v, str) for v in value):
            raise PluginDefinitionError(plugin, f"{name} must be a list of plugin names")
    settings = definition.settings
    if not isinstance(settings, (list, tuple)) or not all(isinstance(s, Setting) for s in settings):
        raise PluginDefinitionError(plugin, "settings must be a list of podium.api.Setting")
    _check_permissions(plugin, definition)


def _check_permissions(plugin: InstalledPlugin, definition: Plugin) -> None:
    """A plugin's permissions carry its name, as its routes do, so that
    ``notes.edit`` can only ever be the notes plugin's; it proposes grants of
    its own permissions only."""
    permissions = definition.permissions
    if isinstance(permissions, (str, Permission)) or not all(
            isinstance(p, Permission) for p in permissions):
        raise PluginDefinitionError(plugin, "permissions must be a list of "
                                    "podium.api.Permission")
    namespace = plugin.name + "."
    seen: set[str] = set()
    for permission in permissions:
        name = permission.name
        if not (isinstance(name, str) and PERMISSION_NAME.fullmatch(name)
                and name.startswith(namespace)):
            raise PluginDefinitionError(
                plugin, f"permission {name!r} must be named '{namespace}<word>' in dotted "
                "lower-case words: a plugin's permissions start with its name and a dot")
        if name in seen:
            raise PluginDefinitionError(plugin, f"permission {name!r} is declared twice")
        seen.add(name)
    grants = definition.default_grants
    if not isinstance(grants, Mapping):
        raise PluginDefinitionError(plugin, "default_grants must be a dict of role name to "
                                    "a list of permission names")
    for role, names in grants.items():
        if isinstance(names, str):
            raise PluginDefinitionError(plugin, f"default_grants[{role!r}] must be a list of "
                                        "permission names, not one string")
        try:
            parse_role_permissions(f"podium.roles.{role}", list(names))
        except SettingsError as exc:
            raise PluginDefinitionError(plugin, f"default_grants[{role!r}]: {exc.allowed}") \
                from None
        foreign = [n for n in names if n not in seen]
        if foreign:
            raise PluginDefinitionError(
                plugin, f"default_grants[{role!r}] names {', '.join(map(repr, foreign))}, "
                f"which it does not declare: a plugin proposes grants of its own "
                f"permissions ({', '.join(sorted(seen)) or 'none declared'})")


def include(config: Configurator, plugin: LoadedPlugin) -> None:
    """Run the plugin's ``includeme`` under its route prefix.

    If it raises, the actions it registered before failing are withdrawn, so
    that a platform started without it (``podium.on_plugin_error = skip``)
    holds nothing of it.
    """
    actions = config.action_state.actions
    first_new_action = len(actions)
    try:
        config.include(plugin.includeme, route_prefix=plugin.route_prefix or None)
        _check_route_names(plugin, actions[first_new_action:])
        if plugin.definition.static:
            # Served at <route_prefix>/static/, under the plugin's own route name.
            with config.route_prefix_context(plugin.route_prefix or None):
                config.add_static_view("static", plugin.definition.static)
    except Exception as exc:
        del actions[first_new_action:]
        if isinstance(exc, PluginDefinitionError):
            raise
        raise BrokenPluginError(plugin.installed, "raised in includeme", exc) from exc


def check_front_page(plugin: LoadedPlugin, route_names: set[str]) -> None:
    """A ``front_page`` naming no route would break every page's navigation."""
    if plugin.front_page and plugin.front_page not in route_names:
        own = sorted(n for n in route_names if n.startswith(plugin.name + "."))
        raise PluginDefinitionError(
            plugin.installed,
            f"front_page {plugin.front_page!r} is not a route; "
            f"its routes are: {', '.join(own) or '(none)'}",
        )


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
