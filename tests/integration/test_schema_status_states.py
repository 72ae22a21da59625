"""Every state of a database, through every entry point that says whether it is current.

Start-up with ``podium.db.require_current``, ``podium check``, ``podium db
check`` and ``podium db current`` must agree: they all ask
``podium.store.schema_status.schema_status``.  The plugins are real
distributions with migrations: ``notes`` (installed with the core) and the
test ``counter`` (``counter_plugin.py``, on ``sys.path`` for the test).  The
commands run in process through click's runner, on a real SQLite file, and on
PostgreSQL when PODIUM_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import BACKENDS
from core_schema import core_head, core_revisions, next_core_revision
from counter_plugin import counter_installed
from notes_schema import notes_revisions
from sqlalchemy import Engine, create_engine, inspect, text

from podium.cli import cli
from podium.store.require_current import SchemaNotCurrentError
from podium.testing import build_app, temporary_database
from podium.testing.apps import base_settings

ROOT = Path(__file__).resolve().parents[2]
BOTH = "notes counter"


@dataclass
class Database:
    ini: str
    url: str
    engine: Engine

    def run(self, *args: str, plugins: str = BOTH) -> Result:
        """``podium ARGS[0] INI ARGS[1:]`` with ``plugins`` enabled."""
        command = args[0].split()
        result = CliRunner().invoke(cli, [*command, self.ini, *args[1:]],
                                    env={"PODIUM_PLUGINS": plugins, "PODIUM_DATABASE_URL": None})
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    def upgrade(self, plugins: str = BOTH) -> None:
        result = self.run("db upgrade", plugins=plugins)
        assert result.exit_code == 0, result.output

    def record(self, revision: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:r)"),
                               {"r": revision})

    def start(self, plugins: str) -> None:
        """Build the app as pserve would, with the start-up check on."""
        settings = {**base_settings(self.url, plugins), "podium.db.require_current": "true"}
        app = build_app(settings)
        app.registry["podium.engine"].dispose()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with temporary_database(request.param, tmp_path) as url:
        ini = tmp_path / "app.ini"
        ini.write_text(
            f"[app:main]\nuse = egg:podium\nsqlalchemy.url = {url}\n"
            f"podium.secret = {'x' * 40}\n"
            f"[alembic]\nscript_location = {ROOT / 'alembic'}\n")
        engine = create_engine(url)
        try:
            with counter_installed(tmp_path / "site"):
                yield Database(str(ini), url, engine)
        finally:
            engine.dispose()


@dataclass
class State:
    #: Brings the empty database into the state.
    prepare: Callable[[Database], None]
    #: The plugins the configuration enables.
    plugins: str
    current: bool
    #: What the problem must name (start-up, podium check, podium db check).
    says: list[str] = field(default_factory=list)
    #: What it must not call pending.
    not_pending: list[str] = field(default_factory=list)
    #: The STATE column of ``podium db current``, per branch.
    branches: dict[str, str] = field(default_factory=dict)
    #: Lines ``podium db current`` prints below its table.
    notes: list[str] = field(default_factory=list)


def _nothing(db: Database) -> None:
    pass


def _notes_only(db: Database) -> None:
    db.upgrade(plugins="notes")


def _uninstalled(db: Database) -> None:
    db.upgrade()
    db.record("gone_0001")  # as a plugin since uninstalled left it


def _ahead(db: Database) -> None:
    db.upgrade()
    # As a newer core, building on this one's head, left it.
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :newer "
                                "WHERE version_num = :head"),
                           {"newer": next_core_revision(), "head": core_head()})


UP_TO_DATE = {"podium": "up to date", "notes": "up to date", "counter": "up to date"}

STATES = {
    "fresh": State(
        _nothing, BOTH, current=False,
        says=["pending revisions", f"podium: {', '.join(core_revisions())}",
              f"notes: {', '.join(notes_revisions())}", "counter: counter_0001",
              "podium db upgrade"],
        branches={"podium": f"behind: {', '.join(core_revisions())} pending",
                  "notes": f"behind: {', '.join(notes_revisions())} pending",
                  "counter": "behind: counter_0001 pending"}),
    "current": State(_notes_only, "notes", current=True,
                     branches={"podium": "up to date", "notes": "up to date"}),
    "current with every plugin": State(lambda db: db.upgrade(), BOTH, current=True,
                                       branches=UP_TO_DATE),
    "behind": State(
        _notes_only, BOTH, current=False,
        says=["pending revisions", "counter: counter_0001", "podium db upgrade"],
        not_pending=["podium_0001", "notes_0001"],
        branches={"podium": "up to date", "notes": "up to date",
                  "counter": "behind: counter_0001 pending"}),
    "a disabled plugin with migrations": State(
        _notes_only, "notes", current=True,
        branches={"podium": "up to date", "notes": "up to date",
                  "counter": "not created (1 revision(s) not applied)"}),
    "a disabled plugin's tables left alone": State(
        lambda db: db.upgrade(), "notes", current=True,
        branches={"podium": "up to date", "notes": "up to date",
                  "counter": "tables left alone"}),
    "revisions of an uninstalled plugin": State(
        _uninstalled, BOTH, current=False,
        says=["revisions (gone_0001) of plugin 'gone', which is not installed",
              "podium db forget gone"], not_pending=["gone_0001"],
        branches=UP_TO_DATE,
        notes=["orphaned branch gone: gone_0001, its plugin is not installed; run "
               "`podium db forget gone INI [--drop-tables]`"]),
    "a revision no branch is named for": State(
        lambda db: (db.upgrade(), db.record("3f2a9c")), BOTH, current=False,
        says=["no installed code knows", "3f2a9c"], not_pending=["3f2a9c"],
        branches=UP_TO_DATE,
        notes=["unknown revision 3f2a9c: no installed code provides it"]),
    "revisions ahead of the code": State(
        _ahead, BOTH, current=False,
        says=["ahead of the installed code", f"podium: {next_core_revision()}"],
        not_pending=[next_core_revision()],
        branches={**UP_TO_DATE, "podium": f"ahead: {next_core_revision()} unknown to this code"}),
}


def current_table(output: str) -> tuple[dict[str, str], list[str]]:
    """``podium db current``'s STATE per branch, and the lines below the table."""
    lines = output.splitlines()
    assert lines[0].split() == ["BRANCH", "STATUS", "DATABASE", "HEAD", "STATE"]
    states, rest = {}, []
    for line in lines[1:]:
        cells = line.split(None, 4)
        if len(cells) == 5 and cells[1] in ("core", "enabled", "disabled"):
            states[cells[0]] = cells[4]
        else:
            rest.append(line)
    return states, rest


