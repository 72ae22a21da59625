"""Alembic environment for Podium: the core's branch and every plugin's.

``podium db ...`` builds the alembic config with every installed plugin's
revisions directory and passes the settings, the branches and, for
``podium db revision --autogenerate``, the branch being written (whose
comparison ``podium.store.migrations.autogenerate_directives`` makes).  Plain
``alembic -c development.ini ...`` comes here with only the ini file: the
settings are read from its ``[app:main]`` section (as ``podium db`` reads them,
without the session secret) and the plugins' directories are added to the
script directory alembic built (see
``podium.workarounds.alembic_late_version_locations`` for why and what that covers).
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import engine_from_config, pool

from podium.store import migrations
from podium.workarounds.alembic_late_version_locations import add_version_locations

config = context.config
given: dict[str, Any] | None = config.attributes.get("podium.settings")
if given is None:
    # Plain alembic: the ini's logging, so that it says which revisions it runs.
    if not config.config_file_name:
        raise SystemExit("Error: run alembic with -c INI_FILE, or use podium db")
    if config.file_config.has_section("loggers"):
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    given = migrations.migration_settings(config.config_file_name)
settings: dict[str, Any] = given
branches = config.attributes.get("podium.branches")
if branches is None:
    # The directory alembic found env.py in, however script_location names it.
    branches = migrations.branches_for(settings, context.script.dir)
    add_version_locations(context.script, [b.directory for b in branches])

# Autogenerate compares the models with the database: only the tables the
# compared branches own (their models', never another plugin's or a test's).
# podium db revision --autogenerate compares one branch in its own hook; plain
# alembic revision --autogenerate (and alembic check) compares every branch.
command: Any = getattr(config.cmd_opts, "cmd", None)  # plain alembic: (function, args, kwargs)
plain_autogenerate = getattr(config.cmd_opts, "autogenerate", False) or (
    bool(command) and command[0].__name__ == "check"
)
if plain_autogenerate:
    compared = migrations.comparison(branches)
    target_metadata: Any = compared.metadata
    include_object: Any = compared.include_object
else:
    target_metadata, include_object = None, None


def run_migrations_offline() -> None:
    context.configure(
        url=settings["sqlalchemy.url"],
        target_metadata=target_metadata,
        include_object=include_object,
        literal_binds=True,
        render_as_batch=settings["sqlalchemy.url"].startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    from podium.store.engine import ensure_sqlite_directory

    # Plain alembic on a fresh checkout: SQLite makes a missing file, not its directory.
    ensure_sqlite_directory(settings["sqlalchemy.url"])
    engine = engine_from_config(
        {"sqlalchemy.url": settings["sqlalchemy.url"]},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_object=include_object,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
