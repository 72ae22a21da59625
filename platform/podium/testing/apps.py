"""Building the real application for a test, the way ``pserve`` does."""

from __future__ import annotations

from typing import Any

from alembic import command
from pyramid.router import Router
from sqlalchemy import Engine, MetaData, inspect, table
from sqlalchemy.exc import IntegrityError

import podium
from podium.settings.core import DEVELOPMENT_SECRET, apply_environment, normalize
from podium.store.migrations import alembic_config_for

TEST_ALLOWED_HOSTS = "localhost 127.0.0.1 [::1] .example .example.com .example.net .example.org"


def base_settings(database_url: str, plugins: str = "*") -> dict[str, Any]:
    return {
        "sqlalchemy.url": database_url,
        "podium.plugins": plugins,
        "podium.secret": DEVELOPMENT_SECRET,
        "podium.environment": "development",
        # WebTest's localhost and the names reserved for examples (RFC 2606), which suites
        # use for other hosts and which no real site can have; also valid in production.
        "podium.allowed_hosts": TEST_ALLOWED_HOSTS,
        # A PODIUM_* variable in the developer's shell must not beat the test's markers.
        "podium.read_environment": "false",
    }


def build_app(settings: dict[str, Any]) -> Router:
    return podium.main({}, **settings)


#: (database URL, its table names) -> the tables to empty, children first.  Reflecting
#: the whole schema took most of a test's teardown (0.1 s on PostgreSQL, per test);
#: the schema of a test database rarely changes, and a change of its tables is a new key.
_DELETE_ORDER: dict[tuple[str, frozenset[str]], list[str]] = {}


def _delete_order(engine: Engine) -> list[str]:
    metadata = MetaData()
    metadata.reflect(engine)
    return [t.name for t in reversed(metadata.sorted_tables) if t.name != "alembic_version"]


def delete_all_rows(engine: Engine) -> None:
    """Empty every table but alembic's, children first.

    The order comes from reflecting the schema once per set of table names;
    should a test have changed the foreign keys but no table name (the
    cached order then breaks a constraint), the schema is reflected again."""
    names = frozenset(inspect(engine).get_table_names())
    key = (engine.url.render_as_string(hide_password=False), names)
    order = _DELETE_ORDER.get(key)
    if order is not None:
        try:
            _delete_rows(engine, order)
            return
        except IntegrityError:
            pass
    _DELETE_ORDER[key] = order = _delete_order(engine)
    _delete_rows(engine, order)


def _delete_rows(engine: Engine, order: list[str]) -> None:
    with engine.begin() as conn:
        for name in order:
            conn.execute(table(name).delete())


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the heads of the core and every installed plugin."""
    settings = base_settings(url)
    apply_environment(settings, {})
    normalize(settings)
    command.upgrade(alembic_config_for(settings), "heads")
