"""``podium check``: load the whole configuration without serving."""

from __future__ import annotations

import click
from alembic.util import CommandError
from sqlalchemy.exc import DBAPIError

from ..plugins.conflicts import commit_naming_plugins
from ..plugins.errors import PluginError
from ..store.require_current import SchemaNotCurrentError
from .config import config_problems


def schema_problem(config_uri: str, settings: dict) -> str | None:
    """What is wrong with the database's schema, as ``podium db check`` and
    start-up (``podium.db.require_current``) see it; None when it is current."""
    from ..store.migrations import alembic_config
    from ..store.schema_status import schema_status

    try:
        status = schema_status(alembic_config(config_uri, settings))
    except (CommandError, DBAPIError) as exc:  # the database is part of what is checked
        return f"cannot read the database's revision: {exc}"
    return None if status.is_current else status.describe_problem(config_uri)


@click.command()
@click.argument("config_uri")
def check(config_uri: str) -> None:
    """Load CONFIG_URI as pserve would and report every problem found.

    Settings, missing or incompatible plugins, conflicts between plugins and
    a database that is not current (as `podium db check` says); exits 0 only
    when there are none.
    """
    from pyramid.config import Configurator

    import podium

    settings, problems = config_problems(config_uri)
    if not problems:
        try:
            configurator = Configurator(settings=settings)
            configurator.include(podium.includeme)
            commit_naming_plugins(configurator)
        except PluginError as exc:
            problems.append(str(exc))
        except SchemaNotCurrentError:
            pass  # podium.db.require_current is on: said in full below
        try:
            problem = schema_problem(config_uri, settings)
        except PluginError as exc:  # the plugins the migrations are read for
            problem = None if str(exc) in problems else str(exc)
        if problem:
            problems.append(problem)
    if problems:
        click.echo(f"{config_uri}: {len(problems)} problem(s)", err=True)
        for problem in problems:
            click.echo(f"- {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"{config_uri}: no problem found.")
