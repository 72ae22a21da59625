"""Conflicts between plugins, told with the plugins' names.

Pyramid detects the conflict (two actions with one discriminator whose
include paths do not nest); this module only translates its report: each
conflicting registration is traced back, through the include path of its
action, to the plugin whose ``includeme`` made it.
"""

from __future__ import annotations

import os
from typing import Any

from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationConflictError, ConfigurationExecutionError

from ..workarounds.pyramid_conflicts import conflicts_of
from .errors import PluginConflictError, PluginError
from .plugin_set import REGISTRY_KEY, PluginSet

_KINDS = {
    "route": "route name",
    "view": "view",
    "request extensions": "request method",
    "tween": "tween",
    "view deriver": "view deriver",
    "traverser": "traverser",
}

# Registrations whose discriminator is a Pyramid interface, alone or first.
_INTERFACE_KINDS = {
    "IRendererFactory": "renderer",
    "IRootFactory": "root factory",
    "ISessionFactory": "session factory",
    "IRequestFactory": "request factory",
    "IResponseFactory": "response factory",
    "IExecutionPolicy": "execution policy",
    "ICSRFStoragePolicy": "CSRF storage policy",
    "ISecurityPolicy": "security policy",
    "IResponse": "response adapter",
}


def describe_discriminator(discriminator: Any) -> str:
    """A sentence fragment for Pyramid's discriminator: ``renderer '.csv'``."""
    parts = discriminator if isinstance(discriminator, tuple) else (discriminator,)
    head, rest = parts[0], parts[1:]
    if head == "view":
        return "view " + _describe_view(parts)
    if head == "tween":
        return f"tween {rest[0]!r}"
    kind = _KINDS.get(head) if isinstance(head, str) else None
    if kind is None:
        kind = _INTERFACE_KINDS.get(getattr(head, "__name__", ""))
    if kind is None:
        return repr(discriminator)
    detail = " ".join(repr(d) for d in rest if d not in (None, ""))
    return f"{kind} {detail}".strip()


def _describe_view(discriminator: tuple[Any, ...]) -> str:
    _, context, name, route_name, *_ = discriminator
    parts = []
    if route_name:
        parts.append(f"for route {route_name!r}")
    if name:
        parts.append(f"named {name!r}")
    if context is not None:
        parts.append(f"on {getattr(context, '__name__', context)}")
    return " ".join(parts) or "(default view)"


def _owner(includepath: tuple[str, ...], plugins: PluginSet | None) -> str:
    if plugins is not None:
        by_spec = plugins.by_include_spec()
        for spec in reversed(includepath):
            plugin = by_spec.get(spec)
            if plugin is not None:
                return f"plugin {plugin.name!r} ({plugin.distribution} {plugin.version})"
    return "the application"


def explain(error: ConfigurationConflictError, actions: list[dict[str, Any]],
            plugins: PluginSet | None) -> PluginConflictError:
    includepaths = {id(a["info"]): a.get("includepath", ()) for a in actions if a.get("info")}
    lines = ["conflicting configuration between plugins:"]
    for discriminator, infos in conflicts_of(error).items():
        owners = [_owner(includepaths.get(id(info), ()), plugins) for info in infos]
        lines.append(f"  {describe_discriminator(discriminator)} is registered by "
                     + " and by ".join(owners))
        for owner, info in zip(owners, infos, strict=True):
            where = f"{os.path.relpath(info.file)}:{info.line}" if info.file else "?"
            lines.append(f"    {owner} at {where}: {str(info.src).strip()}")
    return PluginConflictError("\n".join(lines))


def commit_naming_plugins(config: Configurator) -> None:
    """``config.commit()``, with conflicts reported by plugin name."""
    actions = list(config.action_state.actions)
    try:
        config.commit()
    except ConfigurationConflictError as error:
        plugins = config.registry.get(REGISTRY_KEY)
        raise explain(error, actions, plugins) from error
    except ConfigurationExecutionError as error:
        # A check of Podium's own that ran as an action: its message is the news
        # (a PluginError, or an error listing its ``problems``, each saying where,
        # as podium.assets' AssetOverrideError does).
        if isinstance(error.evalue, PluginError) or getattr(error.evalue, "problems", None):
            raise error.evalue from error.evalue.__cause__
        raise
