"""Building the real application for a test, the way ``pserve`` does."""

from __future__ import annotations

from typing import Any

from pyramid.router import Router
from sqlalchemy import Engine, MetaData

import podium
from podium.settings import DEVELOPMENT_SECRET


def base_settings(database_url: str, plugins: str = "*") -> dict[str, Any]:
    return {
        "sqlalchemy.url": database_url,
        "podium.plugins": plugins,
        "podium.secret": DEVELOPMENT_SECRET,
        "podium.environment": "development",
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
