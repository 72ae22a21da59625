"""The application, outside a request: for plugin commands and scripts.

``app_env(config_uri)`` builds the app from the ini file exactly as pserve
does, and runs the body in one transaction: committed when the body returns,
rolled back when it raises, so a command that fails half-way writes nothing.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pyramid.paster import bootstrap, setup_logging
from pyramid.registry import Registry
from pyramid.request import Request
from sqlalchemy.orm import Session
from transaction.interfaces import NoTransaction

from .plugins.errors import PluginError
from .plugins.plugin_set import plugin_set


@dataclass(frozen=True)
class AppEnv:
    """What a command gets: the app's settings, registry, a request, a session."""

    registry: Registry
    request: Request

    @property
    def settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = self.registry.settings
        return settings

    @property
    def dbsession(self) -> Session:
        session: Session = self.request.dbsession
        return session

    def plugin_settings(self, name: str) -> dict[str, Any]:
        """A plugin's typed settings, by relative key."""
        plugin = plugin_set(self.registry).get(name)
        if plugin is None:
            raise PluginError(f"plugin {name!r} is not enabled in this configuration")
        return dict(plugin.settings)


@contextlib.contextmanager
def app_env(config_uri: str, *, logging: bool = True) -> Iterator[AppEnv]:
    path = config_uri.split("#", 1)[0]
    if not os.path.exists(path):
        raise FileNotFoundError(f"configuration file {path} does not exist")
    if logging:
        setup_logging(config_uri)
    env = bootstrap(config_uri)
    request = env["request"]
    manager = request.tm
    # Outside pyramid_tm's tween nothing begins the request's manager; an
    # app's own tm.manager_hook may hand over one that is begun already.
    try:
        manager.get()
    except NoTransaction:
        manager.begin()
    try:
        try:
            yield AppEnv(env["registry"], request)
        except BaseException:
            manager.abort()
            raise
        manager.commit()
    finally:
        env["closer"]()
