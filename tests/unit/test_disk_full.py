"""A full disk is told apart from the other database errors.

SQLite's error is a real one: ``PRAGMA max_page_count`` makes the file full
at the size it has.  PostgreSQL's is psycopg's own ``DiskFull`` wrapped as
SQLAlchemy wraps it, since filling a server's disk is no test's business.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from podium.store.errors import is_conflict, is_disk_full, is_stale_connection, is_unavailable


def test_sqlite_full_is_disk_full(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (v TEXT)"))
        with pytest.raises(DBAPIError) as info, engine.begin() as conn:
            pages = conn.execute(text("PRAGMA page_count")).scalar()
            conn.execute(text(f"PRAGMA max_page_count={pages}"))
            conn.execute(text("INSERT INTO t VALUES (zeroblob(100000))"))
        error = info.value
        assert isinstance(error, OperationalError) and "full" in str(error)
        assert is_disk_full(error)
        assert not (is_conflict(error) or is_unavailable(error) or is_stale_connection(error))
    finally:
        engine.dispose()


def test_postgresql_disk_full_is_disk_full():
    errors = pytest.importorskip("psycopg.errors")
    error = OperationalError("INSERT INTO t VALUES (1)", {},
                             errors.DiskFull("could not extend file: No space left on device"))
    assert is_disk_full(error)
    assert not (is_conflict(error) or is_unavailable(error) or is_stale_connection(error))
    # The rest of class 53 (insufficient resources) is something else.
    assert not is_disk_full(OperationalError("SELECT 1", {}, errors.OutOfMemory("no memory")))
    assert not is_disk_full(OperationalError("SELECT 1", {}, errors.TooManyConnections("no")))


def test_other_errors_are_not_disk_full(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    with pytest.raises(DBAPIError) as info, engine.begin() as conn:
        conn.execute(text("SELECT * FROM no_such_table"))
    assert not is_disk_full(info.value)
    assert not is_disk_full(ValueError("database or disk is full"))
    engine.dispose()
