"""A plugin uninstalled while its revisions and tables are in the database.

``podium db upgrade`` records what each branch owns (``podium_branch_table``,
``podium_branch_revision``); once the plugin's code is gone, start-up and the
commands name the orphaned branch and ``podium db forget``, which cleans up
from those records alone.  The plugins are real distributions (see
``uninstall_kit.py``), on SQLite and on PostgreSQL when
PODIUM_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import BACKENDS
from core_schema import core_head, core_tables
from uninstall_kit import Site, open_site


@pytest.fixture(params=BACKENDS)
def site(request: pytest.FixtureRequest, tmp_path: Path, make_plugin) -> Iterator[Site]:
    with open_site(request.param, tmp_path, make_plugin) as opened:
        yield opened


def test_the_upgrade_records_each_branchs_tables_and_revisions(site: Site) -> None:
    site.ok("db", "upgrade", "INI")
    tables, revisions = site.records()
    assert {t for b, t in tables if b == "todo"} == {"todo_item"}
    assert {t for b, t in tables if b == "todo_tags"} == {"todo_tags_tag"}
    # The core's are its models' (the records' own tables among them), exactly.
    assert {t for b, t in tables if b == "podium"} == set(core_tables())
    assert {"podium_branch_table", "podium_branch_revision"} <= set(core_tables())
    assert {r for b, r in revisions if b == "todo"} == {"todo_0001"}
    assert {r for b, r in revisions if b == "todo_tags"} == {"todo_tags_0001"}
    assert ("podium", core_head()) in revisions

    # Downgraded to base, a branch has no record left; the others keep theirs.
    site.ok("db", "downgrade", "INI", "base", "--plugin", "todo_tags")
    tables, revisions = site.records()
    assert not {b for b, _ in tables | revisions} & {"todo_tags"}
    assert ("todo", "todo_item") in tables and ("todo", "todo_0001") in revisions
    # Up again: recorded again.
    site.ok("db", "upgrade", "INI")
    assert ("todo_tags", "todo_tags_tag") in site.records()[0]
