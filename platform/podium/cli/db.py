"""``podium db``: the database schema of the core and of every plugin, through alembic.

Each plugin's migrations are a branch of their own (see
``podium.store.migrations``).  ``upgrade`` migrates the core and the enabled
plugins; a disabled plugin's tables are left alone until it is enabled again.
``--plugin NAME`` narrows a command to one plugin's branch.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click
from alembic import command
from alembic.config import Config
from alembic.util import CommandError

from ..store.migrations import (
    CORE,
    Branch,
    alembic_config,
    autogenerate_directives,
    find_branch,
    revisions_for,
)
from ..store.migrations import upgrade as upgrade_to_heads
from ..store.schema_status import BranchStatus, SchemaStatus, schema_status


def record(cfg: Config) -> None:
    """After a migration: what each branch now owns, for the day its code is
    gone (``podium.store.ownership_records``)."""
    from ..store.engine import make_engine
    from ..store.ownership_records import record_ownership

    engine = make_engine(cfg.attributes["podium.settings"])
    try:
        with engine.begin() as connection:
            record_ownership(cfg, connection)
    finally:
        engine.dispose()

plugin_option = click.option(
    "--plugin", "plugin", metavar="NAME", default=None,
    help="Only this plugin's branch (the core's is named 'podium').",
)


@contextmanager
def alembic_errors() -> Iterator[None]:
    """Alembic's own errors (an ambiguous revision, a database ahead of the
    code...) are the user's to fix: one line, no traceback."""
    try:
        yield
    except CommandError as exc:
        raise click.ClickException(str(exc)) from exc


def config_for(config_uri: str, log: bool = False) -> Config:
    """The alembic config of CONFIG_URI; with ``log``, its logging too, so that
    alembic says which revisions it runs (as plain alembic does)."""
    with alembic_errors():
        cfg = alembic_config(config_uri)
    if log:
        from pyramid.paster import setup_logging

        setup_logging(config_uri)
    return cfg


def status_of(cfg: Config) -> SchemaStatus:
    """Where the database stands against the installed revisions: the answer
    start-up and ``podium check`` get too."""
    with alembic_errors():
        return schema_status(cfg)


def _branch_name(cfg: Config, plugin: str | None) -> str | None:
    if plugin is None or plugin == CORE:
        return plugin
    with alembic_errors():
        return find_branch(cfg, plugin).name


@click.group()
def db() -> None:
    """Migrate the database of the core and of every enabled plugin."""


@contextmanager
def alembic_context_quiet() -> Iterator[None]:
    """Around the reads before and after an upgrade: each opens a migration
    context, and alembic logs "Context impl ..." for every one, so the lines
    of the upgrade itself would come two or three times."""
    logger = logging.getLogger("alembic.runtime.migration")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


@db.command()
@click.argument("config_uri")
@plugin_option
@click.option("--sql", is_flag=True, help="Print the SQL instead of running it.")
def upgrade(config_uri: str, plugin: str | None, sql: bool) -> None:
    """Upgrade the core and every enabled plugin (or one) to their latest revision.

    Run it once, before new code serves: revisions are applied in the order
    their dependencies ask (a plugin's after the core revision it depends on).
    """
    cfg = config_for(config_uri, log=True)
    name = _branch_name(cfg, plugin)
    if name is not None:
        branch = find_branch(cfg, name) if name != CORE else None
        if branch is not None and not branch.enabled:
            raise click.ClickException(
                f"plugin {name!r} is not enabled by {config_uri}: its tables are left alone; "
                f"add it to podium.plugins first")
    with alembic_errors():
        if not sql:
            with alembic_context_quiet():
                status = status_of(cfg)
            # Alembic could not migrate from unknown revisions, and would
            # migrate a disabled plugin's for a revision that needs them.
            if status.unrecognized or status.blocked:
                raise CommandError(status.describe_problem(config_uri))
        if not upgrade_to_heads(cfg, name, sql=sql):
            click.echo("Nothing to upgrade: no migrations.")
        elif not sql:
            with alembic_context_quiet():
                record(cfg)
                left = set(status_of(cfg).pending)
            # Said here too: an ini without logging shows none of alembic's lines.
            applied = [r for r in status.pending if r not in left]
            click.echo(f"Applied {', '.join(applied)}." if applied
                       else "Nothing to apply: the database was up to date.")


