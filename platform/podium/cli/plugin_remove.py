"""``podium plugins remove NAME CONFIG_URI``: take a plugin out of a site while its code is there.

Uninstalling a migrated plugin first leaves its tables and revisions behind
(``podium db forget`` cleans that up afterwards); removing it first uses its
own migrations: the command says who requires it and what it holds (tables,
rows, ini settings), can export its rows, downgrades its branch to base and
says what to uninstall and which ini lines to delete.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import click
from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy import Connection, MetaData, inspect, select

from ..plugins.definition import Plugin
from ..plugins.discovery import InstalledPlugin, discover
from ..plugins.errors import PluginError
from ..plugins.loader import load
from ..plugins.resolution import listing_of
from ..settings.types import SettingsError
from ..store.engine import make_engine
from ..store.migrations import (
    Branch,
    alembic_config,
    migration_settings,
    owned_tables,
)
from ..store.ownership_records import count_rows, forget_branch, has_records, read_records
from ..store.schema_status import schema_status


@dataclass
class Removal:
    """What removing plugin ``name`` means for one site."""

    name: str
    installed: InstalledPlugin
    #: ``(plugin, enabled)`` of the installed plugins whose declaration requires it.
    required_by: list[tuple[str, bool]]
    branch: Branch | None
    #: Its applied revisions, oldest first.
    applied: list[str]
    #: Its tables in the database, with their row counts.
    tables: dict[str, int]
    #: Lines of the ini that name it.
    settings: list[str]
    refusals: list[str]


def _requires(plugin: Plugin) -> list[str]:
    from packaging.requirements import InvalidRequirement, Requirement

    names = []
    for text in plugin.requires:
        try:
            names.append(Requirement(text).name)
        except InvalidRequirement:
            continue
    return names


def _settings_lines(config_uri: str, name: str, declared: Sequence[str]) -> list[str]:
    """The ini's keys that belong to plugin ``name`` (its own settings, its
    route prefix, its entry in ``podium.plugins``), and the environment
    variables set for its ``declared`` settings."""
    from pyramid.paster import get_appsettings

    from ..plugins.plugin_settings import environment_name

    raw = dict(get_appsettings(config_uri))
    lines = []
    value = str(raw.get("podium.plugins") or "")
    if name in value.split():
        lines.append(f"podium.plugins: the name {name} (podium.plugins = "
                     f"{' '.join(value.split())})")
    prefixes = (f"{name}.", f"podium.plugin.{name}.", f"podium.{name}.")
    lines.extend(f"{key} = {raw[key]}" for key in sorted(raw) if key.startswith(prefixes))
    lines.extend(f"{environment_name(name, key)} (in the environment)" for key in declared
                 if environment_name(name, key) in os.environ)
    return lines


def plan(name: str, config_uri: str, settings: dict[str, Any], cfg: Config) -> Removal:
    installed = discover()
    entry = installed[name]
    listed = set(listing_of(settings["podium.plugins"], installed))
    refusals: list[str] = []
    required_by = []
    declared: list[str] = []
    for other, other_entry in installed.items():
        if other == name:
            try:
                declared = [s.key for s in load(entry, settings).definition.settings]
            except PluginError as exc:
                refusals.append(f"plugin {name!r} cannot be imported, so its migrations "
                                f"cannot run: fix it, or uninstall it and run `podium db "
                                f"forget {name} {config_uri} --drop-tables`: {exc}")
            continue
        try:
            definition = load(other_entry, settings).definition
        except PluginError as exc:
            click.echo(f"Warning: plugin {other!r} cannot be imported, so whether it requires "
                       f"{name} is unknown: {exc}", err=True)
            continue
        if name in _requires(definition):
            required_by.append((other, other in listed))
            if other in listed:
                refusals.append(
                    f"plugin {other!r}, enabled by {config_uri}, requires {name}: remove it "
                    f"first (`podium plugins remove {other} {config_uri}`)")
    branches: list[Branch] = cfg.attributes["podium.branches"]
    branch = next((b for b in branches if b.name == name), None)
    applied: list[str] = []
    tables: dict[str, int] = {}
    engine = make_engine(settings)
    try:
        with engine.connect() as connection:
            status = schema_status(cfg, connection)
            if status.unrecognized:
                refusals.append(status.describe_problem(config_uri))
            if branch is not None:
                revisions = status.revisions
                mine = status.branches[branches.index(branch)]
                applied = [sc.revision for sc in revisions.of(name)
                           if sc.revision not in mine.missing]
                refusals.extend(_dependents(status, name, applied))
                tables = _tables(connection, branch, branches)
    finally:
        engine.dispose()
    return Removal(name, entry, required_by, branch, applied, tables,
                   _settings_lines(config_uri, name, declared), refusals)


def _dependents(status: Any, name: str, applied: list[str]) -> list[str]:
    """Other branches' applied revisions that need ``name``'s: downgrading it
    to base would take them down too (alembic downgrades dependents first)."""
    revisions = status.revisions
    found = []
    for other in status.branches:
        if other.branch.name == name:
            continue
        needing = [r for r in other.current if set(revisions.ancestry([r])) & set(applied)]
        if needing:
            found.append(
                f"plugin {other.branch.name!r} ({other.branch.label}) has revisions applied "
                f"that depend on {name}'s ({', '.join(needing)}): its tables would go too; "
                f"remove {other.branch.name} first")
    return found


def _tables(connection: Connection, branch: Branch, branches: list[Branch]) -> dict[str, int]:
    """The tables of the branch the database has: those its code declares, and
    those recorded for it when it was migrated."""
    inspector = inspect(connection)
    names = [t.name for t in owned_tables(branch, branches).values() if t.schema is None]
    if has_records(connection):
        names.extend(read_records(connection).tables.get(branch.name, ()))
    return {t: count_rows(connection, t) for t in sorted(set(names)) if inspector.has_table(t)}


def _json_value(value: Any) -> Any:
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"cannot export a {type(value).__name__}")


def export(connection: Connection, tables: Sequence[str], directory: Path) -> list[Path]:
    """One JSON-lines file per table (``<table>.jsonl``, one object per row,
    in primary-key order); bytes are base64, times ISO 8601."""
    reflected = MetaData()
    reflected.reflect(bind=connection, only=list(tables))
    written = []
    for name in tables:
        table = reflected.tables[name]
        path = directory / f"{name}.jsonl"
        query = select(table).order_by(*table.primary_key.columns)
        with path.open("x", encoding="utf-8") as out:
            for row in connection.execute(query).mappings():
                out.write(json.dumps(dict(row), default=_json_value, ensure_ascii=False) + "\n")
        written.append(path)
    return written


def _refuse(problems: Sequence[str]) -> None:
    for problem in problems:
        click.echo(f"Error: {problem}", err=True)
    if problems:
        sys.exit(1)


def _report(removal: Removal, config_uri: str) -> None:
    installed = removal.installed
    click.echo(f"Plugin {removal.name}: distribution "
               f"{installed.distribution or '(none)'} {installed.version or ''}".rstrip())
    if removal.required_by:
        click.echo("Required by: " + ", ".join(
            f"{n} ({'enabled' if on else 'not enabled'})" for n, on in removal.required_by))
    else:
        click.echo("Required by: no installed plugin")
    if removal.branch is None:
        click.echo("Tables: none (it declares no migrations)")
    elif not removal.tables:
        click.echo(f"Tables: none in the database (branch {removal.name} at "
                   f"{', '.join(removal.applied) or 'base'})")
    else:
        at = removal.applied[-1] if removal.applied else "base"
        click.echo(f"Tables (branch {removal.name} at {at}):")
        for name, count in removal.tables.items():
            click.echo(f"  {name}  {count} rows")
    if removal.settings:
        click.echo(f"Settings in {config_uri}:")
        for line in removal.settings:
            click.echo(f"  {line}")
    else:
        click.echo(f"Settings in {config_uri}: none")


@click.command("remove")
@click.argument("name")
@click.argument("config_uri")
@click.option("--dry-run", is_flag=True, help="Say what would be done, change nothing.")
@click.option("--export", "export_to", metavar="DIR", default=None,
              type=click.Path(file_okay=False, path_type=Path),
              help="First write each of its tables' rows to DIR/<table>.jsonl.")
def remove(name: str, config_uri: str, dry_run: bool, export_to: Path | None) -> None:
    """Remove plugin NAME from the site of CONFIG_URI, while its code is installed:
    refuse while an enabled plugin requires it, list its tables (with their
    rows) and its settings, export its rows (--export DIR), downgrade its
    branch to base (dropping its tables) and say which distribution to
    uninstall and which ini lines to delete.

    Its code already uninstalled?  `podium db forget NAME CONFIG_URI --drop-tables`.
    """
    try:
        settings = migration_settings(config_uri)
        installed = discover()
        if name not in installed:
            _refuse([f"no installed plugin is named {name!r} (installed: "
                     f"{', '.join(installed) or 'none'}); if its code is gone already, "
                     f"`podium db forget {name} {config_uri} --drop-tables` cleans up the "
                     f"database"])
        cfg = alembic_config(config_uri, settings)
        removal = plan(name, config_uri, settings, cfg)
    except (CommandError, PluginError, SettingsError, FileNotFoundError) as exc:
        _refuse([str(exc).strip()])
        return
    _report(removal, config_uri)
    refusals = list(removal.refusals)
    if export_to is not None and removal.tables:
        taken = [export_to / f"{t}.jsonl" for t in removal.tables
                 if (export_to / f"{t}.jsonl").exists()]
        refusals.extend(f"{path} exists: export to another directory" for path in taken)
    _refuse(refusals)
    distribution = removal.installed.distribution or removal.installed.entry_point.value
    if dry_run:
        steps = []
        if export_to is not None and removal.tables:
            steps.append(f"export {', '.join(removal.tables)} to {export_to}")
        if removal.applied:
            dropped = ", ".join(removal.tables) or "no table"
            steps.append(f"downgrade branch {name} to base ({dropped} dropped)")
        click.echo("Dry run, nothing changed. It would " + (
            "; ".join(steps) or "change nothing in the database") + ".")
        return
    if export_to is not None and removal.tables:
        export_to.mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings)
        try:
            with engine.connect() as connection:
                written = export(connection, list(removal.tables), export_to)
        finally:
            engine.dispose()
        click.echo("Exported " + ", ".join(str(p) for p in written) + ".")
    if removal.applied:
        from .db import alembic_errors, record

        with alembic_errors():
            command.downgrade(cfg, f"{name}@base")
            record(cfg)
        click.echo(f"Downgraded branch {name} to base: dropped "
                   f"{', '.join(removal.tables) or 'no table'}.")
    engine = make_engine(settings)
    try:
        with engine.begin() as connection:
            if has_records(connection):
                forget_branch(connection, name)
    finally:
        engine.dispose()
    click.echo(f"Now uninstall it: pip uninstall {distribution}")
    if removal.settings:
        click.echo(f"and delete from {config_uri}:")
        for line in removal.settings:
            click.echo(f"  {line}")
