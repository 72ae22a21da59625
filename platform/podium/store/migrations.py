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
"""

from __future__ import annotations

import logging
import os
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection

from ..plugins.discovery import discover
from ..settings.core import load_settings
from ..settings.types import SettingsError

# The alembic-free half (branches, statuses), re-exported: importers of this
# module keep finding them here.
from .schema import (  # noqa: F401
    CORE,
    Branch,
    BranchStatus,
    Revisions,
    SchemaStatus,
    branches_for,
    default_script_location,
    enabled_plugins,
)

log = logging.getLogger(__name__)


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


def extend_script_directory(script: ScriptDirectory, branches: list[Branch]) -> None:
    """Add the plugins' directories to a script directory alembic already built.

    Plain ``alembic -c development.ini ...`` builds its ``ScriptDirectory``
    from the ini before ``env.py`` runs, so env.py cannot change the config
    any more; it can still add locations to the script directory, whose
    revisions are read lazily, on first use.  Commands that read revisions
    before running env.py (``alembic heads``, ``branches``; ``history`` and
    ``show`` unless ``revision_environment = true``) only see the core's:
    ``podium db heads`` and ``podium db history`` see every branch.
    """
    wanted = [b.directory for b in branches]
    known = {os.path.abspath(str(p)) for p in script.version_locations}
    if not script.version_locations:
        known = {os.path.abspath(os.path.join(script.dir, "versions"))}
        script.version_locations = [os.path.join(script.dir, "versions")]
    added = [d for d in wanted if os.path.abspath(d) not in known]
    if not added:
        return
    script.version_locations = [*script.version_locations, *added]
    # Forget what was derived from the old list, if anything was.
    script.__dict__.pop("_version_locations", None)
    script.__dict__.pop("_singular_version_location", None)
    script.revision_map = type(script.revision_map)(script._load_revisions)


# -- the state of a database -------------------------------------------------------


def revisions_for(cfg: Config) -> Revisions:
    script = ScriptDirectory.from_config(cfg)

    def resolve(dependency: str) -> list[str]:
        return [r.revision for r in script.get_revisions(dependency) if r is not None]

    try:
        # walk_revisions goes from the heads down; Revisions wants oldest first.
        ordered = list(reversed(list(script.walk_revisions())))
        return Revisions(ordered, cfg.attributes["podium.branches"], resolve)
    except CommandError:
        raise
    except Exception as exc:  # a revision file that does not import, a cycle...
        raise CommandError(f"cannot read the migrations: {type(exc).__name__}: {exc}") from exc


def database_heads(connection: Connection) -> tuple[str, ...]:
    """The revisions recorded in the database's ``alembic_version`` table."""
    return tuple(MigrationContext.configure(connection).get_current_heads())


def schema_status(cfg: Config, connection: Connection) -> SchemaStatus:
    """Compare the database behind ``connection`` with the installed migrations."""
    return revisions_for(cfg).status(database_heads(connection))


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
    implied = set().union(*(revisions.ancestry([t]) - {t} for t in targets)) if targets else set()
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
