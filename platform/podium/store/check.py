"""``podium.db.require_current``: refuse to start on a schema the code does not expect.

When new code is deployed, its migrations must run before it serves
(``podium db upgrade``); a process started too early would fail on the first
request that touches a new column, or worse, half-work.  With the setting on
(it is in production.ini) start-up compares the database with the installed
migrations of the core and of the enabled plugins and stops, naming the
pending revisions and the command to run, when the database is behind, or
when it holds revisions this code does not know (a rollback to older code
after a newer version migrated).  Off, start-up does not touch the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyramid.config import Configurator
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from ..plugins.plugin_set import plugin_set

if TYPE_CHECKING:
    from alembic.config import Config

# alembic is imported only when the database is not current (to say what is
# missing) or when podium.store.revision_files cannot tell from the files as text:
# loading it costs about 0.2 s and 10 MB (bench.scaling, 100 plugins).


class SchemaNotCurrentError(RuntimeError):
    """The database is not at the revisions the installed code expects."""


def check_schema(engine: Engine, cfg: Config) -> None:
    """Raise :class:`SchemaNotCurrentError` unless the database is current."""
    from .migrations import schema_status

    try:
        with engine.connect() as connection:
            status = schema_status(cfg, connection)
    except DBAPIError as exc:
        raise SchemaNotCurrentError(
            "podium.db.require_current is on and the database cannot be checked: "
            f"{type(exc.orig).__name__}: {exc.orig}".strip()) from exc
    if not status.is_current:
        raise SchemaNotCurrentError(
            "podium.db.require_current is on and " + status.describe_problem("<ini file>"))


def includeme(config: Configurator) -> None:
    """Run after the plugins step: the enabled plugins are the app's own."""
    settings = config.get_settings()
    if not settings.get("podium.db.require_current"):
        return
    from .revision_files import quick_status
    from .schema import branches_for, default_script_location

    engine = config.registry["podium.engine"]
    location = default_script_location()
    branches = branches_for(settings, location, plugin_set(config.registry).enabled)
    try:
        with engine.connect() as connection:
            status = quick_status(connection, branches)
    except DBAPIError:
        status = None  # alembic's path below reports it
    if status is not None and status.is_current:
        return  # the usual case, decided without importing alembic
    from alembic.config import Config

    from .migrations import configure_branches

    cfg = configure_branches(Config(), settings, location, branches=branches)
    check_schema(engine, cfg)
