"""The start-up check's alembic-free reading (podium.store.schema) says what
alembic says, or declines to answer; and a current database starts the app
without importing alembic."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from podium.settings.core import apply_environment, normalize
from podium.store.migrations import alembic_config_for, revisions_for, schema_status
from podium.store.revision_files import quick_status, read_revision_file, read_revision_files
from podium.store.schema import Branch, SchemaStatus
from podium.testing.apps import base_settings


def _summary(status: SchemaStatus) -> tuple[bool, dict[str, list[str]], set[str]]:
    return (status.is_current, {s.branch.name: list(s.pending) for s in status.branches},
            set(status.unknown))


def _both(cfg: Any, engine: Any) -> tuple[SchemaStatus | None, SchemaStatus]:
    with engine.connect() as connection:
        quick = quick_status(connection, cfg.attributes["podium.branches"])
    with engine.connect() as connection:
        full = schema_status(cfg, connection)
    return quick, full


def test_it_agrees_with_alembic_at_every_revision(empty_database):
    cfg, engine = empty_database
    quick, full = _both(cfg, engine)
    assert quick is None and not full.is_current  # no version table: alembic explains
    for sc in revisions_for(cfg).ordered:
        command.upgrade(cfg, sc.revision)
        quick, full = _both(cfg, engine)
        assert quick is not None and _summary(quick) == _summary(full), sc.revision
    assert quick.is_current


def test_it_sees_revisions_no_installed_code_knows(empty_database):
    cfg, engine = empty_database
    command.upgrade(cfg, "heads")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO alembic_version (version_num) VALUES ('f00d')"))
    quick, full = _both(cfg, engine)
    assert quick is not None and quick.unknown == ("f00d",) and not quick.is_current
    assert _summary(quick) == _summary(full)


def _branch(directory: Path) -> Branch:
    return Branch("x", str(directory), True, "x")


def _write(directory: Path, name: str, body: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(body))
    return path


def test_plain_declarations_are_read_as_text(tmp_path):
    path = _write(tmp_path, "x_0002_more.py", '''
        """A revision."""
        from alembic import op

        revision: str = "x_0002"
        down_revision = "x_0001"
        depends_on = ["podium_0001"]
        branch_labels = None

        def upgrade():
            raise RuntimeError("never run by the quick check")
        ''')
    found = read_revision_file(path)
    assert found is not None
    assert (found.revision, found.down_revision, found.dependencies) == (
        "x_0002", "x_0001", ("podium_0001",))


@pytest.mark.parametrize("body", [
    'import uuid\nrevision = str(uuid.uuid4())\ndown_revision = None\n',
    'revision = "a"\nrevision = "b"\ndown_revision = None\n',
    'down_revision = None\n',
    'revision = "a"\ndown_revision = ("b", 3)\n',
    'revision = "a" +\n',
])
def test_anything_else_is_left_to_alembic(tmp_path, body):
    assert read_revision_file(_write(tmp_path, "r.py", body)) is None
    assert read_revision_files([_branch(tmp_path)]) is None


@pytest.mark.parametrize("parent", ["'podium_00'", "'nosuch'"])
def test_a_parent_it_cannot_name_exactly_is_left_to_alembic(tmp_path, parent):
    """Partial ids and branch labels are alembic's to resolve."""
    _write(tmp_path, "a.py", f"revision = 'a'\ndown_revision = None\ndepends_on = {parent}\n")
    assert read_revision_files([_branch(tmp_path)]) is None


def test_files_alembic_skips_are_skipped(tmp_path):
    _write(tmp_path, "__init__.py", "x = 1\n")
    _write(tmp_path, "notes.txt", "revision = 'no'\n")
    _write(tmp_path, "b.py", "revision = 'b'\ndown_revision = 'a'\n")
    _write(tmp_path, "a.py", "revision = 'a'\ndown_revision = None\n")
    found = read_revision_files([_branch(tmp_path)])
    assert found is not None and [r.revision for r in found] == ["a", "b"]


STARTS = '''
import sys
import podium
app = podium.main({}, **{
    "sqlalchemy.url": sys.argv[1], "podium.plugins": "notes", "podium.secret": "s" * 40,
    "podium.read_environment": "false", "podium.db.require_current": "true"})
print("alembic" in sys.modules)
'''


def test_a_current_database_starts_the_app_without_alembic(tmp_path):
    url = f"sqlite:///{tmp_path / 'current.sqlite'}"
    settings = base_settings(url, "notes")
    apply_environment(settings, {})
    normalize(settings)
    command.upgrade(alembic_config_for(settings), "heads")

    def starts() -> str:
        done = subprocess.run([sys.executable, "-c", STARTS, url], capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert starts() == "False"
    with create_engine(url).begin() as connection:  # now behind: alembic explains
        connection.execute(text("DELETE FROM alembic_version WHERE version_num LIKE 'notes%'"))
    done = subprocess.run([sys.executable, "-c", STARTS, url], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode != 0 and "notes: notes_0001" in done.stderr
