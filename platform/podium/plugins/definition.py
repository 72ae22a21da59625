"""What a plugin declares about itself, in one place.

A plugin's entry point names either a :class:`Plugin` object or a module
whose attributes carry the same fields beside ``includeme``.  Version,
author and homepage are not declared here: they come from the
distribution's metadata, so they cannot drift from what pip installed.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..settings.types import Setting


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
    extra: dict[str, Any] = field(default_factory=dict)


_FIELDS = ("title", "description", "requires", "after", "before", "settings",
           "route_prefix", "front_page", "migrations", "static", "commands")


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
