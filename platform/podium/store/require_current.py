"""``podium.db.require_current``: refuse to start on a schema the code does not expect.

When new code is deployed, its migrations must run before it serves
(``podium db upgrade``); a process started too early would fail on the first
request that touches a new column, or worse, half-work.  With the setting on
(it is in production.ini) start-up asks :func:`podium.store.schema_status.schema_status`
about the core and the plugins the app enabled, the same question ``podium db
check`` asks, and stops, naming what is pending, ahead or unknown and the
command to run.  Off, start-up neither touches the database nor imports alembic.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pyramid.config import Configurator
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from ..plugins.loader import LoadedPlugin
from ..plugins.plugin_set import plugin_set


class SchemaNotCurrentError(RuntimeError):
    """The database is not at the revisions the installed code expects."""


def require_current(engine: Engine, settings: dict[str, Any],
                    enabled: Iterable[LoadedPlugin]) -> None:
    """Raise :class:`SchemaNotCurrentError` unless the database is current for
    the core and the ``enabled`` plugins."""
    from alembic.config import Config
    from alembic.util import CommandError

    from .migrations import branches_for, configure_branches, default_script_location
    from .schema_status import schema_status

    location = default_script_location()
    branches = branches_for(settings, location, enabled)
    cfg = configure_branches(Config(), settings, location, branches=branches)
    try:
        status = schema_status(cfg, engine)
    except DBAPIError as exc:
        raise SchemaNotCurrentError(
            "podium.db.require_current is on and the database cannot be checked: "
            f"{type(exc.orig).__name__}: {exc.orig}".strip()) from exc
    except CommandError as exc:
        raise SchemaNotCurrentError(
            f"podium.db.require_current is on and the migrations cannot be read: {exc}") from exc
    if not status.is_current:
        raise SchemaNotCurrentError(
            "podium.db.require_current is on and " + status.describe_problem("<ini file>"))


def includeme(config: Configurator) -> None:
    """Run after the plugins step: the enabled plugins are the app's own."""
    settings = config.get_settings()
    if settings.get("podium.db.require_current"):
        require_current(config.registry["podium.engine"], settings,
                        plugin_set(config.registry).enabled)
