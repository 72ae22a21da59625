"""Jinja2 through pyramid_jinja2, with autoescaping always on.

Templates are referenced by asset spec (``podium:templates/layout.jinja2``),
never by a bare name on a shared search path: bare names collide between
plugins and escape ``config.override_asset``.
"""

from __future__ import annotations

import types
from collections.abc import MutableMapping
from typing import Any

from jinja2 import Environment
from pyramid.config import Configurator
from pyramid_jinja2 import IJinja2Environment


def _flat_globals(self: Environment, d: MutableMapping[str, Any] | None = None) -> dict[str, Any]:
    # Jinja's own precedence: the template's globals over the environment's.
    return {**self.globals, **d} if d else dict(self.globals)


def flatten_template_globals(environment: Environment) -> None:
    """Give templates loaded from now on a plain dict of globals.

    Jinja keeps a template's globals as a ``ChainMap`` over the environment's
    and copies it into a dict on every render, one Python-level lookup (and
    one caught ``KeyError``) per global: with Podium's and pyramid_jinja2's
    globals that is most of what an empty template takes to render, paid by
    every page (upstream: pallets/jinja#2185).
    A plain dict is copied in C.  The difference: a template sees the
    environment's globals as they were when it was loaded (at its first
    render, as a rule), so this is switched on by the last configuration
    action, once every plugin has added its globals; Jinja's documentation
    already asks not to change them after templates are loaded.  Templates
    loaded earlier keep the ``ChainMap``."""
    environment.make_globals = types.MethodType(_flat_globals, environment)  # type: ignore[method-assign]


#: After every ordinary action (Pyramid's default order is 0).  Not an
#: ``ApplicationCreated`` subscriber: the first subscriber makes Pyramid's
#: router send NewRequest, ContextFound and NewResponse on every request.
LAST_ORDER = 10_000


def includeme(config: Configurator) -> None:
    settings = config.get_settings()
    # Autoescaping is not negotiable: a plugin cannot switch it off by ini.
    settings["jinja2.autoescape"] = "true"
    config.include("pyramid_jinja2")
    registry = config.registry

    def flatten() -> None:
        for _, environment in registry.getUtilitiesFor(IJinja2Environment):
            flatten_template_globals(environment)

    config.action(None, flatten, order=LAST_ORDER)
