"""Which database errors are conflicts (retried) and which mean "unavailable" (503).

The errors are the drivers' own, raised by real connections.
"""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from podium.store.errors import is_conflict, is_stale_connection, is_unavailable
from podium.testing.database import postgresql_admin_url


def raised(engine, *statements: str) -> DBAPIError:
    with pytest.raises(DBAPIError) as info, engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    return info.value


def test_sqlite_locked_is_a_conflict(tmp_path):
    path = tmp_path / "locked.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    holder.execute("BEGIN IMMEDIATE")
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.01})
    try:
        error = raised(engine, "INSERT INTO t VALUES (1)")
        assert isinstance(error, OperationalError) and "locked" in str(error)
        assert is_conflict(error) and not is_unavailable(error)
    finally:
        holder.close()
        engine.dispose()


def test_sqlite_missing_directory_is_unavailable(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'missing' / 'x.sqlite'}")
    error = raised(engine, "SELECT 1")
    assert is_unavailable(error) and not is_conflict(error)
    engine.dispose()


def test_bugs_are_neither(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    error = raised(engine, "CREATE TABLE t (id INTEGER PRIMARY KEY)", "INSERT INTO t VALUES (1)",
                   "INSERT INTO t VALUES (1)")
    assert isinstance(error, IntegrityError)
    assert not is_conflict(error) and not is_unavailable(error)
    missing = raised(engine, "SELECT * FROM no_such_table")
    assert not is_conflict(missing) and not is_unavailable(missing)
    engine.dispose()


@pytest.mark.skipif(not postgresql_admin_url(), reason="PODIUM_TEST_DATABASE_URL is not set")
def test_postgresql_deadlock_is_a_conflict_and_a_closed_port_unavailable():
    import threading

    engine = create_engine(postgresql_admin_url())
    with engine.begin() as conn:
        conn.execute(text("CREATE TEMP TABLE IF NOT EXISTS podium_x (id int)"))  # warm-up
    name = "podium_deadlock_" + threading.get_ident().__str__()[-6:]
    with engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE {name} (id int primary key, n int)"))
        conn.execute(text(f"INSERT INTO {name} VALUES (1, 0), (2, 0)"))
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def worker(first: int, second: int) -> None:
        try:
            with engine.begin() as conn:
                conn.execute(text(f"UPDATE {name} SET n = n + 1 WHERE id = {first}"))
                barrier.wait(timeout=5)
                conn.execute(text(f"UPDATE {name} SET n = n + 1 WHERE id = {second}"))
        except DBAPIError as exc:
            errors.append(exc)

    try:
        threads = [threading.Thread(target=worker, args=a) for a in ((1, 2), (2, 1))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)
        assert len(errors) == 1 and "deadlock" in str(errors[0])
        assert is_conflict(errors[0]) and not is_unavailable(errors[0])
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP TABLE {name}"))
        engine.dispose()

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    closed = create_engine(f"postgresql+psycopg://nobody@127.0.0.1:{port}/none")
    error = raised(closed, "SELECT 1")
    assert is_unavailable(error) and not is_conflict(error)
    closed.dispose()


@pytest.mark.skipif(not postgresql_admin_url(), reason="PODIUM_TEST_DATABASE_URL is not set")
def test_a_connection_killed_in_the_pool_is_stale_and_one_killed_before_commit_is_not():
    engine = create_engine(postgresql_admin_url())  # no pre-ping, as Podium's
    admin = create_engine(postgresql_admin_url(), isolation_level="AUTOCOMMIT")

    def kill(pid: int) -> None:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    try:
        with engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
            conn.commit()
        kill(pid)  # idle in the pool, as between two requests
        with pytest.raises(DBAPIError) as info, engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        assert is_stale_connection(info.value) and is_unavailable(info.value)

        with pytest.raises(DBAPIError) as info, engine.connect() as conn:
            conn.execute(text("SELECT 1"))  # a new connection: the pool was dropped
            kill(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
            conn.commit()  # dies in COMMIT: whether it committed is unknown
        assert info.value.connection_invalidated and info.value.statement is None
        assert not is_stale_connection(info.value)
    finally:
        engine.dispose()
        admin.dispose()


def test_errors_without_a_dead_connection_are_not_stale(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert not is_stale_connection(raised(engine, "SELECT * FROM no_such_table"))
    engine.dispose()
