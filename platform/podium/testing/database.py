"""Databases for tests: a SQLite file, or a PostgreSQL database of their own.

PostgreSQL tests never assume the server's database is empty or theirs: each
session creates a uniquely named database and drops it at the end.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ENVIRON_KEY = "PODIUM_TEST_DATABASE_URL"


def postgresql_admin_url() -> str | None:
    return os.environ.get(ENVIRON_KEY) or None


@contextlib.contextmanager
def temporary_database(backend: str, directory: Path) -> Iterator[str]:
    """Yield the URL of an empty database that is removed afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / f'podium-{uuid.uuid4().hex[:8]}.sqlite'}"
        return
    admin_url = postgresql_admin_url()
    if not admin_url:
        raise RuntimeError(f"{ENVIRON_KEY} is not set")
    name = "podium_test_" + uuid.uuid4().hex[:12]
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
