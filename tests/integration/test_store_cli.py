"""``podium db`` across the core's and the plugins' branches, on real databases.

The plugins are real distributions on ``sys.path`` (the counter of
``counter_plugin.py``, and small ones written here with ``make_plugin``),
each with its own migrations directory.  Commands run in process through
click's runner (plain ``alembic`` is test_alembic_late_version_locations.py's).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from core_schema import core_tables
from counter_plugin import counter_installed
from notes_schema import notes_head
from sqlalchemy import create_engine, inspect, text

from podium.cli import cli
from podium.store.require_current import SchemaNotCurrentError
from podium.testing import build_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path: Path, make_plugin):
    """An ini file, its SQLite database, and the counter plugin installed."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    ini = tmp_path / "app.ini"
    ini.write_text(
        f"[app:main]\nuse = egg:podium\nsqlalchemy.url = {url}\n"
        f"podium.secret = {'x' * 40}\n"
        f"[alembic]\nscript_location = {ROOT / 'alembic'}\n")
    engine = create_engine(url)
    with counter_installed(tmp_path / "site"):
        yield str(ini), engine
    engine.dispose()


def podium(ini: str, *args: str, plugins: str = "notes counter") -> Result:
    result = CliRunner().invoke(cli, ["db", args[0], ini, *args[1:]],
                                env={"PODIUM_PLUGINS": plugins, "PODIUM_DATABASE_URL": None})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


#: The core's own tables (those its models declare), there whatever plugins are enabled.
CORE_TABLES = core_tables()


def tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def branch_line(output: str, name: str) -> list[str]:
    return next(line.split() for line in output.splitlines() if line.startswith(name + " "))


def test_upgrade_migrates_the_core_and_the_enabled_plugins_only(env):
    ini, engine = env
    result = podium(ini, "upgrade", plugins="notes")
    assert result.exit_code == 0, result.output
    assert tables(engine) == {"notes_note", *CORE_TABLES}
    current = podium(ini, "current", plugins="notes").output
    assert branch_line(current, "notes")[:4] == ["notes", "enabled", notes_head(), notes_head()]
    assert branch_line(current, "counter")[:3] == ["counter", "disabled", "-"]
    assert podium(ini, "check", plugins="notes").exit_code == 0

    # Enabled later: the database is behind until the same command runs.
    check = podium(ini, "check")
    assert check.exit_code == 1
    assert "counter: counter_0001" in check.output and "podium db upgrade" in check.output
    assert podium(ini, "upgrade").exit_code == 0
    assert tables(engine) == {"notes_note", "counter_counter", "counter_entry", *CORE_TABLES}
    assert podium(ini, "check").exit_code == 0


