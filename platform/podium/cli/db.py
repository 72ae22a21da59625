"""``podium db``: the database schema, through alembic."""

from __future__ import annotations

import click

from alembic import command

from ..store.migrations import alembic_config


@click.group()
def db() -> None:
    """Migrate the database of the core and of every enabled plugin."""


@db.command()
@click.argument("config_uri")
@click.option("--sql", is_flag=True, help="Print the SQL instead of running it.")
def upgrade(config_uri: str, sql: bool) -> None:
    """Upgrade the core and every enabled plugin to their latest revision."""
    command.upgrade(alembic_config(config_uri), "heads", sql=sql)


@db.command()
@click.argument("config_uri")
@click.option("-v", "--verbose", is_flag=True)
def current(config_uri: str, verbose: bool) -> None:
    """Show the revision the database is at, per branch."""
    command.current(alembic_config(config_uri), verbose=verbose)
