"""Plain ``alembic -c development.ini upgrade heads`` on a fresh checkout: the
SQLite file's directory (``var/``) does not exist yet, and alembic's env.py
makes it as ``podium db`` does, instead of failing with "unable to open
database file"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from core_schema import core_head
from notes_schema import installed_revisions, reached
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]


def test_plain_alembic_makes_the_sqlite_directory(tmp_path: Path) -> None:
    database = tmp_path / "fresh" / "var" / "podium.sqlite"
    assert not database.parent.exists()
    environ = {**os.environ, "PODIUM_DATABASE_URL": f"sqlite:///{database}",
               "PODIUM_PLUGINS": "notes"}
    alembic = str(Path(sys.executable).with_name("alembic"))
    done = subprocess.run([alembic, "-c", "development.ini", "upgrade", "heads"], cwd=ROOT,
                          env=environ, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            rows = set(connection.execute(text("SELECT version_num FROM alembic_version"))
                       .scalars())
    finally:
        engine.dispose()
    # Plain alembic migrates every installed plugin (tags too, whose head implies notes').
    assert core_head() in rows
    assert reached(rows) == installed_revisions()
