"""Contributions to template slots: the ``add_slot_content`` directive and
the table, slot name to contributions in the order they render.

Each contribution is a Configurator action with a discriminator, so two
registrations of the same named content conflict like any other; its plugin
is found from the include path when the action runs, once every plugin is
known, and the table is sorted once, after every contribution is in.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationError
from pyramid.registry import Registry

from ..plugins.plugin_set import REGISTRY_KEY as PLUGINS_KEY
from ..plugins.plugin_set import PluginSet

CATEGORY = "podium slot contents"
DISCRIMINATOR = "podium.slot_content"
REGISTRY_KEY = "podium.slots"
#: Lower-case words joined by dots, at least two: the owner, then the place.
SLOT_NAME = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+")
#: Sorting runs after every contribution's action (default order 0).
_AFTER_CONTRIBUTIONS = 1
CORE = "(core)"
APPLICATION = "(application)"


@dataclass(frozen=True)
class SlotContent:
    """One contribution to a slot, as ``slot()`` and ``podium slots`` see it."""

    slot: str
    name: str
    #: An asset spec of a template, or a callable ``content(request, **values)``.
    content: str | Callable[..., Any]
    weight: int
    permission: str | None
    #: The route names it is shown on, or None for every page.
    routes: frozenset[str] | None
    #: The contributing plugin's name, or CORE / APPLICATION.
    plugin: str
    #: The plugin's place in the plugin order (the core -1, the application last).
    rank: int
    sequence: int
    #: Where it was registered: ``file:line``, the file absolute.
    registered_at: str

    @property
    def where(self) -> str:
        """``file:line``, the file relative to the working directory."""
        file, _, line = self.registered_at.rpartition(":")
        return f"{os.path.relpath(file)}:{line}" if file else self.registered_at

    @property
    def describes(self) -> str:
        return self.content if isinstance(self.content, str) else _callable_name(self.content)


def slot_table(registry: Registry) -> dict[str, tuple[SlotContent, ...]]:
    """Slot name to its contributions in render order; the same dict object
    for the application's life (``slot()`` holds it), filled at commit."""
    table: dict[str, tuple[SlotContent, ...]] = registry.setdefault(REGISTRY_KEY, {})
    return table


def _callable_name(content: Callable[..., Any]) -> str:
    """``module.qualname``; a lambda or a local function adds its line, so
    that two of them in one ``includeme`` are two contributions."""
    module = getattr(content, "__module__", None) or "?"
    qualname = getattr(content, "__qualname__", None) or type(content).__qualname__
    code = getattr(content, "__code__", None)
    if "<" in qualname and code is not None:
        qualname += f"@{code.co_firstlineno}"
    return f"{module}.{qualname}"


def _where(info: Any) -> str:
    # Made relative only when shown: os.path.relpath per registration is
    # most of what a registration costs at start-up.
    file = getattr(info, "file", None)
    return f"{file}:{getattr(info, 'line', '?')}" if file else "?"


_RANKS_KEY = "podium.slots.ranks"


def _ranks(registry: Registry) -> tuple[dict[str, tuple[str, int]], int]:
    """Include spec -> (plugin, rank), and the number of plugins; worked out
    once per plugin set rather than per registration."""
    plugins: PluginSet | None = registry.get(PLUGINS_KEY)
    cached = registry.get(_RANKS_KEY)
    if cached is not None and cached[0] is plugins:
        return cached[1], cached[2]
    enabled = plugins.enabled if plugins is not None else ()
    rank = {p.name: i for i, p in enumerate(enabled)}
    by_spec = {spec: (p.name, rank[p.name])
               for spec, p in (plugins.by_include_spec() if plugins is not None else {}).items()
               if p.name in rank}
    registry[_RANKS_KEY] = (plugins, by_spec, len(enabled))
    return by_spec, len(enabled)


def owner_of(registry: Registry, includepath: tuple[str, ...]) -> tuple[str, int]:
    """The plugin whose ``includeme`` made a registration and its rank in
    the plugin order; the core ranks first, the application last."""
    by_spec, count = _ranks(registry)
    for spec in reversed(includepath):
        if spec in by_spec:
            return by_spec[spec]
    innermost = includepath[-1] if includepath else ""
    if innermost.split(":")[0].split(".")[0] == "podium":
        return CORE, -1
    return APPLICATION, count


