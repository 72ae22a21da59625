"""What every contender shares: the TechEmpower constants and rules, the
template and static file, and the database tuning.

The fortunes template, the form template and the static file are the
Podium plugin's own files (``podium_bench``), used by every contender, so
that all of them render and serve exactly the same bytes.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from random import randint
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from .. import REPO_ROOT

HELLO = "Hello, World!"
EXTRA_FORTUNE = "Additional fortune added at request time."
WORLD_ROWS = 10_000
MAX_QUERIES = 500
MAX_MESSAGE = 200
SQLITE_BUSY_TIMEOUT_MS = 5000


def _plugin_dir() -> Path:
    """The ``podium_bench`` package directory, installed or not (no import)."""
    spec = importlib.util.find_spec("podium_bench")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return REPO_ROOT / "plugins" / "podium_bench" / "podium_bench"


PLUGIN_DIR = _plugin_dir()
TEMPLATES_DIR = PLUGIN_DIR / "templates"
STATIC_DIR = PLUGIN_DIR / "static"
STATIC_FILE = "bench.css"


def parse_queries(raw: Any) -> int:
    """TechEmpower's rule: missing, not a number or below 1 means 1; at most 500."""
    try:
        count = int(raw)
    except (TypeError, ValueError):
        return 1
    return 1 if count < 1 else MAX_QUERIES if count > MAX_QUERIES else count


def random_id() -> int:
    return randint(1, WORLD_ROWS)


def new_number(old: int) -> int:
    """A random number that differs from the old one, so that every row is
    really written (an ORM skips an UPDATE that changes nothing)."""
    number = randint(1, WORLD_ROWS)
    return number if number != old else number % WORLD_ROWS + 1


def valid_message(message: str) -> bool:
    return 1 <= len(message) <= MAX_MESSAGE


def tune_sqlite(engine: Engine) -> None:
    """The per-connection SQLite settings Podium applies to its own engine
    (``podium/store/engine.py``), applied to every contender so that the
    comparison measures the framework, not the database's durability mode.
    WAL itself is stored in the file by the harness when it seeds it."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous=FULL")  # podium.sqlite_synchronous default
        finally:
            cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    engine = create_engine(url, **kwargs)
    tune_sqlite(engine)
    return engine
