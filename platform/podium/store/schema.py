"""The schema the installed code expects, and where a database stands, without alembic.

Which branches exist (the core's and each plugin's), what their revisions
are and how a database compares with them is Podium's own bookkeeping over
alembic's files and its ``alembic_version`` table (see
:mod:`podium.store.migrations` for alembic's side).  It lives here, apart,
because the start-up check (``podium.db.require_current``, on in
production) only needs to know that a database is current, and importing
alembic to learn it cost every production start about 10 MB and 0.2 s
(bench.scaling, 100 plugins).  :func:`quick_status` reads the revision
files as text and the version table with one SELECT; whenever that cannot
answer with certainty (a revision file that computes its ids, a dependency
named by label, no version table) it says so and alembic decides.
"""

from __future__ import annotations

import ast
import logging
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from ..plugins.discovery import discover
from ..plugins.errors import PluginError
from ..plugins.loader import LoadedPlugin, load
from ..plugins.resolution import resolve
from ..settings import environment_for

log = logging.getLogger(__name__)

#: The name of the core's branch (its branch label, and its table prefix).
CORE = "podium"


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
    for name, plugin in installed.items():
        if name in enabled_names:
            continue
        try:
            others.append(load(plugin, settings))
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


@dataclass(frozen=True)
class BranchStatus:
    """Where one branch stands in one database."""

    branch: Branch
    current: tuple[str, ...]
    heads: tuple[str, ...]
    pending: tuple[str, ...]

    @property
    def is_current(self) -> bool:
        return not self.pending


@dataclass(frozen=True)
class SchemaStatus:
    """The database against the installed code: per branch, and what is unknown."""

    branches: tuple[BranchStatus, ...]
    #: Revisions in the database that no installed code provides: a newer
    #: version migrated it, or a plugin that created them was uninstalled.
    unknown: tuple[str, ...]

    @property
    def behind(self) -> list[BranchStatus]:
        """Enabled branches (and the core) with revisions still to apply."""
        return [s for s in self.branches if s.branch.enabled and s.pending]

    @property
    def is_current(self) -> bool:
        return not self.behind and not self.unknown

    def describe_problem(self, config_hint: str = "CONFIG_URI") -> str:
        """One paragraph saying what is wrong and the command that fixes it."""
        parts = []
        if self.behind:
            pending = "; ".join(f"{s.branch.name}: {', '.join(s.pending)}" for s in self.behind)
            parts.append(f"the database is behind the installed code, pending revisions: "
                         f"{pending}. Run `podium db upgrade {config_hint}` first")
        if self.unknown:
            parts.append(
                "the database holds revisions no installed code knows: "
                f"{', '.join(self.unknown)} (migrated by a newer version, or by a plugin "
                "since uninstalled); run the code that knows them, or downgrade with it "
                "first (`podium db downgrade`)")
        return "; ".join(parts)


class Revisions:
    """Revisions attributed to branches: alembic's scripts, or :class:`RevisionFile`."""

    def __init__(self, ordered: Sequence[Any], branches: list[Branch],
                 resolve: Callable[[str], Iterable[str]] | None = None):
        """``ordered``: script-like objects (``revision``, ``down_revision``,
        ``dependencies``, ``path``), oldest first.  ``resolve`` turns a
        dependency (an id, a partial id, a branch label) into revision ids;
        by default only full ids are known."""
        self.branches = branches
        self.resolve = resolve or (lambda dep: (dep,))
        directories = {os.path.realpath(b.directory): b.name for b in branches}
        self.owner: dict[str, str] = {}
        # Oldest first, so that lists built from it are in upgrade order.
        self.ordered: list[Any] = list(ordered)
        for sc in self.ordered:
            directory = os.path.realpath(os.path.dirname(sc.path))
            owner = directories.get(directory)
            while owner is None and directory != os.path.dirname(directory):
                directory = os.path.dirname(directory)  # recursive version locations
                owner = directories.get(directory)
            self.owner[sc.revision] = owner or CORE
        self.by_id = {sc.revision: sc for sc in self.ordered}

    def of(self, branch: str) -> list[Any]:
        return [sc for sc in self.ordered if self.owner[sc.revision] == branch]

    def parents(self, sc: Any) -> list[str]:
        """Down revisions and dependencies, resolved to revision ids."""
        found = list(_as_tuple(sc.down_revision))
        for dep in _as_tuple(sc.dependencies):
            found.extend(self.resolve(dep))
        return found

    def ancestry(self, revisions: Iterable[str]) -> set[str]:
        """The revisions and everything they need, transitively."""
        seen: set[str] = set()
        todo = [r for r in revisions if r in self.by_id]
        while todo:
            rev = todo.pop()
            if rev in seen:
                continue
            seen.add(rev)
            todo.extend(self.parents(self.by_id[rev]))
        return seen

    def tops(self, scripts: list[Any]) -> tuple[str, ...]:
        """The revisions of ``scripts`` that no other of them builds on."""
        ids = {sc.revision for sc in scripts}
        below = {p for sc in scripts for p in _as_tuple(sc.down_revision) if p in ids}
        return tuple(sc.revision for sc in scripts if sc.revision not in below)

    def heads_of(self, branch: str) -> tuple[str, ...]:
        return self.tops(self.of(branch))

    def status(self, database_heads: Iterable[str]) -> SchemaStatus:
        database_heads = tuple(database_heads)
        unknown = tuple(r for r in database_heads if r not in self.by_id)
        applied = self.ancestry(database_heads)
        result = []
        for branch in self.branches:
            mine = self.of(branch.name)
            heads = self.tops(mine)
            current = self.tops([sc for sc in mine if sc.revision in applied])
            needed = self.ancestry(heads)
            pending = tuple(sc.revision for sc in mine
                            if sc.revision in needed and sc.revision not in applied)
            result.append(BranchStatus(branch, current, heads, pending))
        return SchemaStatus(tuple(result), unknown)