def _routes(slot: str, route: str | Sequence[str] | None) -> frozenset[str] | None:
    if route is None:
        return None
    names = (route,) if isinstance(route, str) else tuple(route)
    if not names or not all(isinstance(n, str) and n for n in names):
        raise ConfigurationError(f"add_slot_content({slot!r}): route must be a route name or "
                                 f"a list of route names, not {route!r}")
    return frozenset(names)


def check_slot_name(slot: Any) -> str:
    if not isinstance(slot, str) or not SLOT_NAME.fullmatch(slot):
        raise ConfigurationError(
            f"add_slot_content: the slot name {slot!r} is not a slot name: give a dotted "
            "name of lower-case words starting with the slot's owner, such as "
            "'notes.note.after_body' or 'podium.head'")
    return slot


def add_slot_content(config: Configurator, slot: str, content: str | Callable[..., Any], *,
                     weight: int = 0, permission: str | None = None,
                     route: str | Sequence[str] | None = None,
                     name: str | None = None) -> None:
    """Render ``content`` where templates call ``slot(slot, ...)`` (docs/slots.md).

    ``content``: a template's asset spec, rendered with the slot's values
    and ``request``, or a callable ``content(request, **values)`` whose
    result is escaped unless it is ``Markup``.  Ordered by ``weight``, then
    the plugin order, then registration order; skipped for a request without
    ``permission`` or whose matched route is not among ``route``."""
    check_slot_name(slot)
    if isinstance(content, str):
        if ":" not in content or os.path.isabs(content):
            raise ConfigurationError(
                f"add_slot_content({slot!r}): the template {content!r} must be an asset "
                "spec such as 'podium_tags:templates/note_tags.jinja2'")
    elif not callable(content):
        raise ConfigurationError(f"add_slot_content({slot!r}): content must be a template's "
                                 f"asset spec or a callable, not {content!r}")
    if isinstance(weight, bool) or not isinstance(weight, int):
        raise ConfigurationError(f"add_slot_content({slot!r}): weight must be an integer, "
                                 f"not {weight!r}")
    if permission is not None and (not isinstance(permission, str) or not permission.strip()):
        raise ConfigurationError(f"add_slot_content({slot!r}): permission must be a "
                                 f"permission name such as 'notes.view', not {permission!r}")
    routes = _routes(slot, route)
    if name is not None and (not isinstance(name, str) or not name):
        raise ConfigurationError(f"add_slot_content({slot!r}): name must be a non-empty "
                                 f"string, not {name!r}")
    key = name or (content if isinstance(content, str) else _callable_name(content))
    registry, includepath, info = config.registry, config.includepath, config.action_info
    where = _where(info)
    intr = config.introspectable(CATEGORY, (slot, key), f"{slot}: {key}", "slot content")
    intr.update(slot=slot, name=key, content=content, weight=weight, permission=permission,
                routes=sorted(routes) if routes is not None else None, where=where)

    def register() -> None:
        plugin, rank = owner_of(registry, includepath)
        intr["plugin"] = plugin
        pending: list[SlotContent] = registry.setdefault(_PENDING_KEY, [])
        pending.append(SlotContent(slot, key, content, weight, permission, routes, plugin,
                                   rank, len(pending), where))

    config.action((DISCRIMINATOR, slot, key), register, introspectables=(intr,))


_PENDING_KEY = "podium.slots.pending"


def order(contents: Sequence[SlotContent]) -> dict[str, tuple[SlotContent, ...]]:
    """Weight ascending, then plugin order, then registration order."""
    by_slot: dict[str, list[SlotContent]] = {}
    for content in sorted(contents, key=lambda c: (c.weight, c.rank, c.sequence)):
        by_slot.setdefault(content.slot, []).append(content)
    return {slot: tuple(found) for slot, found in by_slot.items()}


def includeme(config: Configurator) -> None:
    config.add_directive("add_slot_content", add_slot_content)
    registry = config.registry
    slot_table(registry)

    def sort() -> None:
        table = slot_table(registry)
        table.clear()
        table.update(order(registry.get(_PENDING_KEY, ())))

    config.action(None, sort, order=_AFTER_CONTRIBUTIONS)
