"""What a database error means for the request that met it.

Two kinds of failure are not the request's fault and say nothing about the
code: a *conflict* with a concurrent transaction (PostgreSQL's serialization
failures and deadlocks, SQLite's "database is locked"), which running the
request again from the start usually resolves, and an *unavailable*
database (server down or restarting, wrong credentials, too many
connections, a SQLite file that cannot be opened), which only waiting
resolves.  A *full disk* is a third: only freeing space resolves it, and
the database works again by itself once that is done.  Everything else
(an integrity error, a missing table) is a bug or a bad request and stays a
500.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# SQLite primary result codes (the extended ones carry them in the low byte).
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN = 5, 6, 10, 13, 14

#: PostgreSQL SQLSTATEs of a server that is not there for us (classes 08 and
#: 28, and a few others): https://www.postgresql.org/docs/current/errcodes-appendix.html
PG_UNAVAILABLE_CLASSES = ("08", "28")
PG_UNAVAILABLE = {"57P01", "57P02", "57P03", "53300", "3D000"}
#: PostgreSQL's disk_full.
PG_DISK_FULL = "53100"


def _sqlite_code(orig: Any) -> int | None:
    code = getattr(orig, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_conflict(exc: BaseException) -> bool:
    """A failure that running the whole request again may not meet."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if isinstance(sqlstate, str):
        # Class 40, transaction rollback: serialization_failure, deadlock_detected...
        return sqlstate.startswith("40")
    code = _sqlite_code(orig)
    if code is not None:
        return code in (SQLITE_BUSY, SQLITE_LOCKED)
    message = str(orig).lower()
    return "database is locked" in message or "database table is locked" in message


def is_stale_connection(exc: BaseException) -> bool:
    """A statement met a connection that had died in the pool (the server
    restarted or cut it): nothing of this transaction was committed (the
    server drops an open transaction with its connection), SQLAlchemy has
    invalidated the pool, and the request can run again on a new connection.

    Not when the connection died while committing (no statement: COMMIT
    itself, or connecting): whether the commit happened is unknown, so the
    request must not run again."""
    return (isinstance(exc, DBAPIError) and exc.connection_invalidated
            and exc.statement is not None)


def is_unavailable(exc: BaseException) -> bool:
    """The database cannot be reached or refuses us: wait, then try again."""
    if isinstance(exc, PoolTimeout):
        return True  # every pooled connection is busy, or connecting hangs
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if isinstance(sqlstate, str):
        return sqlstate.startswith(PG_UNAVAILABLE_CLASSES) or sqlstate in PG_UNAVAILABLE
    module = type(orig).__module__ or ""
    if module.startswith("psycopg") and type(orig).__name__ == "OperationalError":
        return True  # no SQLSTATE at all: the server never answered
    code = _sqlite_code(orig)
    return code in (SQLITE_CANTOPEN, SQLITE_IOERR)


def is_disk_full(exc: BaseException) -> bool:
    """The database has no room left to write: SQLite's SQLITE_FULL ("database
    or disk is full"), PostgreSQL's disk_full."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if isinstance(sqlstate, str):
        return sqlstate == PG_DISK_FULL
    code = _sqlite_code(orig)
    if code is not None:
        return code == SQLITE_FULL
    return "database or disk is full" in str(orig).lower()
