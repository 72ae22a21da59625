"""Podium: a Pyramid plugin platform.

``main`` is the PasteDeploy app factory used by ``pserve`` and the other
``p*`` scripts; ``includeme`` lets a host Pyramid application embed the whole
platform with ``config.include('podium')``.  Both run the same boot sequence,
one small module per step, and nothing happens at import time.
"""

from __future__ import annotations

import warnings
from typing import Any

# Pyramid 2.1 imports pkg_resources (hence setuptools<82); the deprecation
# warning it triggers says nothing an operator can act on.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)

from pyramid.config import Configurator  # noqa: E402
from pyramid.router import Router  # noqa: E402

__all__ = ["includeme", "main"]


def includeme(config: Configurator) -> None:
    """The boot sequence: each step is an ``includeme`` of its own."""
    config.include(".settings")
    config.include(".routing")
    config.include(".requests")
    config.include(".store")
    config.include(".rendering")
    config.include(".security")
    config.include(".security.policy")  # identity (session, bearer token), login pages
    config.include(".web")
    config.include(".jsonapi")  # schemas on JSON API views, the error shape, OpenAPI
    config.include(".slots")  # before the plugins: they call add_slot_content
    config.include(".plugins")
    config.include(".jsonapi.after_plugins")  # the API nav entry, the OpenAPI document
    config.include(".hooks")  # the plugins' hooks, in the plugin order
    # Last: reads the overrides and static views the plugins declared.
    config.include(".assets")
    config.include(".store.require_current")  # once the plugins are known


def main(global_config: dict[str, Any], **settings: Any) -> Router:
    """PasteDeploy ``main`` factory: a thin wrapper around ``includeme``."""
    from .operator_errors import told_to_script_users
    from .plugins.conflicts import commit_naming_plugins

    # pserve production.ini without PODIUM_SECRET: one Error: line, not a traceback.
    with told_to_script_users(global_config):
        config = Configurator(settings=settings)
        config.include(includeme)
        # Commit here rather than inside make_wsgi_app so that a conflict between
        # two plugins is reported with the plugins' names.
        commit_naming_plugins(config)
    return config.make_wsgi_app()
