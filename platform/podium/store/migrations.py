"""Alembic wiring: the core's branch plus one branch per installed plugin.

The core's revisions live in the installed package, ``podium/migrations``
(:func:`default_script_location`): ``podium db`` needs nothing from the ini
file but the app's settings, and an ``[alembic]`` section is only for plain
``alembic -c``.  Each plugin names its own revisions directory
(``migrations`` in its declaration).  Alembic sees them all as one script
directory with several version locations, one *branch* each.

Every installed plugin's directory is part of the script directory, enabled
or not, so that alembic knows every revision a database may hold (a plugin
disabled after its tables were created must not make the database
unreadable).  Which branches are *migrated* is Podium's choice, not
alembic's ``heads``: ``podium db upgrade`` targets the heads of the core and
of the enabled plugins only, so a disabled plugin's tables are left alone.

A revision belongs to the branch whose directory holds its file; a table
belongs to the branch whose code declares it (:func:`table_owners`), never
to the one its name happens to start with.  Where a database stands against
the revisions is :mod:`podium.store.schema_status`'s to say.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from alembic.config import Config
from alembic.operations import ops
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, MetaData, Table
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper

from ..plugins.discovery import discover
from ..plugins.errors import PluginError
from ..plugins.loader import LoadedPlugin, load
from ..plugins.resolution import listing_of, resolve
from ..settings.core import apply_environment, environment_for, normalize
from ..settings.types import SettingsError

log = logging.getLogger(__name__)

#: The name of the core's branch (its branch label).
CORE = "podium"
#: What the core's models live in (``import_models`` imports nothing else of it).
CORE_MODEL_MODULES = ("podium.store", "podium.models")
#: Subpackages and modules of a plugin that are never its models.
NOT_MODELS = ("tests", "migrations", "conftest")


# -- the settings migrations read --------------------------------------------------


def migration_settings(config_uri: str) -> dict[str, Any]:
    """The app's settings from an ini file, checked as ``load_settings`` checks
    them, but for what only a serving process reads.

    Migrations sign no cookie and answer no ``Host`` header: a deploy job
    that holds the database URL but not ``PODIUM_SECRET`` (or
    ``PODIUM_ALLOWED_HOSTS``) must be able to run ``podium db upgrade
    production.ini``.  The secret is replaced by a random one no migration
    sees, and empty allowed hosts by ``localhost``; every other setting, the
    plugins' included, is checked as at start-up.
    """
    from pyramid.paster import get_appsettings

    path = config_uri.split("#", 1)[0]
    if not os.path.exists(path):
        raise FileNotFoundError(f"configuration file {path} does not exist")
    settings = dict(get_appsettings(config_uri))
    apply_environment(settings, os.environ)
    settings["podium.secret"] = secrets.token_urlsafe(48)
    if not str(settings.get("podium.allowed_hosts") or "").strip():
        settings["podium.allowed_hosts"] = "localhost"
    normalize(settings)
    return settings


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

    ``package`` is the import package whose code declares the branch's
    tables (see :func:`table_owners`).
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

    @property
    def requires(self) -> tuple[str, ...]:
        """The names of the plugins this one's declaration requires."""
        from packaging.requirements import InvalidRequirement, Requirement

        if self.plugin is None:
            return ()
        names = []
        for text in self.plugin.definition.requires:
            try:
                names.append(Requirement(text).name)
            except InvalidRequirement:
                continue  # refused with the reason at start-up
        return tuple(names)


def package_of(plugin: LoadedPlugin) -> str:
    """The package holding a plugin's code: what its entry point's module and
    its migrations' package have in common (``podium_x.plugin`` and
    ``podium_x`` give ``podium_x``), so that models beside the declaration
    count however the entry point is written."""
    parts = plugin.installed.entry_point.module.split(".")
    spec = plugin.migrations or ""
    if ":" in spec and not os.path.isabs(spec):
        other = spec.split(":", 1)[0].split(".")
        common = []
        for a, b in zip(parts, other, strict=False):
            if a != b:
                break
            common.append(a)
        if common:
            parts = common
    return ".".join(parts)


