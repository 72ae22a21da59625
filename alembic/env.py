"""Alembic environment for Podium: the core's branch and every plugin's.

Run it through ``podium db upgrade CONFIG_URI``, which adds each enabled
plugin's revisions directory to the version locations.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from podium.store.migrations import app_settings
from podium.store.model import Base

config = context.config
settings = config.attributes.get("podium.settings") or app_settings(config.config_file_name)
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=settings["sqlalchemy.url"],
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=settings["sqlalchemy.url"].startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = engine_from_config(
        {"sqlalchemy.url": settings["sqlalchemy.url"]}, prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
