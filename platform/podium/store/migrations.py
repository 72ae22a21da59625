"""Alembic wiring: the core's branch plus one branch per enabled plugin.

The core's revisions live in the ``alembic/`` directory named by the ini
file's ``[alembic] script_location``; each plugin names its own revisions
directory (``migrations`` in its metadata).  Alembic sees them all as one
script directory with several version locations, one branch each, and
``upgrade heads`` brings every branch up to date.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic.config import Config

from ..plugins.discovery import discover
from ..plugins.enabling import select_enabled
from ..plugins.loader import LoadedPlugin, load
from ..settings import SettingsError, apply_environment, normalize


def app_settings(config_uri: str) -> dict[str, Any]:
    """The app's settings as ``main`` would see them, environment included."""
    from pyramid.paster import get_appsettings

    settings = dict(get_appsettings(config_uri))
    apply_environment(settings, os.environ)
    normalize(settings)
    return settings


def enabled_plugins(settings: dict[str, Any]) -> list[LoadedPlugin]:
    return [load(p, settings) for p in select_enabled(discover(), settings["podium.plugins"])]


def default_script_location() -> str:
    """The ``alembic/`` directory beside ``platform/`` in a source checkout."""
    return str(Path(__file__).resolve().parents[3] / "alembic")


def alembic_config(config_uri: str, settings: dict[str, Any] | None = None) -> Config:
    """An alembic ``Config`` for the ini file, with every enabled plugin's branch."""
    path = config_uri.split("#", 1)[0]
    if not os.path.exists(path):
        raise FileNotFoundError(f"configuration file {path} does not exist")
    settings = settings if settings is not None else app_settings(config_uri)
    cfg = Config(path, ini_section="alembic")
    return configure_branches(cfg, settings, cfg.get_main_option("script_location"))


def alembic_config_for(settings: dict[str, Any], script_location: str | None = None) -> Config:
    """An alembic ``Config`` without an ini file: for tests and embedding apps."""
    return configure_branches(Config(), settings, script_location or default_script_location())


def configure_branches(
    cfg: Config, settings: dict[str, Any], script_location: str | None
) -> Config:
    if not script_location or not os.path.isdir(script_location):
        raise SettingsError(
            "[alembic] script_location", script_location,
            "the ini file needs an [alembic] section with "
            "script_location = %(here)s/alembic (the directory holding env.py)",
        )
    cfg.set_main_option("script_location", script_location)
    locations = [os.path.join(script_location, "versions")]
    for plugin in enabled_plugins(settings):
        directory = plugin.migrations_path()
        if directory:
            locations.append(directory)
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", os.pathsep.join(locations))
    cfg.attributes["podium.settings"] = settings
    return cfg
