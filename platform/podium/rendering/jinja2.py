"""Jinja2 through pyramid_jinja2, with autoescaping always on.

Templates are referenced by asset spec (``podium:templates/layout.jinja2``),
never by a bare name on a shared search path: bare names collide between
plugins and escape ``config.override_asset``.
"""

from __future__ import annotations

from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    settings = config.get_settings()
    # Autoescaping is not negotiable: a plugin cannot switch it off by ini.
    settings["jinja2.autoescape"] = "true"
    config.include("pyramid_jinja2")
