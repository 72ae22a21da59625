"""One engine per application, built from the ``sqlalchemy.*`` settings."""

from __future__ import annotations

import logging
import os
from typing import Any

from pyramid.config import Configurator
from sqlalchemy import Engine, engine_from_config, event
from sqlalchemy.engine import URL, make_url

from ..settings.types import SettingsError, as_bool, as_int

log = logging.getLogger(__name__)


def make_engine(settings: dict[str, Any]) -> Engine:
    """Build the engine, refusing URLs that would misbehave under waitress, and
    making the directory a SQLite file goes in."""
    url = make_url(settings["sqlalchemy.url"])
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:") or "mode=memory" in str(url):
            raise SettingsError(
                "sqlalchemy.url",
                str(url),
                "an in-memory SQLite database is private to one connection, so each of "
                "the server's threads would see its own empty database; use a file, "
                "e.g. sqlite:///%(here)s/var/podium.sqlite",
            )
        ensure_sqlite_directory(url)
    options = {k: v for k, v in settings.items() if k.startswith("sqlalchemy.")}
    # No pool pre-ping by default: it costs every request a round trip to
    # the server.  A pooled connection that died (server restart, failover,
    # idle timeout) is found by the request's first statement instead;
    # SQLAlchemy then throws away the whole pool, and Podium runs the request
    # again on a new connection (podium.store.errors.is_stale_connection),
    # which is safe because nothing was committed on the dead one.
    # ``sqlalchemy.pool_pre_ping = true`` brings the ping back.
    engine = engine_from_config(pool_options(options), prefix="sqlalchemy.", future=True,
                                **connect_arguments(url))
    if engine.dialect.name == "sqlite":
        _tune_sqlite(engine, int(settings.get("podium.sqlite_busy_timeout", 5000)),
                     sqlite_synchronous(settings))
    return engine


#: Seconds a PostgreSQL connection attempt may take; libpq's own default is to wait
#: for ever, which holds a request and a pool slot while a server is unreachable.
POSTGRESQL_CONNECT_TIMEOUT = 10


def connect_arguments(url: URL) -> dict[str, Any]:
    """Extra ``create_engine`` arguments: a connect timeout for PostgreSQL unless the
    URL sets one (``?connect_timeout=N``, which libpq reads, wins)."""
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        return {"connect_args": {"connect_timeout": POSTGRESQL_CONNECT_TIMEOUT}}
    return {}


def sqlite_path(url: URL) -> str | None:
    """The file a SQLite URL names, or None when it names no plain file
    (in memory, or a ``file:`` URI whose form SQLite alone interprets)."""
    database = url.database
    if not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        if str(url.query.get("uri", "")).lower() not in ("true", "1"):
            return database
        path = database[len("file:"):].split("?", 1)[0]
        # file:relative, file:/absolute or file:///absolute; file://host/... is not a path.
        if path.startswith("//"):
            path = path[2:]
            if not path.startswith("/"):
                return None
        return path or None
    return database


def ensure_sqlite_directory(url: URL | str) -> None:
    """Create the directory of a SQLite file, so that the first command run
    on a fresh checkout (``podium db upgrade``, ``podium check``, ``pserve``)
    works whatever the order: SQLite creates a missing file, never a missing
    directory, and says only "unable to open database file".  A directory
    that cannot be made or written is a :class:`SettingsError` naming it."""
    url = make_url(url)
    path = sqlite_path(url)
    if path is None:
        return
    directory = os.path.dirname(os.path.abspath(path))
    shown = url.render_as_string(hide_password=True)
    if not os.path.isdir(directory):
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError as exc:
            raise SettingsError("sqlalchemy.url", shown,
                                f"the directory of the SQLite file, {directory}, does not "
                                f"exist and cannot be created: {exc.strerror or exc}") from None
        log.info("created %s, the directory of the SQLite database", directory)
    if not os.path.exists(path) and not os.access(directory, os.W_OK | os.X_OK):
        raise SettingsError("sqlalchemy.url", shown,
                            f"the SQLite file {os.path.abspath(path)} does not exist and "
                            f"cannot be created: {directory} is not writable")


#: ``PRAGMA synchronous`` values Podium allows (``podium.sqlite_synchronous``).
SQLITE_SYNCHRONOUS = ("FULL", "NORMAL")

#: Bytes of write-ahead log SQLite keeps after a checkpoint: without a bound the
#: WAL keeps the size of its largest burst, and freeing a little disk space would
#: not be enough to write again.
SQLITE_JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024


def sqlite_synchronous(settings: dict[str, Any]) -> str:
    """The synchronous mode, checked here too because it is put into a PRAGMA
    and ``make_engine`` may be given settings that were never normalized."""
    value = str(settings.get("podium.sqlite_synchronous", "FULL"))
    if value not in SQLITE_SYNCHRONOUS:
        raise SettingsError("podium.sqlite_synchronous", value,
                            "expected one of " + ", ".join(SQLITE_SYNCHRONOUS))
    return value


#: Engine options read from ``sqlalchemy.*`` with the type they need.  SQLAlchemy
#: coerces some strings from an ini file itself, but not ``pool_pre_ping``:
#: "false" would be a true string, and a typo like "lots" would fail with a
#: bare ``ValueError`` naming no setting.
POOL_OPTIONS: dict[str, Any] = {
    "pool_size": lambda key, value: as_int(key, value, minimum=0),
    "max_overflow": lambda key, value: as_int(key, value, minimum=-1),
    "pool_recycle": lambda key, value: as_int(key, value, minimum=-1),
    # SQLAlchemy truncates it to whole seconds anyway.
    "pool_timeout": lambda key, value: as_int(key, value, minimum=0),
    "pool_pre_ping": as_bool,
    "pool_use_lifo": as_bool,
}


def pool_options(options: dict[str, Any]) -> dict[str, Any]:
    """``sqlalchemy.*`` settings with the pool options converted to their types."""
    converted = dict(options)
    for name, convert in POOL_OPTIONS.items():
        key = f"sqlalchemy.{name}"
        if key in converted:
            converted[key] = convert(key, converted[key])
    return converted


def _tune_sqlite(engine: Engine, busy_timeout_ms: int, synchronous: str) -> None:
    """Foreign keys are off by default in SQLite; WAL lets readers run while a
    writer commits; the busy timeout makes writers queue instead of failing;
    FULL synchronous keeps every acknowledged commit through a power loss."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute(f"PRAGMA journal_size_limit={SQLITE_JOURNAL_SIZE_LIMIT}")
        finally:
            cursor.close()


def includeme(config: Configurator) -> None:
    engine = make_engine(config.get_settings())
    config.registry["podium.engine"] = engine