def _as_tuple(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)




# -- reading revision files without importing them ---------------------------------

#: Files alembic reads as revisions (alembic.script.base._only_source_rev_file).
_REVISION_FILE = re.compile(r"(?!\.\#|__init__)(.*\.py)$")
_NAMES = {"revision": "revision", "down_revision": "down_revision",
          "depends_on": "dependencies"}


@dataclass(frozen=True)
class RevisionFile:
    """What a revision file declares, read as text."""

    revision: str
    down_revision: str | tuple[str, ...] | None
    dependencies: str | tuple[str, ...] | None
    path: str


def read_revision_file(path: Path) -> RevisionFile | None:
    """The file's module-level ``revision``, ``down_revision`` and
    ``depends_on``, or None unless each is a plain literal assigned once."""
    try:
        tree = ast.parse(path.read_bytes(), str(path))
    except (OSError, SyntaxError, ValueError):
        return None
    found: dict[str, Any] = {}
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        for target in targets:
            if isinstance(target, ast.Name) and target.id in _NAMES:
                if target.id in found:
                    return None  # assigned twice: only running it would tell
                try:
                    found[target.id] = ast.literal_eval(value)
                except ValueError:
                    return None
    revision = found.get("revision")
    if not isinstance(revision, str):
        return None
    values = {}
    for name in ("down_revision", "depends_on"):
        value = found.get(name)
        if isinstance(value, list):
            value = tuple(value)
        if value is not None and not (isinstance(value, str) or (
                isinstance(value, tuple) and all(isinstance(v, str) for v in value))):
            return None
        values[_NAMES[name]] = value
    return RevisionFile(revision, values["down_revision"], values["dependencies"], str(path))


def read_revision_files(branches: Iterable[Branch]) -> list[RevisionFile] | None:
    """Every branch's revisions, oldest first; None if any file cannot be
    read as plain declarations (alembic must then run it)."""
    found: dict[str, RevisionFile] = {}
    seen: set[str] = set()
    for branch in branches:
        directory = Path(branch.directory)
        if not directory.is_dir():
            continue
        for entry in sorted(directory.iterdir()):
            if not entry.is_file() or not _REVISION_FILE.match(entry.name):
                continue
            real = str(entry.resolve())
            if real in seen:
                continue
            seen.add(real)
            revision = read_revision_file(entry)
            if revision is None or revision.revision in found:
                return None
            found[revision.revision] = revision
    return _oldest_first(found)


def _oldest_first(found: dict[str, RevisionFile]) -> list[RevisionFile] | None:
    """A topological order (parents first); None on an unknown parent or a cycle."""
    parents = {}
    for rev in found.values():
        needed = _as_tuple(rev.down_revision) + _as_tuple(rev.dependencies)
        if any(p not in found for p in needed):
            return None  # a partial id or a label: alembic resolves those
        parents[rev.revision] = set(needed)
    ordered: list[RevisionFile] = []
    done: set[str] = set()
    while len(ordered) < len(found):
        ready = sorted(r for r, needs in parents.items() if r not in done and needs <= done)
        if not ready:
            return None
        for revision in ready:
            done.add(revision)
            ordered.append(found[revision])
    return ordered


def recorded_heads(connection: Connection) -> tuple[str, ...] | None:
    """The rows of ``alembic_version``, or None when it cannot be read (no
    such table yet: alembic then says what is missing).  After None, the
    connection's transaction may be unusable (PostgreSQL): drop it."""
    try:
        rows = connection.execute(text("SELECT version_num FROM alembic_version"))
        return tuple(row[0] for row in rows)
    except DBAPIError:
        return None


def quick_status(connection: Connection, branches: list[Branch]) -> SchemaStatus | None:
    """The database's status from the files as text, or None when only
    alembic can tell."""
    files = read_revision_files(branches)
    if files is None:
        return None
    heads = recorded_heads(connection)
    if heads is None:
        return None
    return Revisions(files, branches).status(heads)
