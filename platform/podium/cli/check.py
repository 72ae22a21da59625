"""``podium check``: load the whole configuration without serving."""

from __future__ import annotations

import click
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from ..plugins.conflicts import commit_naming_plugins
from ..plugins.errors import PluginError
from .config import config_problems


def pending_revisions(config_uri: str, settings: dict) -> list[str]:
    """Revisions the installed code has and the database has not applied."""
    from ..store.migrations import alembic_config

    script = ScriptDirectory.from_config(alembic_config(config_uri, settings))
    engine = create_engine(settings["sqlalchemy.url"])
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()
    applied: set[str] = set()
    for head in current:
        applied.update(rev.revision for rev in script.iterate_revisions(head, "base"))
    return [rev.revision for rev in script.walk_revisions() if rev.revision not in applied]


@click.command()
@click.argument("config_uri")
def check(config_uri: str) -> None:
    """Load CONFIG_URI as pserve would and report every problem found.

    Settings, missing or incompatible plugins, conflicts between plugins and
    pending migrations; exits 0 only when there are none.
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
        try:
            pending = pending_revisions(config_uri, settings)
        except Exception as exc:  # the database is part of what is checked
            problems.append(f"cannot read the database's revision: {exc}")
        else:
            if pending:
                problems.append(
                    f"the database is behind the code: {len(pending)} pending revision(s) "
                    f"({', '.join(pending)}); run: podium db upgrade {config_uri}"
                )
    if problems:
        click.echo(f"{config_uri}: {len(problems)} problem(s)", err=True)
        for problem in problems:
            click.echo(f"- {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"{config_uri}: no problem found.")
