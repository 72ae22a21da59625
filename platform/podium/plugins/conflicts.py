"""Who wins when two registrations meet, and conflicts told with names.

The rule: **the application's registrations win** over those of Podium's
core and of its plugins, wherever the application makes them (its ``main``,
its ``includeme``, any module it includes or scans, before or after
``config.include("podium")``).  The application is everything outside
Podium's include tree.  Pyramid's includer rule gives that only to the
function that includes Podium; :func:`includeme` extends it to the whole
application (see :mod:`podium.workarounds.pyramid_conflicts`).

Pyramid detects the conflicts that remain (two plugins, a plugin and the
core, two modules of the application); this module translates its report:
each registration is traced back, through the include path of its action, to
the plugin whose ``includeme`` made it, to the core, or to the application's
module.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationConflictError, ConfigurationExecutionError

from ..workarounds.pyramid_conflicts import conflicts_of, let_outer_actions_win
from .errors import PluginConflictError, PluginError
from .plugin_set import REGISTRY_KEY, PluginSet

#: The include spec of Podium's boot: every action under it is Podium's.
CORE_INCLUDE = "podium:includeme"

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


def podium_root(includepath: tuple[str, ...]) -> tuple[str, ...]:
    """The include path of Podium's boot, given one of an action inside it."""
    if CORE_INCLUDE in includepath:
        return includepath[:includepath.index(CORE_INCLUDE) + 1]
    return includepath


def _module_of(info: Any, includepath: tuple[str, ...]) -> str | None:
    """The module a registration was made in: the one whose file holds the
    call (a scanned decorator's module), else the include that made it."""
    filename = getattr(info, "file", None)
    if filename:
        wanted = os.path.realpath(filename)
        for name, module in list(sys.modules.items()):
            path = getattr(module, "__file__", None)
            if path and os.path.realpath(path) == wanted:
                return name
    if includepath:
        return includepath[-1].split(":", 1)[0]
    return None


def _where(info: Any) -> str:
    """``file:line``, relative to the working directory when the file is inside it."""
    if not getattr(info, "file", None):
        return "?"
    path = os.path.relpath(info.file)
    if path.startswith(os.pardir + os.sep):
        path = info.file
    return f"{path}:{info.line}"


def _owner(includepath: tuple[str, ...], plugins: PluginSet | None, info: Any = None) -> str:
    if plugins is not None:
        by_spec = plugins.by_include_spec()
        for spec in reversed(includepath):
            plugin = by_spec.get(spec)
            if plugin is not None:
                return f"plugin {plugin.name!r} ({plugin.distribution} {plugin.version})"
    module = _module_of(info, includepath)
    if CORE_INCLUDE in includepath:
        return f"Podium's core ({module})" if module else "Podium's core"
    return f"application module {module!r}" if module else "the application"


def explain(error: ConfigurationConflictError, actions: list[dict[str, Any]],
            plugins: PluginSet | None) -> PluginConflictError:
    includepaths = {id(a["info"]): a.get("includepath", ()) for a in actions if a.get("info")}
    conflicts = [(discriminator, [(_owner(includepaths.get(id(info), ()), plugins, info), info)
                                  for info in infos])
                 for discriminator, infos in conflicts_of(error).items()]
    owners = [owner for _, registrations in conflicts for owner, _ in registrations]
    between = " between plugins" if all(o.startswith("plugin ") for o in owners) else ""
    lines = [f"conflicting configuration{between}:"]
    for discriminator, registrations in conflicts:
        lines.append(f"  {describe_discriminator(discriminator)} is registered by "
                     + " and by ".join(owner for owner, _ in registrations))
        for owner, info in registrations:
            lines.append(f"    {owner} at {_where(info)}: {str(info.src).strip()}")
    return PluginConflictError("\n".join(lines))


def includeme(config: Configurator) -> None:
    """Make the application's registrations win over Podium's at the commit.

    Included from Podium's own boot, while its actions are pending."""
    root = podium_root(config.includepath)

    def inside_podium(action: dict[str, Any]) -> bool:
        path: tuple[str, ...] = action.get("includepath", ())
        return path[:len(root)] == root

    let_outer_actions_win(config, inside_podium)


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