def assert_says(text: str, state: State) -> None:
    for words in state.says:
        assert words in text, f"{words!r} not in {text!r}"
    pending = text.partition("pending revisions")[2]
    for revision in state.not_pending:
        assert revision not in pending, f"{revision} called pending in {text!r}"


@pytest.mark.parametrize("name", list(STATES))
def test_every_entry_point_agrees(database: Database, name: str) -> None:
    state = STATES[name]
    state.prepare(database)
    plugins = state.plugins

    # Start-up refuses exactly when the database is not current, naming why.
    if state.current:
        database.start(plugins)
    else:
        with pytest.raises(SchemaNotCurrentError) as refused:
            database.start(plugins)
        assert_says(str(refused.value), state)

    # podium check: the whole configuration, the schema included.
    checked = database.run("check", plugins=plugins)
    assert checked.exit_code == (0 if state.current else 1), checked.output
    if state.current:
        assert "no problem found" in checked.output
    else:
        assert_says(checked.output, state)

    # podium db check: the exit status deployment scripts read.
    db_checked = database.run("db check", plugins=plugins)
    assert db_checked.exit_code == (0 if state.current else 1), db_checked.output
    if state.current:
        assert "up to date" in db_checked.output
    else:
        assert_says(db_checked.output, state)

    # podium db current: where each branch stands.
    shown = database.run("db current", plugins=plugins)
    assert shown.exit_code == 0, shown.output
    states, rest = current_table(shown.output)
    assert {b: states.get(b) for b in state.branches} == state.branches
    assert rest == [note.replace("INI", database.ini) for note in state.notes]


@pytest.mark.parametrize("name", [n for n, s in STATES.items() if not s.current])
def test_the_command_named_fixes_what_it_can(database: Database, name: str) -> None:
    """Pending revisions are what ``podium db upgrade`` applies; revisions it
    cannot migrate from (ahead, unknown) make it refuse, naming them."""
    state = STATES[name]
    state.prepare(database)
    upgraded = database.run("db upgrade", plugins=state.plugins)
    if "podium db upgrade" in state.says:
        assert upgraded.exit_code == 0, upgraded.output
        assert database.run("db check", plugins=state.plugins).exit_code == 0
        assert database.run("check", plugins=state.plugins).exit_code == 0
        database.start(state.plugins)
    else:
        assert upgraded.exit_code == 1
        assert_says(upgraded.output, state)


def test_a_disabled_plugins_tables_are_not_created_by_the_upgrade(database: Database) -> None:
    """The state the original disagreement was about: a disabled plugin's
    revision is not pending, and the upgrade leaves it alone."""
    database.upgrade(plugins="notes")
    assert "counter_counter" not in inspect(database.engine).get_table_names()
    assert database.run("check", plugins="notes").exit_code == 0
    assert database.run("db check", plugins="notes").exit_code == 0