# ignore_unknown_options: "-1" is a revision, not an option.
@db.command(context_settings={"ignore_unknown_options": True})
@click.argument("config_uri")
@click.argument("revision", default="-1")
@plugin_option
@click.option("--sql", is_flag=True, help="Print the SQL instead of running it.")
def downgrade(config_uri: str, revision: str, plugin: str | None, sql: bool) -> None:
    """Downgrade to REVISION (default: one step back).

    With --plugin, a relative REVISION (-1, base) applies to that plugin's
    branch: `podium db downgrade dev.ini base --plugin notes` drops the notes
    tables and nothing else.  Revisions that depend on what is removed are
    downgraded first.
    """
    cfg = config_for(config_uri, log=True)
    name = _branch_name(cfg, plugin)
    if name is not None and "@" not in revision and (
        revision == "base" or revision.startswith(("-", "+"))
    ):
        revision = f"{name}@{revision}"
    if sql and ":" not in revision:
        raise click.ClickException("--sql needs a range: FROM:TO")
    with alembic_errors():
        command.downgrade(cfg, revision, sql=sql)
        if not sql:
            record(cfg)


def _echo_table(rows: Sequence[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[-1]]).rstrip())


def _state(status: BranchStatus, blocked: dict[str, str]) -> str:
    if status.ahead:
        return f"ahead: {', '.join(status.ahead)} unknown to this code"
    needs = [f"{r} needs {blocked[r]}" for r in status.pending if r in blocked]
    if needs:
        return f"blocked: {', '.join(needs)} of a disabled plugin"
    if status.pending:
        return f"behind: {', '.join(status.pending)} pending"
    if not status.branch.enabled:
        return ("tables left alone" if status.current else "not created") + (
            f" ({len(status.missing)} revision(s) not applied)" if status.missing else "")
    return "up to date"


@db.command()
@click.argument("config_uri")
@plugin_option
@click.option("-v", "--verbose", is_flag=True, help="Show each revision's message too.")
def current(config_uri: str, plugin: str | None, verbose: bool) -> None:
    """Show the revision the database is at, per branch (enabled or not)."""
    cfg = config_for(config_uri)
    name = _branch_name(cfg, plugin)
    status = status_of(cfg)
    rows = [("BRANCH", "STATUS", "DATABASE", "HEAD", "STATE")]
    for item in status.branches:
        if name is not None and item.branch.name != name:
            continue
        rows.append((item.branch.name, item.branch.label, ", ".join(item.current) or "-",
                     ", ".join(item.heads) or "-", _state(item, dict(status.blocked))))
    _echo_table(rows)
    if verbose:
        for item in status.branches:
            for rev in item.current:
                click.echo(f"{rev}: {status.revisions.by_id[rev].doc}")
    for orphan in status.orphaned:
        revisions = ", ".join(orphan.revisions)
        if orphan.installed:
            click.echo(f"branch {orphan.name}: {revisions}, its plugin is installed but "
                       f"cannot be imported")
        else:
            click.echo(f"orphaned branch {orphan.name}: {revisions}, its plugin is not "
                       f"installed; run `podium db forget {orphan.name} {config_uri} "
                       f"[--drop-tables]`")
    for rev in status.unknown:
        click.echo(f"unknown revision {rev}: no installed code provides it")


