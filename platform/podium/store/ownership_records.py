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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from alembic.config import Config
from sqlalchemy import Connection, DateTime, String, delete, insert, inspect, select
from sqlalchemy.orm import Mapped, mapped_column

from .model import Base

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
