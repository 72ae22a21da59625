"""Alembic environment for Podium: the core's branch and every plugin's.

``podium db ...`` builds the alembic config with every installed plugin's
revisions directory and passes the settings, the branches and, for
``podium db revision --autogenerate``, the branch being written.  Plain
``alembic -c development.ini ...`` comes here with only the ini file: the
settings are read from its ``[app:main]`` section and the plugins' directories
are added to the script directory alembic built (see
``podium.workarounds.alembic_late_version_locations`` for why and what that covers).
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import engine_from_config, pool

from podium.settings.core import load_settings
from podium.store import migrations
from podium.store.model import Base
from podium.workarounds.alembic_late_version_locations import add_version_locations

config = context.config
given: dict[str, Any] | None = config.attributes.get("podium.settings")
if given is None:
    # Plain alembic: the ini's logging, so that it says which revisions it runs.
    if not config.config_file_name:
        raise SystemExit("Error: run alembic with -c INI_FILE, or use podium db")
    fileConfig(config.config_file_name, disable_existing_loggers=False)
    given = load_settings(config.config_file_name)
settings: dict[str, Any] = given
branches = config.attributes.get("podium.branches")
if branches is None:
    location = migrations.check_script_location(config.get_main_option("script_location"))
    branches = migrations.branches_for(settings, location)
    add_version_locations(context.script, [b.directory for b in branches])

target_metadata = Base.metadata

# Autogenerate compares the models with the database: import the models of the
# branch being written (podium db revision --plugin NAME) or of every branch,
# and compare only their tables, never another plugin's or a test's.
writing = config.attributes.get("podium.autogenerate")
compared = [b for b in branches if b.name == writing] or branches
command: Any = getattr(config.cmd_opts, "cmd", None)  # plain alembic: (function, args, kwargs)
plain_autogenerate = getattr(config.cmd_opts, "autogenerate", False) or (
    bool(command) and command[0].__name__ == "check"
)
if writing or plain_autogenerate:
    for branch in compared:
        migrations.import_models(branch)
include_object = migrations.include_object_for(compared, target_metadata,
                                               include_unowned_reflected=False)


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
