"""The core's own revisions and tables, read from its script directory and its
models, so that a test about plugins does not change with each core revision."""

from __future__ import annotations

from functools import cache

from alembic.script import ScriptDirectory

from podium.store.migrations import CORE, Branch, default_script_location, owned_tables


@cache
def core_revisions() -> tuple[str, ...]:
    """The core's revisions, oldest first."""
    script = ScriptDirectory(default_script_location())
    return tuple(reversed([sc.revision for sc in script.walk_revisions()]))


def core_head() -> str:
    return core_revisions()[-1]


def next_core_revision() -> str:
    """The id a newer core's next revision would have (``podium_0004`` after 0003)."""
    return f"{CORE}_{len(core_revisions()) + 1:04d}"


@cache
def core_tables() -> frozenset[str]:
    """The tables the core's models declare (``podium.models``), by the exact
    rule of ``podium.store.migrations.table_owners``."""
    core = Branch(CORE, default_script_location(), True, CORE)
    return frozenset(table.name for table in owned_tables(core, [core]).values())
