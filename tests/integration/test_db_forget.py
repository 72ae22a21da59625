"""A plugin uninstalled while its revisions and tables are in the database.

``podium db upgrade`` records what each branch owns (``podium_branch_table``,
``podium_branch_revision``); once the plugin's code is gone, start-up and the
commands name the orphaned branch and ``podium db forget``, which cleans up
from those records alone.  The plugins are real distributions (see
``uninstall_kit.py``), on SQLite and on PostgreSQL when
PODIUM_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import importlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import BACKENDS
from core_schema import core_head, core_tables
from uninstall_kit import Site, open_site

from podium.store.require_current import SchemaNotCurrentError


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


def test_uninstalled_first_then_forgotten_with_its_tables(site: Site) -> None:
    site.ok("db", "upgrade", "INI")
    site.execute("INSERT INTO todo_item (id, title) VALUES (1, 'milk'), (2, 'eggs')")
    site.execute("INSERT INTO todo_tags_tag (id, item_id, label) VALUES (1, 1, 'shop')")
    site.uninstall("todo_tags")
    site.uninstall("todo")
    site.plugins = ""  # the operator took them out of podium.plugins too

    # Start-up names the orphaned branch and the command, not alembic's
    # "No such revision or branch".
    with pytest.raises(SchemaNotCurrentError) as refused:
        site.start("")
    message = str(refused.value)
    assert "plugin 'todo_tags', which is not installed" in message
    assert "podium db forget todo_tags <ini file> --drop-tables" in message
    assert "No such revision" not in message
    # todo_tags_0001 depends on todo_0001, so alembic kept only its row.
    assert "todo_0001" not in site.versions()
    for args in (("check", "INI"), ("db", "check", "INI")):
        checked = site.run(*args)
        assert checked.exit_code == 1, checked.output
        assert f"podium db forget todo_tags {site.ini} --drop-tables" in checked.output
        assert "No such revision" not in checked.output
    current = site.ok("db", "current", "INI").output
    assert (f"orphaned branch todo_tags: todo_tags_0001, its plugin is not installed; run "
            f"`podium db forget todo_tags {site.ini} [--drop-tables]`") in current
    upgrade = site.run("db", "upgrade", "INI")
    assert upgrade.exit_code == 1 and "podium db forget todo_tags" in upgrade.output

    # todo's table is referred to by todo_tags': refused, naming it; nothing changes.
    refused_forget = site.run("db", "forget", "todo", "INI", "--drop-tables")
    assert refused_forget.exit_code == 1
    errors = [line for line in refused_forget.output.splitlines() if line.startswith("Error:")]
    assert errors == [
        "Error: table todo_tags_tag (of todo_tags) refers to todo_item, a table of todo: "
        "remove or forget todo_tags first, or forget todo without --drop-tables"]
    assert {"todo_item", "todo_tags_tag"} <= site.tables()

    forgot = site.ok("db", "forget", "todo_tags", "INI", "--drop-tables").output
    assert "removed todo_tags_0001" in forgot and "Dropped todo_tags_tag (1 rows)" in forgot
    # todo's revision, which todo_tags' row stood for, is back: todo is seen now.
    assert site.versions() == {core_head(), "todo_0001"}
    current = site.ok("db", "current", "INI").output
    assert "orphaned branch todo: todo_0001" in current
    forgot = site.ok("db", "forget", "todo", "INI", "--drop-tables").output
    assert "Dropped todo_item (2 rows)" in forgot

    assert site.versions() == {core_head()}
    assert not {"todo_item", "todo_tags_tag"} & site.tables()
    tables, revisions = site.records()
    assert {b for b, _ in tables | revisions} == {"podium"}
    site.start("")
    assert "no problem found" in site.ok("check", "INI").output
    assert site.ok("db", "check", "INI").exit_code == 0


def test_forget_without_drop_tables_keeps_them_recorded(site: Site) -> None:
    site.ok("db", "upgrade", "INI", plugins="todo")
    site.uninstall("todo_tags")  # never migrated: nothing of it in the database
    site.uninstall("todo")
    assert site.run("db", "check", "INI", plugins="").exit_code == 1
    kept = site.ok("db", "forget", "todo", "INI", plugins="").output
    assert "Kept todo_item (0 rows)" in kept and "--drop-tables" in kept
    assert site.ok("db", "check", "INI", plugins="").exit_code == 0
    assert "todo_item" in site.tables()
    # The tables' records stay: forgetting again drops them.
    assert ("todo", "todo_item") in site.records()[0]
    dropped = site.ok("db", "forget", "todo", "INI", "--drop-tables", plugins="").output
    assert "alembic_version held none" in dropped and "Dropped todo_item" in dropped
    assert "todo_item" not in site.tables()


def test_forget_refuses_an_installed_plugin_the_core_and_an_unknown_name(site: Site) -> None:
    site.ok("db", "upgrade", "INI")
    installed = site.run("db", "forget", "todo", "INI")
    assert installed.exit_code == 1
    assert "Error: plugin 'todo' is installed: `podium plugins remove todo" in installed.output
    core = site.run("db", "forget", "podium", "INI")
    assert core.exit_code == 1 and "Error: the core's branch cannot be forgotten" in core.output
    unknown = site.run("db", "forget", "nothing", "INI")
    assert unknown.exit_code == 1
    assert "no revision and no record of a branch named 'nothing'" in unknown.output
    assert site.versions() == {core_head(), "todo_tags_0001"}


AUDIT_0001 = '''
revision = "audit_0001"
down_revision = None
branch_labels = ("audit",)
depends_on = HEADS


def upgrade():
    pass


def downgrade():
    pass
'''


def test_forgetting_a_branch_that_stood_for_the_cores_head_puts_the_core_back(
        site: Site, make_plugin) -> None:
    """A revision depending on the core's head takes its row in
    alembic_version: deleting that row alone would leave the core at base."""
    site.packages["audit"] = make_plugin(
        "audit", 'migrations = __name__ + ":migrations/versions"\n\n\n'
                 "def includeme(config):\n    pass\n",
        distribution="podium-audit", files={
            "migrations/__init__.py": "", "migrations/versions/__init__.py": "",
            "migrations/versions/audit_0001_start.py":
                AUDIT_0001.replace("HEADS", repr(["podium_0001", core_head()]))})
    site.ok("db", "upgrade", "INI", plugins="audit")
    assert site.versions() == {"audit_0001"}  # alembic keeps heads only
    (dist_info,) = site.root.glob("podium_audit-*.dist-info")
    shutil.rmtree(dist_info)
    shutil.rmtree(site.root / site.packages["audit"])
    importlib.invalidate_caches()

    checked = site.run("db", "check", "INI", plugins="")
    assert checked.exit_code == 1 and "podium db forget audit" in checked.output
    # The core is not called behind: what was recorded for it is applied.
    assert "pending revisions" not in checked.output, checked.output
    site.ok("db", "forget", "audit", "INI", plugins="")
    assert site.versions() == {core_head()}
    assert site.ok("db", "check", "INI", plugins="").exit_code == 0
    site.start("")
