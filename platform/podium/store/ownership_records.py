"""What each branch left in the database, recorded while its code was there.

Once a plugin's distribution is uninstalled, nothing in the code says which
tables were its or which of ``alembic_version``'s rows are its revisions.  So
``podium db upgrade`` and ``downgrade`` record both after migrating, from the
exact ownership rule (:func:`podium.store.migrations.table_owners`) and the
revisions alembic applied: ``podium_branch_table`` and
``podium_branch_revision`` (core revision ``podium_0004``).  ``podium db
forget`` and the schema status read them when the code is gone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from alembic.config import Config
from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    MetaData,
    String,
    Table,
    delete,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy import (
    table as table_clause,
)
from sqlalchemy.orm import Mapped, mapped_column

from .model import Base

if TYPE_CHECKING:
    from .migrations import Revisions

#: As long as alembic's own ``version_num`` may be.
REVISION_MAX = 32


def utcnow() -> datetime:
    return datetime.now(UTC)


class BranchTable(Base):
    """A table a branch's code declared (and the database held) when it was migrated."""

    __tablename__ = "podium_branch_table"

    branch: Mapped[str] = mapped_column(String(100), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(255), primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BranchRevision(Base):
    """A revision of a branch applied to the database when it was migrated."""

    __tablename__ = "podium_branch_revision"

    branch: Mapped[str] = mapped_column(String(100), primary_key=True)
    revision: Mapped[str] = mapped_column(String(REVISION_MAX), primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


TABLES = (BranchTable.__tablename__, BranchRevision.__tablename__)


@dataclass(frozen=True)
class Records:
    """The records, per branch (empty when the database has no such tables yet)."""

    tables: dict[str, tuple[str, ...]] = field(default_factory=dict)
    revisions: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def branch_of(self, revision: str) -> str | None:
        for branch, revisions in self.revisions.items():
            if revision in revisions:
                return branch
        return None

    @property
    def branches(self) -> list[str]:
        return sorted({*self.tables, *self.revisions})


def has_records(connection: Connection) -> bool:
    """Whether the database has the record tables (the core is at podium_0004 or later)."""
    names = set(inspect(connection).get_table_names())
    return all(name in names for name in TABLES)


def read_records(connection: Connection) -> Records:
    if not has_records(connection):
        return Records()
    tables: dict[str, list[str]] = {}
    for branch, name in connection.execute(
            select(BranchTable.branch, BranchTable.table_name).order_by(BranchTable.table_name)):
        tables.setdefault(branch, []).append(name)
    revisions: dict[str, list[str]] = {}
    for branch, revision in connection.execute(
            select(BranchRevision.branch, BranchRevision.revision)
            .order_by(BranchRevision.revision)):
        revisions.setdefault(branch, []).append(revision)
    return Records({b: tuple(t) for b, t in tables.items()},
                   {b: tuple(r) for b, r in revisions.items()})


def write_branch(connection: Connection, branch: str, tables: Iterable[str],
                 revisions: Iterable[str]) -> None:
    """Replace the records of ``branch`` (none left when both are empty: at base)."""
    forget_branch(connection, branch, tables=True)
    now = utcnow()
    rows = [{"branch": branch, "table_name": name, "recorded_at": now}
            for name in sorted(set(tables))]
    if rows:
        connection.execute(insert(BranchTable), rows)
    rows = [{"branch": branch, "revision": r, "recorded_at": now}
            for r in sorted(set(revisions))]
    if rows:
        connection.execute(insert(BranchRevision), rows)


def forget_branch(connection: Connection, branch: str, tables: bool = True) -> None:
    """Delete the revisions recorded for ``branch``, and its tables' records
    with ``tables`` (kept when its tables are left in the database)."""
    connection.execute(delete(BranchRevision).where(BranchRevision.branch == branch))
    if tables:
        connection.execute(delete(BranchTable).where(BranchTable.branch == branch))


def forget_tables(connection: Connection, names: Sequence[str]) -> None:
    if names:
        connection.execute(delete(BranchTable).where(BranchTable.table_name.in_(list(names))))


def record_ownership(cfg: Config, connection: Connection) -> None:
    """Record, for every installed branch, the revisions the database has
    applied of it and the tables it owns there; a branch at base has no
    record left.

    A table is recorded for the branch :func:`~podium.store.migrations.table_owners`
    gives it, when the database has it; one recorded before that no code
    declares any more stays its branch's while it exists.  Branches whose code
    is gone keep their records: they are what ``podium db forget`` works from.
    Nothing is written before the core's revision that creates the records.
    """
    from .migrations import database_heads, import_models, revisions_for, table_owners

    if not has_records(connection):
        return
    branches = cfg.attributes["podium.branches"]
    revisions = revisions_for(cfg)
    applied = revisions.ancestry([h for h in database_heads(connection)
                                  if h in revisions.by_id])
    for branch in branches:
        import_models(branch)
    owners = table_owners(branches)
    inspector = inspect(connection)
    recorded = read_records(connection)
    for branch in branches:
        mine = [sc.revision for sc in revisions.of(branch.name) if sc.revision in applied]
        if not mine:
            forget_branch(connection, branch.name)
            continue
        owned = {name for name, (owner, table) in owners.items()
                 if owner.name == branch.name
                 and inspector.has_table(table.name, schema=table.schema)}
        kept = {name for name in recorded.tables.get(branch.name, ())
                if name not in owners and inspector.has_table(name)}
        write_branch(connection, branch.name, owned | kept, mine)


# -- a branch whose code is gone ------------------------------------------------------


def named_branch(revision: str) -> str | None:
    """The branch a revision id is named for, as ``podium db revision`` names
    them: ``todo_tags_0002`` -> ``todo_tags``."""
    match = re.fullmatch(r"(.+)_\d+", revision)
    return match.group(1) if match else None


def branch_of(revision: str, records: Records) -> str | None:
    """The branch an unknown revision was recorded for, else the one it is named for."""
    return records.branch_of(revision) or named_branch(revision)


def restored_heads(revisions: Revisions, rows: Iterable[str], records: Records,
                   forgotten: str) -> tuple[str, ...]:
    """What ``alembic_version`` must hold once ``forgotten``'s rows are gone.

    Alembic keeps only heads: a plugin's revision that depends on the
    core's head takes the core's row's place.  Deleting that row alone would
    leave the core at base and make ``podium db upgrade`` create its tables
    again; so the other branches' recorded revisions that the code knows are
    put back, as the heads alembic itself would write for them.  Without
    records (a database migrated before ``podium_0004``, or by plain alembic)
    only the rows themselves are known.
    """
    rows = [r for r in rows if branch_of(r, records) != forgotten or r in revisions.by_id]
    known = {r for r in rows if r in revisions.by_id}
    for branch, recorded in records.revisions.items():
        if branch != forgotten:
            known |= {r for r in recorded if r in revisions.by_id}
    implied: set[str] = set()
    for revision in known:
        implied |= revisions.ancestry([revision]) - {revision}
    heads = [sc.revision for sc in revisions.ordered
             if sc.revision in known and sc.revision not in implied]
    # Another uninstalled branch whose row it took keeps its revisions, so
    # that it is still seen, and forgotten in its turn.
    strangers = [r for r in rows if r not in revisions.by_id]
    for branch, recorded in sorted(records.revisions.items()):
        gone = [r for r in recorded if r not in revisions.by_id]
        if branch != forgotten and gone and not set(recorded) & set(rows):
            strangers.extend(gone)
    return (*heads, *strangers)


@dataclass(frozen=True)
class ForgetPlan:
    """What ``podium db forget NAME`` finds of branch NAME in the database."""

    name: str
    #: Its rows of ``alembic_version`` (revisions no installed code knows).
    revisions: tuple[str, ...]
    #: ``alembic_version`` afterwards.
    heads: tuple[str, ...]
    #: Its recorded tables the database has, with their row counts.
    tables: dict[str, int]
    #: ``(table, its branch or None, the table of NAME it refers to)``: what
    #: keeps its tables from being dropped.
    referenced_by: tuple[tuple[str, str | None, str], ...]
    recorded: bool


def plan_forget(connection: Connection, revisions: Revisions, name: str) -> ForgetPlan:
    from .migrations import database_heads

    records = read_records(connection)
    rows = database_heads(connection)
    mine = tuple(r for r in rows
                 if r not in revisions.by_id and branch_of(r, records) == name)
    inspector = inspect(connection)
    tables = {t: count_rows(connection, t)
              for t in records.tables.get(name, ()) if inspector.has_table(t)}
    owner = {t: b for b, names in records.tables.items() for t in names}
    referenced_by = []
    for other in inspector.get_table_names():
        if other in tables:
            continue
        for fk in inspector.get_foreign_keys(other):
            if fk["referred_table"] in tables and fk.get("referred_schema") is None:
                referenced_by.append((other, owner.get(other), fk["referred_table"]))
    return ForgetPlan(name, mine, restored_heads(revisions, rows, records, name), tables,
                      tuple(referenced_by), name in records.branches)


def apply_forget(connection: Connection, plan: ForgetPlan, drop_tables: bool) -> None:
    """Drop the plan's tables (with ``drop_tables``: an order their foreign keys
    allow, as ``MetaData.drop_all`` sorts them), rewrite ``alembic_version``
    and delete the branch's records, in the caller's transaction.  Alembic's
    ``stamp`` cannot do it: it refuses to move from a revision it does not know."""
    if drop_tables and plan.tables:
        reflected = MetaData()
        reflected.reflect(bind=connection, only=list(plan.tables))
        reflected.drop_all(connection, tables=[reflected.tables[t] for t in plan.tables])
    version = Table("alembic_version", MetaData(),
                    Column("version_num", String(REVISION_MAX), primary_key=True))
    connection.execute(delete(version))
    if plan.heads:
        connection.execute(insert(version), [{"version_num": r} for r in plan.heads])
    if has_records(connection):
        forget_branch(connection, plan.name, tables=drop_tables)


def count_rows(connection: Connection, name: str, schema: str | None = None) -> int:
    return int(connection.execute(
        select(func.count()).select_from(table_clause(name, schema=schema))).scalar_one())