def branches_for(
    settings: dict[str, Any],
    script_location: str,
    enabled: Iterable[LoadedPlugin] | None = None,
) -> list[Branch]:
    """The core's branch, then each enabled plugin's (in the app's order:
    required plugins first), then each disabled one's.

    ``enabled`` is the running app's plugin list when it has one (the
    start-up check); otherwise the plugins are discovered from ``settings``.
    A disabled plugin that fails to import is skipped with a warning: it
    must not stop the platform, but its revisions are then unknown.
    """
    found = [Branch(CORE, os.path.join(script_location, "versions"), True, CORE)]
    installed = discover()
    if enabled is None:
        enabled = enabled_plugins(settings)
    enabled = list(enabled)
    enabled_names = {p.name for p in enabled}
    # Listed but not among the enabled: skipped under podium.on_plugin_error = skip.
    listed = set(listing_of(settings.get("podium.plugins") or [], installed))
    others: list[LoadedPlugin] = []
    for name, entry in installed.items():
        if name in enabled_names:
            continue
        try:
            others.append(load(entry, settings))
        except PluginError as exc:
            if name in listed:
                log.warning("enabled plugin %s is skipped (podium.on_plugin_error = skip): "
                            "it cannot be imported, its migrations are neither run nor "
                            "known: %s", name, exc)
            else:
                log.warning("disabled plugin %s cannot be imported, its migrations are "
                            "unknown: %s", name, exc)
    for plugin, is_enabled in [(p, True) for p in enabled] + [(p, False) for p in others]:
        directory = plugin.migrations_path()
        if directory:
            found.append(Branch(plugin.name, directory, is_enabled, package_of(plugin), plugin))
    return found


def default_script_location() -> str:
    """The core's alembic directory, ``podium/migrations``: env.py, the
    revision template and the core's revisions.

    In the source tree it is a link to the top-level ``alembic/``; a wheel
    carries the files themselves, so an installed core migrates from any
    ini file, in any directory."""
    return str(Path(__file__).resolve().parent.parent / "migrations")


def resolve_script_location(value: str | None) -> str | None:
    """An ``[alembic] script_location`` as a directory: a path, or an asset
    spec (``podium:migrations``) as alembic itself accepts; None if neither."""
    if not value:
        return None
    if os.path.isdir(value):
        return os.path.abspath(value)
    if ":" in value and not os.path.isabs(value):
        from pyramid.path import AssetResolver

        try:
            path: str = AssetResolver().resolve(value).abspath()
        except (ImportError, ValueError):
            return None
        return path if os.path.isdir(path) else None
    return None


# -- alembic's configuration -------------------------------------------------------


def alembic_config(config_uri: str, settings: dict[str, Any] | None = None) -> Config:
    """An alembic ``Config`` for the ini file, with every plugin's branch.

    The ini needs no ``[alembic]`` section: the core's environment and
    revisions are the installed package's.  When the section is there (for
    plain ``alembic -c``), its other options (``revision_environment``,
    ``file_template``...) apply, and a ``script_location`` that is not the
    installed core's is reported, since ``podium db`` does not use it.
    """
    path = config_uri.split("#", 1)[0]
    if not os.path.exists(path):
        raise FileNotFoundError(f"configuration file {path} does not exist")
    settings = settings if settings is not None else migration_settings(config_uri)
    cfg = Config(path, ini_section="alembic")
    cfg.attributes["podium.config_uri"] = config_uri
    location = default_script_location()
    if cfg.file_config.has_section("alembic"):
        given = cfg.get_main_option("script_location")
        resolved = resolve_script_location(given)
        if given and (resolved is None
                      or os.path.realpath(resolved) != os.path.realpath(location)):
            log.warning("[alembic] script_location = %s in %s is not the installed core's "
                        "migrations (%s): podium db uses the installed core's; the section "
                        "only matters to plain alembic", given, path, location)
    return configure_branches(cfg, settings, location)


