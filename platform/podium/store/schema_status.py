"""Is the database current? The one answer, for every command that asks.

Start-up (``podium.db.require_current``), ``podium check``, ``podium db
check``, ``podium db current`` and ``podium db upgrade`` all call
:func:`schema_status`, so they agree on every state:

- *current*: every revision of the core and of the enabled plugins is
  applied, and the database records nothing the installed code does not know;
- *behind*: revisions that ``podium db upgrade`` would apply (on a fresh
  database, with no ``alembic_version`` table, all of them);
- *ahead*: the database records a revision this code does not have, named
  after one of its branches (``podium_0002`` when the code stops at
  ``podium_0001``): a newer version migrated it;
- *orphaned*: the database records revisions of a branch whose plugin is
  not installed any more (by ``podium_branch_revision``, else by the revision's
  name, ``todo_0001`` for ``todo``): ``podium db forget`` resolves it;
- *unknown*: the database records a revision no branch can be found for.

A disabled plugin's revisions are never pending: its tables are left alone
until it is enabled, so they do not make a database out of date.  Which
revisions are pending is what alembic's ``upgrade`` would run to reach
:func:`~podium.store.migrations.upgrade_targets`, computed by alembic, less
any disabled plugin's: should an enabled plugin's pending revision need one
(a ``depends_on`` its ``requires`` does not back), the database is *blocked*
and the problem says which plugin to enable, since ``podium db upgrade``
leaves a disabled plugin's tables alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from alembic.config import Config
from sqlalchemy import Connection, Engine

from .engine import make_engine
from .migrations import (
    Branch,
    Revisions,
    branches_for,
    configure_branches,
    database_heads,
    default_script_location,
    revisions_for,
    tops,
    upgrade_targets,
)
from .ownership_records import Records, branch_of, read_records

if TYPE_CHECKING:
    from ..plugins.loader import LoadedPlugin


@dataclass(frozen=True)
class Orphan:
    """A branch the database holds revisions of, whose code is not loaded."""

    name: str
    revisions: tuple[str, ...]
    #: Its recorded tables (what ``podium db forget --drop-tables`` drops).
    tables: tuple[str, ...] = ()
    #: Its plugin is installed but could not be imported (it is not orphaned:
    #: its code must be fixed, not forgotten).
    installed: bool = False

    def describe(self, config_hint: str) -> str:
        revisions = ", ".join(self.revisions)
        if self.installed:
            return (f"plugin {self.name!r} is installed but cannot be imported, so its "
                    f"revisions ({revisions}) are unknown: fix or reinstall it (the warning "
                    f"above says why it fails)")
        tables = f" and tables ({', '.join(self.tables)})" if self.tables else ""
        return (f"the database holds revisions ({revisions}){tables} of plugin "
                f"{self.name!r}, which is not installed: reinstall it, or run `podium db "
                f"forget {self.name} {config_hint} --drop-tables` to drop its tables and "
                f"forget its branch (without --drop-tables its tables are kept)")


@dataclass(frozen=True)
class BranchStatus:
    """Where one branch stands in one database."""

    branch: Branch
    #: The branch's latest applied revisions.
    current: tuple[str, ...]
    heads: tuple[str, ...]
    #: What ``podium db upgrade`` would apply of this branch, oldest first
    #: (never anything of a disabled branch).
    pending: tuple[str, ...]
    #: Every revision of the branch the database does not have, oldest first.
    missing: tuple[str, ...]
    #: Revisions the database records, named after this branch, that the
    #: installed code does not have.
    ahead: tuple[str, ...] = ()

    @property
    def is_current(self) -> bool:
        return not self.pending and not self.ahead


@dataclass(frozen=True)
class SchemaStatus:
    """The database against the installed code: per branch, and what is unknown."""

    branches: tuple[BranchStatus, ...]
    #: Revisions the database records that no installed branch is named for.
    unknown: tuple[str, ...]
    #: The rows of ``alembic_version``.
    recorded: tuple[str, ...]
    #: The installed revisions it was compared with.
    revisions: Revisions = field(compare=False, repr=False)
    #: ``(pending revision, revision of a disabled plugin it needs)`` pairs:
    #: what ``podium db upgrade`` cannot apply until that plugin is enabled.
    blocked: tuple[tuple[str, str], ...] = ()
    #: Branches whose code is not installed (or does not load), by name.
    orphaned: tuple[Orphan, ...] = ()

    @property
    def behind(self) -> list[BranchStatus]:
        """Branches with revisions ``podium db upgrade`` would apply."""
        return [s for s in self.branches if s.pending]

    @property
    def ahead(self) -> list[BranchStatus]:
        """Branches the database holds newer revisions of than the code."""
        return [s for s in self.branches if s.ahead]

    @property
    def pending(self) -> tuple[str, ...]:
        return tuple(r for s in self.behind for r in s.pending)

    @property
    def unrecognized(self) -> tuple[str, ...]:
        """Every recorded revision the code does not have (ahead, orphaned or
        unknown): alembic cannot migrate from them."""
        return (tuple(r for s in self.ahead for r in s.ahead)
                + tuple(r for o in self.orphaned for r in o.revisions) + self.unknown)

    @property
    def is_current(self) -> bool:
        return not self.behind and not self.unrecognized

    def describe_problem(self, config_hint: str = "CONFIG_URI") -> str:
        """One paragraph saying what is wrong and the command that fixes it."""
        parts = []
        if self.ahead:
            ahead = "; ".join(f"{s.branch.name}: {', '.join(s.ahead)}" for s in self.ahead)
            parts.append(
                f"the database is ahead of the installed code: it records {ahead}, which "
                "this code does not have (a newer version migrated it); run that version, "
                "or downgrade the database with it first (`podium db downgrade`)")
        if self.blocked:
            needs = "; ".join(
                f"{revision} ({self.revisions.owner[revision]}) needs {needed} of plugin "
                f"{self.revisions.owner[needed]}" for revision, needed in self.blocked)
            disabled = sorted({self.revisions.owner[needed] for _, needed in self.blocked})
            parts.append(
                f"pending revisions need revisions of plugins that are not enabled: {needs}; "
                f"enable {', '.join(disabled)} in podium.plugins (a disabled plugin's tables "
                f"are left alone), or remove the dependency")
        parts.extend(orphan.describe(config_hint) for orphan in self.orphaned)
        if self.unknown:
            parts.append(
                "the database holds revisions no installed code knows: "
                f"{', '.join(self.unknown)} (of a plugin since uninstalled, or migrated by "
                "a newer version); reinstall the code that knows them, or downgrade with it "
                "first (`podium db downgrade`)")
        if self.behind:
            pending = "; ".join(f"{s.branch.name}: {', '.join(s.pending)}" for s in self.behind)
            then = "once that is settled, run" if parts else "run"
            parts.append(f"the database is behind the installed code, pending revisions: "
                         f"{pending}; {then} `podium db upgrade {config_hint}`")
        return "; ".join(parts)


def schema_status(cfg: Config, bind: Connection | Engine | None = None) -> SchemaStatus:
    """Compare the database with the installed migrations of ``cfg``'s branches
    (:func:`~podium.store.migrations.configure_branches`).

    ``bind`` is the database; without it, an engine is made from the settings
    ``cfg`` carries and disposed of.  Raises alembic's ``CommandError`` when
    the revision files cannot be read, SQLAlchemy's ``DBAPIError`` when the
    database cannot.
    """
    revisions = revisions_for(cfg)
    if isinstance(bind, Connection):
        return _compare_with(revisions, bind)
    engine = bind if bind is not None else make_engine(cfg.attributes["podium.settings"])
    try:
        with engine.connect() as connection:
            return _compare_with(revisions, connection)
    finally:
        if bind is None:
            engine.dispose()


def app_schema_status(settings: dict[str, Any], engine: Engine,
                      enabled: Iterable[LoadedPlugin]) -> SchemaStatus:
    """The running application's database against its code: the core's branch
    and each plugin's, with ``enabled`` the plugins it runs (``/health``, the
    admin console).  Raises as :func:`schema_status` does."""
    location = default_script_location()
    branches = branches_for(settings, location, enabled)
    cfg = configure_branches(Config(), settings, location, branches=branches)
    return schema_status(cfg, engine)


def _compare_with(revisions: Revisions, connection: Connection) -> SchemaStatus:
    recorded = database_heads(connection)
    if all(r in revisions.by_id for r in recorded):
        return compare(revisions, recorded)  # the start-up path: one SELECT
    from ..plugins.discovery import discover

    return compare(revisions, recorded, read_records(connection), set(discover()))


def compare(revisions: Revisions, recorded: tuple[str, ...], records: Records | None = None,
            installed: set[str] | None = None) -> SchemaStatus:
    """Where a database recording ``recorded`` in ``alembic_version`` stands.

    ``records`` (``podium.store.ownership_records``) attribute revisions no
    installed code knows to the branch they were recorded for; ``installed``
    names the installed plugins, loadable or not."""
    records = records or Records()
    known = tuple(r for r in recorded if r in revisions.by_id)
    applied = revisions.ancestry(known)
    needed = revisions.ancestry(upgrade_targets(revisions))
    strangers = [r for r in recorded if r not in revisions.by_id]
    ahead: dict[str, list[str]] = {}
    orphans: dict[str, list[str]] = {}
    unknown: list[str] = []
    for revision in strangers:
        branch = branch_named_in(revision, revisions.branches)
        name = branch_of(revision, records)
        if branch is not None:
            ahead.setdefault(branch.name, []).append(revision)
        elif name is not None and name not in {b.name for b in revisions.branches}:
            orphans.setdefault(name, []).append(revision)
        else:
            unknown.append(revision)
    if orphans and records.revisions:
        # An orphan's row may stand for revisions of other branches it depended
        # on (alembic keeps heads only): what was recorded for them is applied.
        for owner, recorded_revisions in records.revisions.items():
            if owner not in orphans:
                for revision in recorded_revisions:
                    if revision in revisions.by_id and revision not in applied:
                        applied |= revisions.ancestry([revision])
    result = []
    for branch in revisions.branches:
        mine = revisions.of(branch.name)
        missing = tuple(sc.revision for sc in mine if sc.revision not in applied)
        result.append(BranchStatus(
            branch,
            current=tops(mine, applied),
            heads=revisions.heads_of(branch.name),
            pending=tuple(r for r in missing if r in needed) if branch.enabled else (),
            missing=missing,
            ahead=tuple(ahead.get(branch.name, ())),
        ))
    orphaned = tuple(Orphan(name, tuple(revs), records.tables.get(name, ()),
                            name in (installed or set()))
                     for name, revs in sorted(orphans.items()))
    return SchemaStatus(tuple(result), tuple(unknown), tuple(recorded), revisions,
                        blocked=blocked_by_disabled(revisions, result), orphaned=orphaned)


def blocked_by_disabled(revisions: Revisions,
                        statuses: list[BranchStatus]) -> tuple[tuple[str, str], ...]:
    """Pending revisions of enabled branches that need unapplied revisions of
    disabled ones, each with the first such revision."""
    disabled = {s.branch.name for s in statuses if not s.branch.enabled}
    unapplied = {r for s in statuses if s.branch.name in disabled for r in s.missing}
    found = []
    for status in statuses:
        for revision in status.pending:
            needed = revisions.ancestry([revision]) & unapplied
            first = next((sc.revision for sc in revisions.ordered if sc.revision in needed), None)
            if first is not None:
                found.append((revision, first))
    return tuple(found)


def branch_named_in(revision: str, branches: list[Branch]) -> Branch | None:
    """The branch a revision id is named for, exactly as ``podium db
    revision`` names them: ``notes_0002`` -> ``notes``; ``notes_tags_0001``
    is not ``notes``' (it is a plugin ``notes_tags``')."""
    for branch in branches:
        if re.fullmatch(re.escape(branch.name) + r"_\d+", revision):
            return branch
    return None