@db.command()
@click.argument("config_uri")
@plugin_option
def heads(config_uri: str, plugin: str | None) -> None:
    """Show the latest revision of each branch, installed plugins enabled or not."""
    cfg = config_for(config_uri)
    name = _branch_name(cfg, plugin)
    with alembic_errors():
        revisions = revisions_for(cfg)
    rows = [("BRANCH", "STATUS", "HEAD")]
    for branch in revisions.branches:
        if name is None or branch.name == name:
            rows.append((branch.name, branch.label, ", ".join(revisions.heads_of(branch.name))))
    _echo_table(rows)


@db.command()
@click.argument("config_uri")
@plugin_option
@click.option("-v", "--verbose", is_flag=True)
def history(config_uri: str, plugin: str | None, verbose: bool) -> None:
    """List the revisions, newest first, with the branch each belongs to."""
    cfg = config_for(config_uri)
    name = _branch_name(cfg, plugin)
    with alembic_errors():
        revisions = revisions_for(cfg)
    for sc in reversed(revisions.ordered):
        owner = revisions.owner[sc.revision]
        if name is None or owner == name:
            text = sc.cmd_format(verbose, include_branches=True, include_doc=True,
                                 include_parents=True)
            click.echo(f"[{owner}] {text}")


@db.command()
@click.argument("config_uri")
def check(config_uri: str) -> None:
    """Exit with status 1 when the database is behind the installed code
    (or holds revisions it does not know); 0 when it is up to date.

    For deployment scripts and health checks: the same test as
    podium.db.require_current at start-up and podium check.  A disabled
    plugin's revisions are not pending: its tables are left alone.
    """
    cfg = config_for(config_uri)
    status = status_of(cfg)
    if status.is_current:
        click.echo("The database is up to date.")
        return
    click.echo(f"Error: {status.describe_problem(config_uri)}", err=True)
    sys.exit(1)


@db.command()
@click.argument("config_uri")
@plugin_option
@click.option("-m", "--message", required=True, help="What the revision does.")
@click.option("--autogenerate", is_flag=True,
              help="Upgrade the database first (the core and the enabled plugins), then "
                   "compare the plugin's own tables with it and write the difference.")
def revision(config_uri: str, plugin: str | None, message: str, autogenerate: bool) -> None:
    """Create a revision in the plugin's own migrations directory (the core's
    without --plugin), named <branch>_<number>_<message>.py.

    The first revision of a plugin gets its branch label and depends on the
    core's base revision.  Autogenerate compares only the tables the plugin
    owns: those of the models defined in its package, of a MetaData of its
    own, and the Table objects its modules define, whatever their names.  A
    foreign key to another plugin's table adds that plugin's head to
    depends_on; the plugin must then require the other one.
    """
    cfg = config_for(config_uri, log=True)
    name = _branch_name(cfg, plugin) or CORE
    with alembic_errors():
        branch = find_branch(cfg, name)
        if autogenerate:
            _upgrade_before_autogenerate(cfg, branch, config_uri)
        revisions = revisions_for(cfg)
        existing = revisions.of(name)
        os.makedirs(branch.directory, exist_ok=True)
        number = len(existing) + 1
        while f"{name}_{number:04d}" in revisions.by_id:
            number += 1
        options: dict[str, Any] = {
            "rev_id": f"{name}_{number:04d}",
            "version_path": branch.directory,
        }
        if existing:
            options["head"] = f"{name}@head"
        else:
            from ..api import CORE_BASE_REVISION

            options.update(head="base", branch_label=name)
            if name != CORE:
                options["depends_on"] = CORE_BASE_REVISION
        if autogenerate:
            # Alembic's own --autogenerate wants the database at every head,
            # disabled plugins' too: the comparison is Podium's hook instead,
            # run in env.py against the database (revision_environment).
            cfg.set_main_option("revision_environment", "true")
            options["process_revision_directives"] = autogenerate_directives(cfg, branch)
        scripts = command.revision(cfg, message=message, **options)
    for sc in scripts if isinstance(scripts, list) else [scripts]:
        if sc is not None:
            click.echo(f"Created {os.path.relpath(sc.path)}")


