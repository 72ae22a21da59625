"""``/admin``: the site at a glance: versions, database and schema, the
plugins in their computed order and why, and the problems ``podium check``
would report of the running application."""

from __future__ import annotations

import functools
import importlib.metadata
from dataclasses import dataclass
from typing import Any

from pyramid.registry import Registry
from pyramid.request import Request

from ..plugins.permissions import unprotected_views
from ..plugins.plugin_set import plugin_set
from ..settings.core import CORE_SETTINGS
from ..store.schema_check import schema_check
from .plugin_pages import DISABLED, ENABLED, SKIPPED, setting_rows

UNPROTECTED_KEY = "podium.admin.unprotected"


@dataclass(frozen=True)
class PluginRow:
    position: int | None
    name: str
    version: str
    state: str
    detail: str


@functools.cache
def core_version() -> str:
    """The installed distribution's version (read once: it cannot change under
    a running process without a restart)."""
    try:
        return importlib.metadata.version("podium")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def plugin_rows(registry: Registry) -> list[PluginRow]:
    """Enabled plugins in their order (with why), then skipped, then disabled."""
    plugins = plugin_set(registry)
    rows = [PluginRow(i, p.name, p.version or "-", ENABLED, plugins.reasons.get(p.name, ""))
            for i, p in enumerate(plugins.enabled, start=1)]
    enabled = {p.name for p in plugins.enabled}
    for name, why in plugins.broken.items():
        installed = plugins.installed.get(name)
        rows.append(PluginRow(None, name, (installed.version if installed else None) or "-",
                              SKIPPED, why))
    for name, installed in plugins.installed.items():
        if name not in enabled and name not in plugins.broken:
            rows.append(PluginRow(None, name, installed.version or "-", DISABLED,
                                  installed.summary))
    return rows


def problems(registry: Registry, schema_problem: str) -> list[str]:
    """What ``podium check`` would find in the running application: plugins
    left out at start-up, a database that is not current, and its warnings."""
    found = [f"plugin {name!r} did not start: {why}"
             for name, why in plugin_set(registry).broken.items()]
    if schema_problem:
        found.append(schema_problem)
    found.extend(f"warning: {line}" for line in warnings_of(registry))
    return found


def warnings_of(registry: Registry) -> list[str]:
    """``podium check``'s warnings, once per process (views, templates and hooks are
    fixed once the app is built, and reading them all costs 0.2 s with 100 plugins):
    unprotected views, slot contributions no template renders, implementations of
    hooks no installed plugin declares."""
    found = registry.get(UNPROTECTED_KEY)
    if found is None:
        from ..hooks import REGISTRY_KEY as HOOKS_KEY
        from ..hooks import hooks_of
        from ..hooks.unknown import undeclared_warnings
        from ..slots.inventory import lost_contributions

        found = [str(v) for v in unprotected_views(registry)]
        found.extend(lost_contributions(registry))
        if HOOKS_KEY in registry:
            found.extend(undeclared_warnings(hooks_of(registry), registry.settings))
        registry[UNPROTECTED_KEY] = found
    return list(found)


def database_name(registry: Registry) -> str:
    """The backend and database, never the password."""
    url = registry["podium.engine"].url
    return url.render_as_string(hide_password=True)


def overview(request: Request) -> dict[str, Any]:
    registry = request.registry
    current, schema_problem = schema_check(registry).summary()
    return {
        "core_version": core_version(),
        "database": database_name(registry),
        "schema_current": current,
        "schema_problem": schema_problem,
        "plugins": plugin_rows(registry),
        "problems": problems(registry, schema_problem),
        "core_settings": setting_rows(registry, CORE_SETTINGS, None),
    }
