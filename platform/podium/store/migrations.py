"""Alembic wiring: the core's branch plus one branch per installed plugin.

The core's revisions live in the ``alembic/`` directory named by the ini
file's ``[alembic] script_location``; each plugin names its own revisions
directory (``migrations`` in its metadata).  Alembic sees them all as one
script directory with several version locations, one *branch* each.

Every installed plugin's directory is part of the script directory, enabled
or not, so that alembic knows every revision a database may hold (a plugin
disabled after its tables were created must not make the database
unreadable).  Which branches are *migrated* is Podium's choice, not
alembic's ``heads``: ``podium db upgrade`` targets the heads of the core and
of the enabled plugins only, so a disabled plugin's tables are left alone.

A revision belongs to the branch whose directory holds its file; that is
how a revision is attributed to a plugin, whatever its branch labels say.
Where a database stands against these revisions is
:mod:`podium.store.schema_status`'s to say.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection

from ..plugins.discovery import discover
from ..plugins.errors import PluginError
from ..plugins.loader import LoadedPlugin, load
from ..plugins.resolution import resolve
from ..settings.core import environment_for, load_settings
from ..settings.types import SettingsError

log = logging.getLogger(__name__)

#: The name of the core's branch (its branch label, and its table prefix).
CORE = "podium"


# -- the branches ------------------------------------------------------------------


def enabled_plugins(settings: dict[str, Any]) -> list[LoadedPlugin]:
    """The plugins the app includes, in its order, refused on the same grounds
    as at start-up: migrations never run for a plugin the app would not load."""
    resolution = resolve(settings, environment_for(settings))
    if settings.get("podium.on_plugin_error") != "skip":
        resolution.raise_errors()
    return resolution.enabled


@dataclass(frozen=True)
class Branch:
    """One line of migrations: the core's, or one plugin's.

    ``package`` is the import package whose mapped classes own tables of
    this branch (see :func:`owned_tables`).
    """

    name: str
    directory: str
    enabled: bool
    package: str
    plugin: LoadedPlugin | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        if self.plugin is None:
            return "core"
        return "enabled" if self.enabled else "disabled"


def branches_for(
    settings: dict[str, Any],
    script_location: str,
    enabled: Iterable[LoadedPlugin] | None = None,
) -> list[Branch]:
    """The core's branch, then each enabled plugin's, then each disabled one's.

    ``enabled`` is the running app's plugin list when it has one (the
    start-up check); otherwise the plugins are discovered from ``settings``.
    A disabled plugin that fails to import is skipped with a warning: it
    must not stop the platform, but its revisions are then unknown.
    """
    found = [Branch(CORE, os.path.join(script_location, "versions"), True, "podium")]
    installed = discover()
    if enabled is None:
        enabled = enabled_plugins(settings)
    enabled = list(enabled)
    enabled_names = {p.name for p in enabled}
    others: list[LoadedPlugin] = []
    for name, entry in installed.items():
        if name in enabled_names:
            continue
        try:
            others.append(load(entry, settings))
        except PluginError as exc:
            log.warning("disabled plugin %s cannot be imported, its migrations are "
                        "unknown: %s", name, exc)
    for plugin, is_enabled in [(p, True) for p in enabled] + [(p, False) for p in others]:
        directory = plugin.migrations_path()
        if directory:
            package = plugin.installed.entry_point.module
            found.append(Branch(plugin.name, directory, is_enabled, package, plugin))
    return found


def default_script_location() -> str:
    """The core's alembic directory, ``podium/migrations``.

    In the source tree it is a link to the top-level ``alembic/``; a wheel
    carries the files themselves, so an installed core (what a third-party
    plugin's tests run against) can migrate too."""
    return str(Path(__file__).resolve().parent.parent / "migrations")


# -- alembic's configuration -------------------------------------------------------


def alembic_config(config_uri: str, settings: dict[str, Any] | None = None) -> Config:
    """An alembic ``Config`` for the ini file, with every plugin's branch."""
    path = config_uri.split("#", 1)[0]
    if not os.path.exists(path):
        raise FileNotFoundError(f"configuration file {path} does not exist")
    settings = settings if settings is not None else load_settings(config_uri)
    cfg = Config(path, ini_section="alembic")
    cfg.attributes["podium.config_uri"] = config_uri
    return configure_branches(cfg, settings, cfg.get_main_option("script_location"))


def alembic_config_for(settings: dict[str, Any], script_location: str | None = None) -> Config:
    """An alembic ``Config`` without an ini file: for tests and embedding apps."""
    return configure_branches(Config(), settings, script_location or default_script_location())


def check_script_location(script_location: str | None) -> str:
    if not script_location or not os.path.isdir(script_location):
        raise SettingsError(
            "[alembic] script_location", script_location,
            "the ini file needs an [alembic] section with "
            "script_location = %(here)s/alembic (the directory holding env.py)",
        )
    return script_location


def configure_branches(
    cfg: Config,
    settings: dict[str, Any],
    script_location: str | None,
    branches: list[Branch] | None = None,
) -> Config:
    """Point ``cfg`` at the core's directory and every plugin's (``branches``
    when the caller has them already)."""
    script_location = check_script_location(script_location)
    if branches is None:
        branches = branches_for(settings, script_location)
    cfg.set_main_option("script_location", script_location)
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", os.pathsep.join(b.directory for b in branches))
    cfg.attributes["podium.settings"] = settings
    cfg.attributes["podium.branches"] = branches
    return cfg


# -- the installed revisions -------------------------------------------------------


class Revisions:
    """The installed revisions, each attributed to the branch whose directory
    holds its file; the graph walks are alembic's (``iterate_revisions``)."""

    def __init__(self, script: ScriptDirectory, branches: list[Branch]):
        self.script = script
        self.branches = branches
        try:
            # walk_revisions goes from the heads down; lists here are oldest first.
            self.ordered: list[Script] = list(reversed(list(script.walk_revisions())))
        except CommandError:
            raise
        except Exception as exc:  # a revision file that does not import, a cycle...
            raise CommandError(
                f"cannot read the migrations: {type(exc).__name__}: {exc}") from exc
        self.by_id = {sc.revision: sc for sc in self.ordered}
        directories = {os.path.realpath(b.directory): b.name for b in branches}
        self.owner: dict[str, str] = {}
        for sc in self.ordered:
            directory = os.path.realpath(os.path.dirname(sc.path))
            owner = directories.get(directory)
            while owner is None and directory != os.path.dirname(directory):
                directory = os.path.dirname(directory)  # recursive version locations
                owner = directories.get(directory)
            self.owner[sc.revision] = owner or CORE

    def of(self, branch: str) -> list[Script]:
        return [sc for sc in self.ordered if self.owner[sc.revision] == branch]

    def heads_of(self, branch: str) -> tuple[str, ...]:
        """The branch's revisions that no other revision of it builds on."""
        mine = self.of(branch)
        return tops(mine, {sc.revision for sc in mine})

    def ancestry(self, revisions: Iterable[str]) -> set[str]:
        """The revisions and everything they need (down revisions and
        dependencies), transitively: what alembic counts as applied when the
        database records ``revisions``, or applies to reach them."""
        wanted = tuple(revisions)
        if not wanted:
            return set()
        # What `alembic upgrade` computes: ancestors of the destination less
        # those of the current heads (here none).
        found = self.script.iterate_revisions(wanted, (), implicit_base=True)
        return {sc.revision for sc in found}


def tops(scripts: Iterable[Script], among: set[str]) -> tuple[str, ...]:
    """The revisions of ``among`` (in the order of ``scripts``) that no other
    of them has as a down revision."""
    scripts = [sc for sc in scripts if sc.revision in among]
    below = {p for sc in scripts for p in as_tuple(sc.down_revision)}
    return tuple(sc.revision for sc in scripts if sc.revision not in below)


def as_tuple(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def revisions_for(cfg: Config) -> Revisions:
    """The revisions of every branch of ``cfg`` (see :func:`configure_branches`)."""
    return Revisions(ScriptDirectory.from_config(cfg), cfg.attributes["podium.branches"])


def database_heads(connection: Connection) -> tuple[str, ...]:
    """The revisions recorded in the database's ``alembic_version`` table
    (none when it has no such table yet)."""
    return tuple(MigrationContext.configure(connection).get_current_heads())


# -- migrating ---------------------------------------------------------------------


def upgrade_targets(revisions: Revisions, plugin: str | None = None) -> tuple[str, ...]:
    """Heads to upgrade to: the core's and every enabled plugin's, or one plugin's."""
    targets: list[str] = []
    for branch in revisions.branches:
        if plugin is not None and branch.name != plugin:
            continue
        if branch.enabled:
            targets.extend(revisions.heads_of(branch.name))
    # Alembic refuses a destination that another one already implies (the
    # core's head when a plugin's head depends on it).
    implied: set[str] = set()
    for target in targets:
        implied |= revisions.ancestry([target]) - {target}
    return tuple(t for t in targets if t not in implied)


def upgrade(cfg: Config, plugin: str | None = None, sql: bool = False) -> tuple[str, ...]:
    """Upgrade the core and the enabled plugins (or one branch) to their heads.

    Alembic's own ``heads`` would also migrate disabled plugins, whose tables
    are to be left alone.  Returns the revisions targeted.
    """
    from alembic import command

    targets = upgrade_targets(revisions_for(cfg), plugin)
    if targets:
        # alembic takes a tuple of destinations, though its annotation says str.
        destination: Any = targets if len(targets) > 1 else targets[0]
        command.upgrade(cfg, destination, sql=sql)
    return targets


def find_branch(cfg: Config, name: str) -> Branch:
    """The branch of plugin ``name``, or a readable error."""
    branches: list[Branch] = cfg.attributes["podium.branches"]
    for branch in branches:
        if branch.name == name:
            return branch
    installed = discover()
    if name not in installed:
        raise CommandError(f"no installed plugin is named {name!r}; installed: "
                           f"{', '.join(installed) or '(none)'}")
    raise CommandError(f"plugin {name!r} declares no migrations: give it "
                       f"`migrations = \"<package>:migrations/versions\"` beside includeme")


# -- which tables belong to whom ---------------------------------------------------


def import_models(branch: Branch) -> None:
    """Import every module of the branch's package but its tests and migrations,
    so that its models are in ``Base.metadata`` (for autogenerate).

    Subpackages named ``migrations`` or ``tests`` are not even imported:
    importing ``podium_notes.migrations`` would replace the plugin's
    ``migrations`` metadata (a string) by the subpackage.
    """
    import importlib
    import pkgutil

    try:
        package = importlib.import_module(branch.package)
    except ImportError as exc:
        log.warning("cannot import %s for branch %s: %s", branch.package, branch.name, exc)
        return
    todo = [(package.__name__, list(getattr(package, "__path__", [])))]
    while todo:
        prefix, path = todo.pop()
        for info in pkgutil.iter_modules(path):
            if info.name in ("tests", "migrations", "conftest") or info.name.startswith("test_"):
                continue
            name = f"{prefix}.{info.name}"
            if branch.name == CORE and not name.startswith(("podium.store", "podium.models")):
                continue  # the core keeps its models in the store (it has none yet)
            try:
                module = importlib.import_module(name)
            except Exception as exc:  # a module needing an optional dependency
                log.warning("cannot import %s: %s", name, exc)
                continue
            if info.ispkg:
                todo.append((name, list(module.__path__)))


def owned_tables(branch: Branch, metadata: Any) -> set[str]:
    """Tables of ``metadata`` that belong to ``branch``.

    A table belongs to a branch when a class mapped to it is defined in the
    branch's package (``podium_notes.models.Note`` -> ``notes``); a table
    with no mapped class (a plain ``Table``) belongs to the branch whose name
    prefixes it (``notes_tag`` -> ``notes``).
    """
    from .model import Base

    owned: set[str] = set()
    mapped: set[str] = set()
    prefix = branch.package + "."
    for mapper in Base.registry.mappers:
        table = getattr(mapper, "local_table", None)
        if table is None or table.name not in metadata.tables:
            continue
        mapped.add(table.name)
        module = mapper.class_.__module__
        if module == branch.package or module.startswith(prefix):
            owned.add(table.name)
    for name in metadata.tables:
        if name not in mapped and name.startswith(branch.name + "_"):
            owned.add(name)
    return owned


def include_object_for(branches: list[Branch], metadata: Any,
                       include_unowned_reflected: bool) -> Any:
    """An alembic ``include_object`` limited to the tables of ``branches``.

    Tables found only in the database are compared when their name carries a
    branch's prefix, or, with ``include_unowned_reflected``, always (the
    no-drift check: a table that a migration creates and no model declares
    is drift too).
    """
    owned: set[str] = set()
    for branch in branches:
        owned |= owned_tables(branch, metadata)
    prefixes = tuple(b.name + "_" for b in branches)

    def include_object(obj: Any, name: str | None, type_: str, reflected: bool,
                       compare_to: Any) -> bool:
        if type_ != "table":
            return True  # only called for the tables included below
        if name == "alembic_version":
            return False
        if not reflected or compare_to is not None:
            return name in owned
        return include_unowned_reflected or bool(name and name.startswith(prefixes))

    return include_object
