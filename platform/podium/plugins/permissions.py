"""The permissions of the running application: declared by the core and the
enabled plugins, and the roles' default grants.

A role's defaults are its ``podium.roles.<role>`` setting when there is one
(the operator's word, in full: ``podium.roles.everyone = notes.view``
tightens what the plugins proposed for ``everyone``), and otherwise the
union of what the enabled plugins propose for it (``default_grants``).  The
grants stored with ``podium roles grant`` come on top, read per request by
the security policy (:mod:`podium.accounts.grants`).

Every name is checked at start-up: a setting naming a permission no enabled
plugin declares stops it naming the key, and two declarations of one name
are refused naming both.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pyramid.interfaces import IException
from pyramid.registry import Registry
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.static import static_view
from zope.interface.interfaces import IInterface

from ..accounts.models import AUTHENTICATED, EVERYONE, PSEUDO_ROLES
from ..settings.core import ROLE_KEY
from ..settings.types import SettingsError, SettingsErrors
from .definition import Permission
from .errors import PluginConflictError

log = logging.getLogger(__name__)
__all__ = ["AUTHENTICATED", "EVERYONE", "PSEUDO_ROLES", "PUBLIC", "PermissionCatalog",
           "UnprotectedView", "build_catalog", "catalog_of", "unprotected_views"]

REGISTRY_KEY = "podium.permissions"
#: What declares the core's permissions.
CORE = "podium"
#: ``permission=PUBLIC`` marks a view meant to be open to anyone: Pyramid's
#: ``NO_PERMISSION_REQUIRED``, which also wins over a default permission.
PUBLIC = NO_PERMISSION_REQUIRED

CORE_PERMISSIONS = (
    Permission("podium.admin", "Administer the site",
               "The site's own administration pages and commands."),
    Permission("podium.users", "Manage users",
               "Add, disable and enable users, give and take their roles."),
    Permission("podium.account", "Manage your own account",
               "Your account page (/account): your API tokens and your password."),
)
#: Every signed-in user manages their own account unless an operator says
#: otherwise (``podium.roles.authenticated`` replaces this in full).
CORE_DEFAULT_GRANTS = {AUTHENTICATED: ["podium.account"]}


@dataclass(frozen=True)
class Declared:
    permission: Permission
    #: ``"podium"`` for the core's, else the plugin's name.
    owner: str


@dataclass(frozen=True)
class PermissionCatalog:
    declared: Mapping[str, Declared]
    #: Role -> what the enabled plugins propose for it.
    proposed: Mapping[str, frozenset[str]]
    #: Role -> its ``podium.roles.<role>`` setting.
    configured: Mapping[str, frozenset[str]]

    def defaults(self) -> dict[str, frozenset[str]]:
        """Role -> its default permissions: the setting when there is one,
        else the plugins' proposals."""
        roles = set(self.proposed) | set(self.configured)
        return {role: self.configured.get(role, self.proposed.get(role, frozenset()))
                for role in roles}

    def is_declared(self, name: str) -> bool:
        return name in self.declared

    def names(self) -> list[str]:
        return sorted(self.declared)


def build_catalog(declarations: Iterable[tuple[str, Iterable[Permission],
                                               Mapping[str, Iterable[str]]]],
                  settings: Mapping[str, object],
                  refused: Iterable[str] = ()) -> PermissionCatalog:
    """The catalogue of ``(owner, permissions, default_grants)`` triples, the
    core's first, checked against the roles' settings (typed already).

    A setting naming a permission of a plugin in ``refused`` (left out under
    ``podium.on_plugin_error = skip``) is logged and ignored rather than
    stopping the start-up the skip was meant to allow."""
    declared: dict[str, Declared] = {}
    proposed: dict[str, set[str]] = {}
    core = (CORE, CORE_PERMISSIONS, CORE_DEFAULT_GRANTS)
    for owner, permissions, grants in [core, *declarations]:
        for permission in permissions:
            other = declared.get(permission.name)
            if other is not None:
                raise PluginConflictError(
                    f"permission {permission.name!r} is declared by both {other.owner!r} "
                    f"and {owner!r}; a permission has one owner")
            declared[permission.name] = Declared(permission, owner)
        for role, names in grants.items():
            proposed.setdefault(role, set()).update(names)
    skipped = set(refused)
    configured: dict[str, frozenset[str]] = {}
    problems: list[SettingsError] = []
    for key in sorted(k for k in settings if ROLE_KEY.fullmatch(k)):
        value = settings[key]
        names = value if isinstance(value, tuple) else ()
        role = key.removeprefix("podium.roles.")
        unknown = [n for n in names if n not in declared]
        left_out = [n for n in unknown if n.split(".", 1)[0] in skipped]
        for name in left_out:
            log.error("setting %s: %r belongs to plugin %r, which did not start", key, name,
                      name.split(".", 1)[0])
        unknown = [n for n in unknown if n not in left_out]
        if unknown:
            problems.append(SettingsError(
                key, " ".join(names),
                f"no enabled plugin declares {', '.join(map(repr, unknown))}; the declared "
                f"permissions are: {', '.join(sorted(declared))} (podium roles permissions "
                "lists them)"))
        configured[role] = frozenset(n for n in names if n in declared)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise SettingsErrors(problems)
    return PermissionCatalog(declared, {r: frozenset(n) for r, n in proposed.items()},
                             configured)


