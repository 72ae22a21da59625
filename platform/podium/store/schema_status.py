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
- *unknown*: the database records a revision no installed branch is named
  for: a plugin since uninstalled (or a revision of a hand-picked id).

A disabled plugin's revisions are not pending: its tables are left alone
until it is enabled, so they do not make a database out of date.  Which
revisions are pending is what alembic's ``upgrade`` would run to reach
:func:`~podium.store.migrations.upgrade_targets`, computed by alembic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from alembic.config import Config
from sqlalchemy import Connection, Engine

from .engine import make_engine
from .migrations import (
    Branch,
    Revisions,
    database_heads,
    revisions_for,
    tops,
    upgrade_targets,
)


@dataclass(frozen=True)
class BranchStatus:
    """Where one branch stands in one database."""

    branch: Branch
    #: The branch's latest applied revisions.
    current: tuple[str, ...]
    heads: tuple[str, ...]
    #: What ``podium db upgrade`` would apply of this branch, oldest first
    #: (a disabled branch's only when an enabled one depends on them).
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
        """Every recorded revision the code does not have (ahead or unknown):
        alembic cannot migrate from them."""
        return tuple(r for s in self.ahead for r in s.ahead) + self.unknown

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
        return compare(revisions, database_heads(bind))
    engine = bind if bind is not None else make_engine(cfg.attributes["podium.settings"])
    try:
        with engine.connect() as connection:
            return compare(revisions, database_heads(connection))
    finally:
        if bind is None:
            engine.dispose()


def compare(revisions: Revisions, recorded: tuple[str, ...]) -> SchemaStatus:
    """Where a database recording ``recorded`` in ``alembic_version`` stands."""
    known = tuple(r for r in recorded if r in revisions.by_id)
    applied = revisions.ancestry(known)
    needed = revisions.ancestry(upgrade_targets(revisions))
    strangers = [r for r in recorded if r not in revisions.by_id]
    ahead: dict[str, list[str]] = {}
    unknown: list[str] = []
    for revision in strangers:
        branch = branch_named_in(revision, revisions.branches)
        if branch is None:
            unknown.append(revision)
        else:
            ahead.setdefault(branch.name, []).append(revision)
    result = []
    for branch in revisions.branches:
        mine = revisions.of(branch.name)
        missing = tuple(sc.revision for sc in mine if sc.revision not in applied)
        result.append(BranchStatus(
            branch,
            current=tops(mine, applied),
            heads=revisions.heads_of(branch.name),
            pending=tuple(r for r in missing if r in needed),
            missing=missing,
            ahead=tuple(ahead.get(branch.name, ())),
        ))
    return SchemaStatus(tuple(result), tuple(unknown), tuple(recorded), revisions)


def branch_named_in(revision: str, branches: list[Branch]) -> Branch | None:
    """The branch a revision id is named for (``notes_0002`` -> ``notes``, as
    ``podium db revision`` names them), the longest name winning."""
    named = [b for b in branches if revision.startswith(b.name + "_")]
    return max(named, key=lambda b: len(b.name), default=None)
