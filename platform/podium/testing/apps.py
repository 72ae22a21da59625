"""Building the real application for a test, the way ``pserve`` does."""

from __future__ import annotations

from typing import Any

from alembic import command
from pyramid.router import Router
from sqlalchemy import Engine, MetaData

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


def delete_all_rows(engine: Engine) -> None:
    """Empty every table but alembic's, children first."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            if table.name != "alembic_version":
                conn.execute(table.delete())


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the heads of the core and every installed plugin."""
    settings = base_settings(url)
    apply_environment(settings, {})
    normalize(settings)
    command.upgrade(alembic_config_for(settings), "heads")
