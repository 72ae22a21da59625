"""The ``slot(name, **values)`` Jinja2 global every template has.

A slot nobody contributes to costs one dict lookup, and in a template
``{{ slot("a.name", ...) }}`` not even the call (:mod:`.guard`): most pages
have many slots and few contributions, and a page must not pay for the
places it offers.  Contributions are rendered in the table's order; an
exception in one is a bug of its plugin and fails the page like any template
error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jinja2
from markupsafe import Markup, escape
from pyramid.config import Configurator
from pyramid.renderers import render
from pyramid.request import Request
from pyramid_jinja2 import ENV_CONFIG_PHASE, IJinja2Environment

from .guard import FILLED, REAL_SLOT, SLOT, SlotGuard
from .registry import SlotContent, slot_table

EMPTY = Markup("")


def shown(content: SlotContent, request: Request | None) -> bool:
    """Whether ``content`` is for this request: its route, then its permission."""
    if content.routes is not None:
        route = getattr(request, "matched_route", None)
        if route is None or route.name not in content.routes:
            return False
    if content.permission is not None:
        if request is None or not request.has_permission(content.permission):
            return False
    return True


def render_content(content: SlotContent, request: Request | None,
                   values: Mapping[str, Any]) -> Markup:
    """One contribution's markup: a template through pyramid_jinja2 (its
    overrides, globals and autoescape), or a callable's result escaped."""
    what = content.content
    if isinstance(what, str):
        return Markup(render(what, dict(values), request=request))
    result = what(request, **values)
    if result is None:
        return EMPTY
    return escape(result)


def render_slot(contents: tuple[SlotContent, ...], request: Request | None,
                values: Mapping[str, Any]) -> Markup:
    parts = [render_content(c, request, values) for c in contents if shown(c, request)]
    return Markup("").join(parts)


def make_slot(table: Mapping[str, tuple[SlotContent, ...]]) -> Callable[..., Markup]:
    """The global, bound to one application's table."""

    @jinja2.pass_context
    def slot(context: jinja2.runtime.Context, name: str, **values: Any) -> Markup:
        contents = table.get(name)
        if not contents:
            return EMPTY
        return render_slot(contents, context.get("request"), values)

    return slot


def filled_slots(table: Mapping[str, tuple[SlotContent, ...]]) -> frozenset[str]:
    """The slots with at least one contribution: the guard's set."""
    return frozenset(name for name, contents in table.items() if contents)


#: After the table is sorted (registry's action, order 1), before the
#: templates' globals are flattened (rendering.jinja2, order 10,000).
_AFTER_TABLE = 2


def includeme(config: Configurator) -> None:
    registry = config.registry
    table = slot_table(registry)
    slot = make_slot(table)

    def environments() -> list[jinja2.Environment]:
        # Every environment: a plugin may add a renderer of its own
        # (config.add_jinja2_renderer(".html")), and its templates have slots too.
        return [env for _, env in registry.getUtilitiesFor(IJinja2Environment)]

    def add_global() -> None:
        for environment in environments():
            environment.globals[SLOT] = environment.globals[REAL_SLOT] = slot
            # The table is empty until sorted: slot() would render nothing.
            environment.globals[FILLED] = frozenset()
            # Jinja's public Environment.add_extension, as pyramid_jinja2's
            # add_jinja2_extension does: on top of a host's jinja2.extensions.
            environment.add_extension(SlotGuard)

    def publish_filled() -> None:
        filled = filled_slots(table)
        for environment in environments():
            environment.globals[FILLED] = filled

    # After pyramid_jinja2 has built the environments, before any template loads.
    config.action(None, add_global, order=ENV_CONFIG_PHASE + 1)
    config.action(None, publish_filled, order=_AFTER_TABLE)
