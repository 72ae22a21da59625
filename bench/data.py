"""The benchmark data: a fresh SQLite file or PostgreSQL database per run.

The tables are created here with SQLAlchemy Core rather than by any
contender's models, so that every contender reads exactly the same schema
and rows; each contender maps them with its own ORM or Core code.
"""

from __future__ import annotations

import os
import random
import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, text
from sqlalchemy.engine import Engine

WORLD_ROWS = 10_000

#: TechEmpower's twelve fortunes (the escaping test and the Japanese one included).
FORTUNES: tuple[tuple[int, str], ...] = (
    (1, "fortune: No such file or directory"),
    (2, "A computer scientist is someone who fixes things that aren't broken."),
    (3, "After enough decimal places, nobody gives a damn."),
    (4, "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1"),
    (5, "A computer program does what you tell it to do, not what you want it to do."),
    (6, "Emacs is a nice operating system, but I prefer UNIX. \u2014 Tom Christaensen"),
    (7, "Any program that runs right is obsolete."),
    (8, "A list is only as strong as its weakest link. \u2014 Donald Knuth"),
    (9, "Feature: A bug with seniority."),
    (10, "Computers make very fast, very accurate mistakes."),
    (11, '<script>alert("This should not be displayed in a browser alert box.");</script>'),
    (12, "\u30d5\u30ec\u30fc\u30e0\u30ef\u30fc\u30af\u306e\u30d9\u30f3\u30c1\u30de\u30fc\u30af"),
)
EXTRA_FORTUNE = (0, "Additional fortune added at request time.")

metadata = MetaData()
world = Table(
    "world", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("randomnumber", Integer, nullable=False),
)
fortune = Table(
    "fortune", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("message", String(2048), nullable=False),
)

PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_DATABASES = ("postgres", "test")


def seed(url: str, seed_value: int = 2013) -> None:
    """Create both tables and fill them: 10000 worlds, 12 fortunes.

    The random numbers come from a seeded generator so that every run starts
    from the same rows.  SQLite is switched to WAL here once (the mode is
    stored in the file), as Podium does for its own databases.
    """
    engine = create_engine(url)
    try:
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        rng = random.Random(seed_value)
        with engine.begin() as conn:
            metadata.drop_all(conn)
            metadata.create_all(conn)
            conn.execute(world.insert(), [
                {"id": i, "randomnumber": rng.randint(1, WORLD_ROWS)}
                for i in range(1, WORLD_ROWS + 1)
            ])
            conn.execute(fortune.insert(), [{"id": i, "message": m} for i, m in FORTUNES])
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE world"))
                conn.execute(text("VACUUM ANALYZE fortune"))
    finally:
        engine.dispose()


def postgres_reachable(timeout: float = 1.0) -> bool:
    """Whether something listens on PostgreSQL's port on the loopback."""
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=timeout):
            return True
    except OSError:
        return False


def _admin_engine() -> Engine:
    last_error: Exception | None = None
    for name in PG_ADMIN_DATABASES:
        engine = create_engine(
            f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{name}",
            isolation_level="AUTOCOMMIT",
        )
        try:
            with engine.connect():
                return engine
        except Exception as exc:  # try the next maintenance database
            last_error = exc
            engine.dispose()
    raise RuntimeError(f"cannot connect to PostgreSQL at {PG_HOST}:{PG_PORT}: {last_error}")


@contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    """A seeded database for one run; yields its URL and removes it afterwards.

    SQLite: a new file in ``workdir``.  PostgreSQL: a new database with a
    unique name, dropped (with its connections) at the end even on failure.
    """
    if kind == "sqlite":
        path = workdir / "bench.sqlite"
        url = f"sqlite:///{path}"
        seed(url)
        try:
            yield url
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    if kind != "postgres":
        raise ValueError(f"unknown database kind {kind!r}: expected sqlite or postgres")
    name = f"podium_bench_{os.getpid()}_{secrets.token_hex(4)}"
    admin = _admin_engine()
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{name}"
            seed(url)
            yield url
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