def alembic_config_for(settings: dict[str, Any], script_location: str | None = None) -> Config:
    """An alembic ``Config`` without an ini file: for tests and embedding apps."""
    return configure_branches(Config(), settings, script_location or default_script_location())


def check_script_location(script_location: str | None) -> str:
    """``script_location`` as a directory holding env.py, or a readable error."""
    resolved = resolve_script_location(script_location)
    if resolved is None:
        raise SettingsError(
            "[alembic] script_location", script_location,
            f"the directory holding env.py: podium:migrations (the installed core's, "
            f"{default_script_location()}); podium db needs no [alembic] section at all",
        )
    return resolved


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


def _in_package(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _declares(branch: Branch, module: str) -> bool:
    """Whether ``module`` is one of the branch's that may declare its tables:
    in its package, and not among its tests or migrations."""
    if not _in_package(module, branch.package):
        return False
    tail = module[len(branch.package):].split(".")
    return not any(part in NOT_MODELS or part.startswith("test_") for part in tail)


def _imported_for_models(branch: Branch, module: str) -> bool:
    """The modules :func:`import_models` imports: the branch's declaring
    modules, but for the core only the store and its models (and the
    packages holding them), not its command line or test kit."""
    if branch.name == CORE and not any(
        _in_package(module, m) or m.startswith(module + ".") for m in CORE_MODEL_MODULES
    ):
        return False
    return _declares(branch, module)


def import_models(branch: Branch) -> None:
    """Import every module of the branch's package but its tests and migrations,
    so that its models are declared (for autogenerate and the ownership of
    tables).

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
            name = f"{prefix}.{info.name}"
            if not _imported_for_models(branch, name):
                continue
            try:
                module = importlib.import_module(name)
            except Exception as exc:  # a module needing an optional dependency
                log.warning("cannot import %s: %s", name, exc)
                continue
            if info.ispkg:
                todo.append((name, list(module.__path__)))


@dataclass
class Declared:
    """What one branch's code declares, strongest claim first."""

    #: Tables of classes mapped in the branch's modules (``cls.__module__``).
    mapped: list[Table] = field(default_factory=list)
    #: ``Table`` objects bound to names of its modules.
    plain: list[Table] = field(default_factory=list)
    #: ``MetaData`` objects of its own (not ``podium.api.Base``'s), each table of which is its.
    metadata: list[MetaData] = field(default_factory=list)


def _modules(branch: Branch) -> Iterator[ModuleType]:
    for name, module in list(sys.modules.items()):
        if module is not None and _declares(branch, name):
            yield module


def declared_by(branch: Branch) -> Declared:
    """The tables and metadata the branch's (imported) modules declare."""
    from .model import Base

    shared = Base.metadata
    found = Declared()

    def own_metadata(metadata: MetaData) -> None:
        if metadata is not shared and all(m is not metadata for m in found.metadata):
            found.metadata.append(metadata)

    def mapped(mapper: Mapper[Any]) -> None:
        table = mapper.local_table
        if isinstance(table, Table) and all(t is not table for t in found.mapped):
            found.mapped.append(table)
            own_metadata(table.metadata)

    for mapper in Base.registry.mappers:
        if _declares(branch, mapper.class_.__module__):
            mapped(mapper)
    for module in _modules(branch):
        for value in list(vars(module).values()):
            if isinstance(value, Table):
                if all(t is not value for t in found.plain):
                    found.plain.append(value)
            elif isinstance(value, MetaData):
                own_metadata(value)
            elif isinstance(value, type) and value.__module__ == module.__name__:
                candidate: Any = sa_inspect(value, raiseerr=False)
                if isinstance(candidate, Mapper):
                    mapped(candidate)
                elif isinstance(vars(value).get("metadata"), MetaData):
                    own_metadata(vars(value)["metadata"])  # a declarative base of its own
    return found


def table_owners(branches: Sequence[Branch]) -> dict[str, tuple[Branch, Table]]:
    """Every table the branches' code declares, with the branch owning it.

    A table is a branch's when a class mapped to it is defined in the
    branch's package; else when one of its modules binds the ``Table`` to a
    name; else when it belongs to a ``MetaData`` of the branch's own.  The
    name a table carries plays no part.  A ``Table`` or ``MetaData`` one
    plugin imports from another is claimed by both: it goes to the branch
    listed first, the core, then the plugins in the app's order, required
    plugins first (the one defining it).  Only imported modules count: call
    :func:`import_models` for the branches first.
    """
    declared = [(branch, declared_by(branch)) for branch in branches]
    owners: dict[str, tuple[Branch, Table]] = {}
    for tier in ("mapped", "plain", "metadata"):
        for branch, found in declared:
            if tier == "metadata":
                tables = [t for m in found.metadata for t in m.tables.values()]
            else:
                tables = getattr(found, tier)
            for table in tables:
                owners.setdefault(table.fullname, (branch, table))
    return owners


def owned_tables(branch: Branch, branches: Sequence[Branch]) -> dict[str, Table]:
    """The exact tables ``branch`` owns among ``branches`` (its models' and
    plain tables, by :func:`table_owners`' rule), importing their models."""
    for other in branches:
        import_models(other)
    return {name: table for name, (owner, table) in table_owners(branches).items()
            if owner.name == branch.name}


@dataclass(frozen=True)
class Comparison:
    """What autogenerate compares for some branches: the tables they own and
    the metadata holding them."""

    tables: dict[str, Table]
    metadata: list[MetaData]
    #: Also compare tables found only in the database (the no-drift check: a
    #: table that a migration creates and no model declares is drift too).
    include_unowned_reflected: bool = False

    def include_object(self, obj: Any, name: str | None, type_: str, reflected: bool,
                       compare_to: Any) -> bool:
        """An alembic ``include_object`` limited to :attr:`tables`."""
        if type_ != "table":
            return True  # only called for the tables included below
        if name == "alembic_version":
            return False
        if not reflected or compare_to is not None:
            table = obj if not reflected else compare_to
            key = table.fullname if isinstance(table, Table) else name
            return key in self.tables
        return self.include_unowned_reflected


def comparison(compared: Sequence[Branch], branches: Sequence[Branch] | None = None,
               include_unowned_reflected: bool = False) -> Comparison:
    """The tables of ``compared`` (owned among ``branches``, all of them when
    not given) and their metadata, the branches' models imported."""
    everyone = list(branches) if branches is not None else list(compared)
    names = {b.name for b in compared}
    for branch in everyone:
        import_models(branch)
    tables = {name: table for name, (owner, table) in table_owners(everyone).items()
              if owner.name in names}
    from .model import Base

    metadata: list[MetaData] = []
    for table in tables.values():
        if all(m is not table.metadata for m in metadata):
            metadata.append(table.metadata)
    return Comparison(tables, metadata or [Base.metadata], include_unowned_reflected)


# -- writing a plugin's revision ----------------------------------------------------


def referenced_tables(upgrade_ops: ops.UpgradeOps) -> list[tuple[str, str]]:
    """``(table, referred table)`` of every foreign key the operations create."""
    found: list[tuple[str, str]] = []

    def referred(spec: str) -> str:
        # "table.column" or "schema.table.column"
        return spec.rsplit(".", 1)[0]

    def walk(items: Iterable[Any]) -> None:
        for op in items:
            if isinstance(op, ops.ModifyTableOps):
                walk(op.ops)
            elif isinstance(op, ops.CreateTableOp):
                for fk in op.to_table().foreign_keys:
                    found.append((op.table_name, referred(fk.target_fullname)))
            elif isinstance(op, ops.AddColumnOp):
                for fk in op.column.foreign_keys:
                    found.append((op.table_name, referred(fk.target_fullname)))
            elif isinstance(op, ops.CreateForeignKeyOp):
                for fk in op.to_constraint().elements:
                    found.append((op.source_table, referred(fk.target_fullname)))

    walk(upgrade_ops.ops)
    return found


RevisionDirectives = Callable[[MigrationContext, Any, list[ops.MigrationScript]], None]


def autogenerate_directives(cfg: Config, branch: Branch) -> RevisionDirectives:
    """A ``process_revision_directives`` for ``podium db revision --autogenerate``
    of ``branch``: the comparison of its own tables with the database, and
    the other branches its new foreign keys need in ``depends_on``.

    Alembic's ``--autogenerate`` insists that the database be at every
    head, disabled plugins' included, which Podium never migrates; so the
    revision is written without it, and this hook fills it in with
    :func:`alembic.autogenerate.produce_migrations`, the same comparison.
    The database must be current for the core and the enabled plugins
    (``podium db revision`` upgrades it first).
    """
    from alembic.autogenerate import produce_migrations

    branches: list[Branch] = cfg.attributes["podium.branches"]
    revisions = revisions_for(cfg)

    def process(context: MigrationContext, revision: Any,
                directives: list[ops.MigrationScript]) -> None:
        if context.connection is None:
            raise CommandError("--autogenerate needs a database connection, not --sql")
        compared = comparison([branch], [b for b in branches if b.enabled or b is branch])
        mine = MigrationContext.configure(
            connection=context.connection,
            opts={"include_object": compared.include_object,
                  "target_metadata": compared.metadata})
        produced = produce_migrations(mine, compared.metadata)  # type: ignore[arg-type]
        script = directives[0]
        assert produced.upgrade_ops is not None and produced.downgrade_ops is not None
        script.upgrade_ops = produced.upgrade_ops
        script.downgrade_ops = produced.downgrade_ops
        script.depends_on = depends_on_for(branch, branches, revisions,
                                           referenced_tables(produced.upgrade_ops),
                                           as_tuple(script.depends_on))

    return process


def depends_on_for(branch: Branch, branches: Sequence[Branch], revisions: Revisions,
                   references: list[tuple[str, str]], given: tuple[str, ...]) -> Any:
    """``given``, plus the heads of every other branch owning a table the new
    revision's foreign keys refer to (unless the branch's revisions already
    imply them).  A plugin's foreign key to another plugin's table needs that
    plugin in its ``requires``: then it is always installed, enabled and
    migrated first; otherwise :class:`CommandError` says what to add."""
    owners = table_owners(branches)
    implied = revisions.ancestry([*revisions.heads_of(branch.name), *given])
    added: list[str] = []
    for table, referred in references:
        owner = owners.get(referred)
        if owner is None:
            log.warning("%s has a foreign key to %s, which no installed branch declares: "
                        "nothing makes sure it exists before %s's revision runs",
                        table, referred, branch.name)
            continue
        other = owner[0]
        if other.name == branch.name:
            continue
        if branch.name == CORE:
            raise CommandError(f"{table} would have a foreign key to {referred}, a table of "
                               f"plugin {other.name!r}: the core's tables cannot depend on a "
                               f"plugin's; no revision was written")
        if other.name != CORE and branch.plugin is not None and other.name not in branch.requires:
            entry = branch.plugin.installed.entry_point
            raise CommandError(
                f"{table} would have a foreign key to {referred}, a table of plugin "
                f"{other.name!r}, which plugin {branch.name!r} does not require: add "
                f"{other.name!r} to requires=[...] in its declaration ({entry.value}), so "
                f"that {other.name} is always enabled and migrated before it; no revision "
                f"was written")
        for head in revisions.heads_of(other.name):
            if head not in implied and head not in added:
                added.append(head)
    found = [*given, *added]
    if not found:
        return None
    return found[0] if len(found) == 1 else found
