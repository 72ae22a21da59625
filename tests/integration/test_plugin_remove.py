"""A plugin's end while its code is installed: ``podium plugins remove``, then
``pip uninstall``, then the site starts again.

The plugins are real distributions (``uninstall_kit.py``): ``todo`` and
``todo_tags``, which requires it and refers to its table.  On SQLite, and on
PostgreSQL when PODIUM_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import BACKENDS
from core_schema import core_head
from uninstall_kit import Site, open_site

from podium.cli import cli


@pytest.fixture(params=BACKENDS)
def site(request: pytest.FixtureRequest, tmp_path: Path, make_plugin) -> Iterator[Site]:
    with open_site(request.param, tmp_path, make_plugin) as opened:
        yield opened


def errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("Error:")]


def test_install_migrate_use_remove_uninstall_start_again(site: Site, tmp_path: Path) -> None:
    site.ok("db", "upgrade", "INI")
    site.execute("INSERT INTO todo_item (id, title) VALUES (1, 'milk'), (2, 'eggs')")
    site.execute("INSERT INTO todo_tags_tag (id, item_id, label) VALUES (7, 2, 'shop')")
    site.start("todo todo_tags")

    # todo is required by todo_tags, which is enabled: refused, one line, nothing changed.
    refused = site.run("plugins", "remove", "todo", "INI")
    assert refused.exit_code == 1
    assert errors(refused.output) == [
        f"Error: plugin 'todo_tags', enabled by {site.ini}, requires todo: remove it first "
        f"(`podium plugins remove todo_tags {site.ini}`)",
        "Error: plugin 'todo_tags' (enabled) has revisions applied that depend on todo's "
        "(todo_tags_0001): its tables would go too; remove todo_tags first"]
    assert "Required by: todo_tags (enabled)" in refused.output
    assert "todo_item  2 rows" in refused.output

    # A dry run says everything and changes nothing.
    dry = site.ok("plugins", "remove", "todo_tags", "INI", "--dry-run", "--export",
                  str(tmp_path / "export"))
    assert "Plugin todo_tags: distribution podium-todo-tags 1.0" in dry.output
    assert "Tables (branch todo_tags at todo_tags_0001):\n  todo_tags_tag  1 rows" in dry.output
    assert "podium.plugins: the name todo_tags" in dry.output
    assert "Dry run, nothing changed" in dry.output
    assert "todo_tags_tag" in site.tables() and not (tmp_path / "export").exists()

    removed = site.ok("plugins", "remove", "todo_tags", "INI", "--export",
                      str(tmp_path / "export"))
    rows = [json.loads(line) for line in
            (tmp_path / "export" / "todo_tags_tag.jsonl").read_text().splitlines()]
    assert rows == [{"id": 7, "item_id": 2, "label": "shop"}]
    assert "Downgraded branch todo_tags to base: dropped todo_tags_tag." in removed.output
    assert "pip uninstall podium-todo-tags" in removed.output
    assert "todo_tags_tag" not in site.tables() and "todo_item" in site.tables()
    assert site.versions() == {core_head(), "todo_0001"}
    assert not {b for b, _ in site.records()[0] | site.records()[1]} & {"todo_tags"}

    site.uninstall("todo_tags")
    site.plugins = "todo"
    site.start("todo")
    assert "no problem found" in site.ok("check", "INI").output

    # Now todo: its settings are listed, to delete from the ini.
    dry = site.ok("plugins", "remove", "todo", "INI", "--dry-run")
    assert "Required by: no installed plugin" in dry.output
    assert "  todo.page_size = 5" in dry.output
    assert "  podium.plugin.todo.route_prefix = /tasks" in dry.output
    removed = site.ok("plugins", "remove", "todo", "INI")
    assert "dropped todo_item" in removed.output and "pip uninstall podium-todo" in removed.output
    after = removed.output.partition(f"and delete from {site.ini}:\n")[2].splitlines()
    assert after == ["  podium.plugins: the name todo (podium.plugins = todo todo_tags)",
                     "  podium.plugin.todo.route_prefix = /tasks", "  todo.page_size = 5"]
    assert site.versions() == {core_head()}
    site.uninstall("todo")
    site.plugins = ""
    site.start("")
    assert "no problem found" in site.ok("check", "INI").output
    assert site.ok("db", "check", "INI").exit_code == 0
    assert not {"todo_item", "todo_tags_tag"} & site.tables()


def test_refusals_are_one_error_line_each(site: Site, tmp_path: Path) -> None:
    site.ok("db", "upgrade", "INI")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "todo_tags_tag.jsonl").write_text("")
    taken = site.run("plugins", "remove", "todo_tags", "INI", "--export", str(tmp_path / "out"))
    assert taken.exit_code == 1
    assert errors(taken.output) == [
        f"Error: {tmp_path / 'out' / 'todo_tags_tag.jsonl'} exists: export to another directory"]
    assert "todo_tags_tag" in site.tables()
    unknown = site.run("plugins", "remove", "nothing", "INI")
    assert unknown.exit_code == 1 and len(errors(unknown.output)) == 1
    assert "podium db forget nothing" in unknown.output


def test_an_enabled_plugin_skipped_for_failing_is_not_called_disabled(
        site: Site, make_plugin, caplog: pytest.LogCaptureFixture) -> None:
    """Under podium.on_plugin_error = skip, the plugin the ini enables but
    that cannot be imported is said to be enabled and skipped."""
    make_plugin("broken", "import no_such_module_anywhere\n")
    with caplog.at_level("WARNING", logger="podium.store.migrations"):
        result = CliRunner().invoke(cli, ["db", "upgrade", site.ini], env={
            "PODIUM_PLUGINS": "todo broken", "PODIUM_ON_PLUGIN_ERROR": "skip",
            "PODIUM_DATABASE_URL": None})
    assert result.exit_code == 0, result.output
    said = [r.getMessage() for r in caplog.records if "broken" in r.getMessage()]
    assert said and all(m.startswith("enabled plugin broken is skipped "
                                     "(podium.on_plugin_error = skip)") for m in said), said
    assert not any("disabled plugin broken" in m for m in said)