def _upgrade_before_autogenerate(cfg: Config, branch: Branch, config_uri: str) -> None:
    """What --help promises: the comparison starts from a database at the
    heads of the core and of the enabled plugins (a disabled plugin's
    revisions stay unapplied and do not stand in the way)."""
    if not branch.enabled:
        raise CommandError(
            f"plugin {branch.name!r} is not enabled by {config_uri}: its tables are left "
            f"alone, so there is nothing to compare its models with; add it to "
            f"podium.plugins first (a revision without --autogenerate needs no database)")
    status = schema_status(cfg)
    if status.unrecognized or status.blocked:
        raise CommandError(status.describe_problem(config_uri))
    if status.behind:
        upgrade_to_heads(cfg)
        status = schema_status(cfg)
    if not status.is_current:  # the comparison would take pending revisions for changes
        raise CommandError(status.describe_problem(config_uri))


@db.command()
@click.argument("name")
@click.argument("config_uri")
@click.option("--drop-tables", is_flag=True,
              help="Also drop the tables recorded for the branch (refused while another "
                   "branch's tables refer to them).")
def forget(name: str, config_uri: str, drop_tables: bool) -> None:
    """Forget the branch of plugin NAME, uninstalled with its revisions still
    in the database: remove them from alembic_version, and with --drop-tables
    drop the tables recorded for it when it was migrated.

    For a plugin still installed, `podium plugins remove NAME CONFIG_URI`
    downgrades it with its own code instead.
    """
    from ..plugins.discovery import discover
    from ..store.engine import make_engine
    from ..store.ownership_records import apply_forget, plan_forget

    cfg = config_for(config_uri)
    refusals = []
    if name == CORE:
        refusals.append("the core's branch cannot be forgotten")
    elif name in discover():
        refusals.append(f"plugin {name!r} is installed: `podium plugins remove {name} "
                        f"{config_uri}` downgrades its branch with its own code (or uninstall "
                        f"it first)")
    if refusals:
        _refuse(refusals)
    with alembic_errors():
        revisions = revisions_for(cfg)
    engine = make_engine(cfg.attributes["podium.settings"])
    try:
        with engine.begin() as connection:
            plan = plan_forget(connection, revisions, name)
            if not plan.revisions and not plan.recorded:
                orphans = [o.name for o in schema_status(cfg, connection).orphaned]
                _refuse([f"the database holds no revision and no record of a branch named "
                         f"{name!r}; orphaned branches: {', '.join(orphans) or '(none)'}"])
            if drop_tables:
                _refuse([f"table {referring} (of {owner or 'no recorded branch'}) refers to "
                         f"{referred}, a table of {name}: remove or forget "
                         f"{owner or 'that table'} first, or forget {name} without "
                         f"--drop-tables" for referring, owner, referred in plan.referenced_by])
            apply_forget(connection, plan, drop_tables)
    finally:
        engine.dispose()
    click.echo(f"Forgot branch {name}: " + (
        f"removed {', '.join(plan.revisions)} from alembic_version."
        if plan.revisions else "alembic_version held none of its revisions."))
    listed = ", ".join(f"{t} ({n} rows)" for t, n in plan.tables.items())
    if plan.tables and drop_tables:
        click.echo(f"Dropped {listed}.")
    elif plan.tables:
        click.echo(f"Kept {listed}: `podium db forget {name} {config_uri} --drop-tables` "
                   f"drops them.")
    elif drop_tables:
        click.echo(f"No table is recorded for {name}: nothing dropped.")


def _refuse(problems: Sequence[str]) -> None:
    """One ``Error:`` line per problem, then status 1 (nothing was changed)."""
    if not problems:
        return
    for problem in problems:
        click.echo(f"Error: {problem}", err=True)
    sys.exit(1)
