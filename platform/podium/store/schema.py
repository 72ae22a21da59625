"""The schema the installed code expects, and where a database stands, without alembic.

Which branches exist (the core's and each plugin's), what their revisions
are and how a database compares with them is Podium's own bookkeeping over
alembic's files and its ``alembic_version`` table (see
:mod:`podium.store.migrations` for alembic's side).  It lives here, apart,
because the start-up check (``podium.db.require_current``, on in
production) only needs to know that a database is current, and importing
alembic to learn it cost every production start about 10 MB and 0.2 s
(bench.scaling, 100 plugins); :mod:`podium.store.revision_files` answers
that from the files as text.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..plugins.discovery import discover
from ..plugins.errors import PluginError
from ..plugins.loader import LoadedPlugin, load
from ..plugins.resolution import resolve
from ..settings.core import environment_for

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
        found = list(as_tuple(sc.down_revision))
        for dep in as_tuple(sc.dependencies):
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
        below = {p for sc in scripts for p in as_tuple(sc.down_revision) if p in ids}
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


def as_tuple(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)