def catalog_of(registry: Registry) -> PermissionCatalog | None:
    """The application's catalogue (None in a registry Podium's plugins step
    did not build, such as a host's that only took some of Podium)."""
    found = registry.get(REGISTRY_KEY)
    return found if isinstance(found, PermissionCatalog) else None


# -- default deny, checked ---------------------------------------------------------------


@dataclass(frozen=True)
class UnprotectedView:
    """A view with no ``permission=``, not declared ``PUBLIC``."""

    title: str
    route_name: str | None
    #: ``"the core"``, ``"plugin 'notes'"`` or ``"the application"``.
    owner: str
    file: str
    line: int

    def __str__(self) -> str:
        route = f" on route {self.route_name!r}" if self.route_name else ""
        return (f"{self.title}{route} ({self.owner}) at {self.file}:{self.line} has no "
                "permission: give it permission=\"<plugin>.<word>\", or permission=PUBLIC "
                "(podium.api) if it is meant to be open")


def _is_exception_view(values: Mapping[str, Any]) -> bool:
    """Exception views answer a request that already failed or was refused
    (the 404, the 403, the 500s); Pyramid applies no default permission to
    them, and they are exempt here too."""
    if values.get("exception_only"):
        return True
    context = values.get("context")
    if isinstance(context, type):
        return issubclass(context, BaseException)
    if context is not None and IInterface.providedBy(context):
        return bool(context.isOrExtends(IException))
    return False


def _relative(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _owner(registry: Registry, route_name: str | None, file: str) -> str:
    plugins = registry.get("podium.plugins")
    enabled = getattr(plugins, "enabled", ())
    prefix = (route_name or "").split(".", 1)[0]
    for plugin in enabled:
        if prefix == plugin.name:
            return f"plugin {plugin.name!r}"
    for plugin in enabled:
        module = sys.modules.get(plugin.include_spec.split(":", 1)[0].split(".", 1)[0])
        where = getattr(module, "__file__", None)
        if where and os.path.abspath(file).startswith(os.path.dirname(where) + os.sep):
            return f"plugin {plugin.name!r}"
    core = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if prefix == CORE or os.path.abspath(file).startswith(core + os.sep):
        return "the core"
    return "the application"


def unprotected_views(registry: Registry) -> list[UnprotectedView]:
    """Every view of the application that has no permission and is not
    declared ``PUBLIC``, read from Pyramid's introspector (the views each
    registration made, the core's, the plugins' and the application's).

    Not listed: exception views (above) and static views, which serve the
    files of a directory a plugin or the core chose to publish
    (``add_static_view`` takes a ``permission`` for a private one)."""
    introspector = registry.introspector
    found = []
    for entry in introspector.get_category("views"):
        view = entry["introspectable"]
        if _is_exception_view(view) or isinstance(view.get("callable"), static_view):
            continue
        permissions = [related for related in introspector.related(view)
                       if related.category_name == "permissions"]
        if any(p.get("value") is not None for p in permissions):
            continue
        info = view.action_info
        file, line = str(getattr(info, "file", "?")), int(getattr(info, "line", 0) or 0)
        route_name = view.get("route_name")
        found.append(UnprotectedView(str(view.title), route_name,
                                     _owner(registry, route_name, file), _relative(file),
                                     line))
    return sorted(found, key=lambda v: (v.owner, v.file, v.line, v.route_name or ""))