def test_a_disabled_plugin_keeps_its_tables_and_is_shown(env):
    ini, engine = env
    podium(ini, "upgrade")
    with engine.begin() as conn:
        conn.execute(text("UPDATE counter_counter SET n = 41"))
    assert podium(ini, "upgrade", plugins="notes").exit_code == 0
    assert "counter_counter" in tables(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM counter_counter")).scalar() == 41
    line = branch_line(podium(ini, "current", plugins="notes").output, "counter")
    assert line[:3] == ["counter", "disabled", "counter_0001"] and "left alone" in " ".join(line)
    refused = podium(ini, "upgrade", "--plugin", "counter", plugins="notes")
    assert refused.exit_code == 1 and "not enabled" in refused.output


def test_downgrading_one_plugin_leaves_the_others(env):
    ini, engine = env
    podium(ini, "upgrade")
    result = podium(ini, "downgrade", "-1", "--plugin", "counter")  # its only revision
    assert result.exit_code == 0, result.output
    assert tables(engine) == {"notes_note", *CORE_TABLES}
    assert branch_line(podium(ini, "current").output, "notes")[2] == notes_head()


def test_heads_and_history_show_every_branch(env):
    ini, _ = env
    heads = podium(ini, "heads", plugins="notes").output
    assert branch_line(heads, "counter") == ["counter", "disabled", "counter_0001"]
    history = podium(ini, "history", "--plugin", "counter").output.splitlines()
    assert len(history) == 1 and history[0].startswith("[counter]") and "counter_0001" in history[0]


def test_a_revision_no_code_knows_is_refused(env):
    ini, engine = env
    podium(ini, "upgrade")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO alembic_version VALUES ('3f2a9c')"))
    check = podium(ini, "check")
    assert check.exit_code == 1 and "3f2a9c" in check.output
    upgrade = podium(ini, "upgrade")
    assert upgrade.exit_code == 1 and "no installed code knows" in upgrade.output
    assert "unknown revision 3f2a9c" in podium(ini, "current").output


def test_revisions_of_an_uninstalled_plugin_name_it_and_the_command(env):
    ini, engine = env
    podium(ini, "upgrade")
    with engine.begin() as conn:  # a plugin, since uninstalled, left it
        conn.execute(text("INSERT INTO alembic_version VALUES ('gone_0001')"))
    check = podium(ini, "check")
    assert check.exit_code == 1 and "plugin 'gone', which is not installed" in check.output
    assert f"podium db forget gone {ini}" in check.output
    assert "orphaned branch gone: gone_0001" in podium(ini, "current").output
    assert podium(ini, "upgrade").exit_code == 1


def test_revision_writes_into_the_plugins_own_directory(env, tmp_path):
    ini, _ = env
    podium(ini, "upgrade")
    result = podium(ini, "revision", "--plugin", "counter", "-m", "add a label")
    assert result.exit_code == 0, result.output
    created = next((tmp_path / "site").glob("counter_*/migrations/versions/counter_0002_*.py"))
    source = created.read_text()
    assert 'down_revision = "counter_0001"' in source or "down_revision = 'counter_0001'" in source
    check = podium(ini, "check")
    assert check.exit_code == 1 and "counter_0002" in check.output
    assert podium(ini, "upgrade").exit_code == 0 and podium(ini, "check").exit_code == 0


GADGET = """
migrations = __name__ + ":migrations/versions"


def includeme(config):
    pass
"""

GADGET_MODELS = """
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from podium.api import Base


class Gadget(Base):
    __tablename__ = "gadget_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer, default=0)
"""


def test_autogenerate_compares_only_the_plugins_own_tables(env, make_plugin, tmp_path):
    ini, engine = env
    package = make_plugin("gadget", GADGET, files={
        "models.py": GADGET_MODELS,
        "migrations/__init__.py": "",
        "migrations/versions/__init__.py": "",
    })
    plugins = "notes counter gadget"
    first = podium(ini, "revision", "--plugin", "gadget", "-m", "empty start", plugins=plugins)
    assert first.exit_code == 0, first.output
    versions = tmp_path / "site" / package / "migrations" / "versions"
    start = next(versions.glob("gadget_0001_*.py")).read_text()
    assert "branch_labels = ('gadget',)" in start and "depends_on = 'podium_0001'" in start
    assert podium(ini, "upgrade", plugins=plugins).exit_code == 0
    with engine.begin() as conn:  # not gadget's: autogenerate must not drop them
        conn.execute(text("CREATE TABLE stray (id INTEGER PRIMARY KEY)"))
        conn.execute(text("DROP INDEX ix_notes_note_created_at"))

    result = podium(ini, "revision", "--plugin", "gadget", "-m", "items",
                    "--autogenerate", plugins=plugins)
    assert result.exit_code == 0, result.output
    source = next(versions.glob("gadget_0002_items.py")).read_text()
    assert "op.create_table('gadget_item'" in source
    assert "stray" not in source and "notes" not in source and "counter" not in source
    assert podium(ini, "upgrade", plugins=plugins).exit_code == 0
    assert {c["name"] for c in inspect(engine).get_columns("gadget_item")} == {
        "id", "name", "size"}


EXTRA = """
migrations = __name__ + ":migrations/versions"


def includeme(config):
    pass
"""

EXTRA_0001 = '''
import sqlalchemy as sa
from alembic import op

revision = "extra_0001"
down_revision = None
branch_labels = ("extra",)
depends_on = "counter_0001"  # another plugin's revision


def upgrade():
    op.create_table(
        "extra_note",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("counter_id", sa.Integer(), sa.ForeignKey("counter_counter.id")),
    )


def downgrade():
    op.drop_table("extra_note")
'''


def test_a_plugin_revision_can_depend_on_another_plugins(env, make_plugin):
    ini, engine = env
    make_plugin("extra", EXTRA, files={"migrations/versions/extra_0001_x.py": EXTRA_0001})
    result = podium(ini, "upgrade", "--plugin", "extra", plugins="counter extra")
    assert result.exit_code == 0, result.output
    assert tables(engine) == {"counter_counter", "counter_entry", "extra_note"}
    # Taking the counter away takes what depends on it first.
    assert podium(ini, "downgrade", "base", "--plugin", "counter",
                  plugins="counter extra").exit_code == 0
    assert tables(engine) == set()


def test_require_current_refuses_to_start_behind_and_starts_when_current(env):
    ini, engine = env
    settings = {"sqlalchemy.url": str(engine.url), "podium.plugins": "notes counter",
                "podium.secret": "x" * 40, "podium.db.require_current": "true"}
    podium(ini, "upgrade", plugins="notes")
    with pytest.raises(SchemaNotCurrentError) as info:
        build_app(settings)
    assert "counter: counter_0001" in str(info.value)
    assert "podium db upgrade" in str(info.value)
    podium(ini, "upgrade")
    app = build_app(settings)
    app.registry["podium.engine"].dispose()
    # A plugin's pending revisions do not count while it is disabled.
    podium(ini, "downgrade", "base", "--plugin", "counter")
    build_app({**settings, "podium.plugins": "notes"}).registry["podium.engine"].dispose()

