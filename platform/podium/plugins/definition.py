"""What a plugin declares about itself, in one place.

A plugin's entry point names either a :class:`Plugin` object or a module
whose attributes carry the same fields beside ``includeme``.  Version,
author and homepage are not declared here: they come from the
distribution's metadata, so they cannot drift from what pip installed.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..settings.types import Setting

#: Dotted lower-case words: ``notes.view``, ``notes.edit_any``.
PERMISSION_NAME = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+")


@dataclass(frozen=True)
class Permission:
    """A permission a plugin declares: ``Permission("notes.view", "View notes")``.

    ``name`` starts with the plugin's name and a dot; ``title`` and
    ``description`` are what ``podium roles permissions`` shows an operator."""

    name: str
    title: str = ""
    description: str = ""


@dataclass(frozen=True)
class Plugin:
    """A plugin's declaration.

    ``requires``      other plugins this one needs, as requirement strings
                      (``"notes"``, ``"notes>=1.2,<2"``); they are included first
    ``after``/``before`` ordering hints for plugins that are enabled but not
                      required; ignored for plugins that are not enabled
    ``settings``      :class:`~podium.api.Setting` objects, keys relative to the
                      plugin's namespace (``page_size`` is ``notes.page_size``)
    ``route_prefix``  where its routes are mounted (default ``/<name>``)
    ``front_page``    the route name the navigation links to
    ``migrations``    asset spec of its alembic revisions directory
    ``static``        asset spec of its static directory (served at
                      ``<route_prefix>/static/``)
    ``commands``      a click group, or a dotted name of one, added to the
                      ``podium`` command as ``podium <name> ...``
    ``permissions``   the :class:`Permission` objects it declares (each name
                      starts with ``<name>.``); the only names its views'
                      ``permission=`` and the roles may use
    ``default_grants`` what it proposes roles get, ``{"editor": ["notes.create"]}``
                      (``everyone`` and ``authenticated`` included); a
                      ``podium.roles.<role>`` setting replaces every proposal
                      for that role
    ``hookspecs``     dotted name of the module of its hook specifications
                      (functions marked ``@podium.api.hookspec``)
    ``hookimpls``     dotted name of the module of its hook implementations
                      (functions marked ``@podium.api.hookimpl``)
    """

    includeme: Callable[..., None]
    title: str | None = None
    description: str | None = None
    requires: Sequence[str] = ()
    after: Sequence[str] = ()
    before: Sequence[str] = ()
    settings: Sequence[Setting] = ()
    route_prefix: str | None = None
    front_page: str | None = None
    migrations: str | None = None
    static: str | None = None
    commands: Any = None
    permissions: Sequence[Permission] = ()
    default_grants: Mapping[str, Sequence[str]] = field(default_factory=dict)
    hookspecs: str | None = None
    hookimpls: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_FIELDS = ("title", "description", "requires", "after", "before", "settings",
           "route_prefix", "front_page", "migrations", "static", "commands", "permissions",
           "default_grants", "hookspecs", "hookimpls")


def definition_of(target: Any) -> Plugin | None:
    """The declaration behind an entry point's target, or None if it has none."""
    if isinstance(target, Plugin):
        return target
    if inspect.isfunction(target):
        return Plugin(includeme=target)
    includeme = getattr(target, "includeme", None)
    if not callable(includeme):
        return None
    # A submodule that happens to be called "settings" or "commands" is not a
    # declaration: only plain values count.
    values = {
        name: getattr(target, name)
        for name in _FIELDS
        if hasattr(target, name) and not inspect.ismodule(getattr(target, name))
    }
    return Plugin(includeme=includeme, **values)
