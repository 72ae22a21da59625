"""A test-only plugin for the store's tests: one counter, a journal of entries.

``make_counter(make_plugin)`` writes it as a real distribution (entry point
``counter``) with its own alembic branch (``counter_0001``, depending on the
core's base revision), so the tests migrate, serve and retry it exactly as
they would a real plugin.  Its tables are plain ``Table`` objects on a
``MetaData`` of its own, not ``podium.api.Base``: tests create the plugin
many times per session, and the shared metadata would refuse the second
``counter_counter``.

Views (below ``/counter``):

``POST increment``  one atomic ``UPDATE counter_counter SET n = n + 1`` and an
                    entry row carrying the client's token and the new value;
                    ``?conflict=once`` (or ``always``) makes the attempt meet a
                    real conflict first: another connection holds SQLite's
                    write lock, or commits a change to the row this
                    REPEATABLE READ transaction has already read (PostgreSQL);
                    ``?then=raise`` fails after writing, ``?then=cut_at_commit``
                    has PostgreSQL end the connection just before COMMIT.  It registers an
                    after-commit hook that appends to ``HOOK_CALLS``.
``GET value``       the counter and the number of entries
``GET ping``        ``SELECT 1``: needs the database, no table
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

PLUGIN = '''
import sqlite3

from pyramid.response import Response
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select, text

migrations = __name__ + ":migrations/versions"
title = "Counter"

metadata = MetaData()
counter = Table("counter_counter", metadata, Column("id", Integer, primary_key=True),
                Column("n", Integer, nullable=False))
entry = Table("counter_entry", metadata, Column("id", Integer, primary_key=True),
              Column("token", String(64), nullable=False, unique=True),
              Column("value", Integer, nullable=False))

#: (token, attempt) of every after-commit hook run, in this process.
HOOK_CALLS = []
#: retry.attempt of every attempt of increment, in this process.
ATTEMPTS = []


def _conflict(request):
    """Make this attempt's next write meet a real concurrent transaction."""
    session = request.dbsession
    engine = session.get_bind()
    if engine.dialect.name == "sqlite":
        other = sqlite3.connect(engine.url.database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # the write lock, until the finally below
        return other
    session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
    session.execute(text("SELECT n FROM counter_counter WHERE id = 1"))  # the snapshot
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as other:
        other.execute(text("UPDATE counter_counter SET n = n WHERE id = 1"))
    return None


def _cut_at_commit(request):
    """PostgreSQL ends this request's connection just before its COMMIT, from
    another connection: the COMMIT itself is what fails."""
    session = request.dbsession
    pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    engine = session.get_bind()

    def cut():
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as other:
            other.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})

    request.tm.get().addBeforeCommitHook(cut)


def increment(request):
    attempt = request.environ.get("retry.attempt", 0)
    ATTEMPTS.append(attempt)
    if request.content_type == "application/json":
        token = request.json_body["token"]
    else:
        token = request.params["token"]
    request.after_commit(HOOK_CALLS.append, (token, attempt))
    mode = request.params.get("conflict")
    lock = None
    if mode == "always" or (mode == "once" and attempt == 0):
        lock = _conflict(request)
    session = request.dbsession
    try:
        session.execute(text("UPDATE counter_counter SET n = n + 1 WHERE id = 1"))
    finally:
        if lock is not None:
            lock.close()
    value = session.execute(text("SELECT n FROM counter_counter WHERE id = 1")).scalar_one()
    session.execute(entry.insert().values(token=token, value=value))
    if request.params.get("then") == "raise":
        raise RuntimeError("failed after writing")
    if request.params.get("then") == "cut_at_commit":
        _cut_at_commit(request)
    return {"n": value, "token": token, "attempt": attempt}


def value(request):
    session = request.dbsession
    n = session.execute(select(counter.c.n).where(counter.c.id == 1)).scalar_one()
    entries = session.execute(select(func.count()).select_from(entry)).scalar_one()
    return {"n": n, "entries": entries}


def ping(request):
    request.dbsession.execute(text("SELECT 1"))
    return Response("pong")


def includeme(config):
    config.add_route("counter.increment", "/increment")
    config.add_route("counter.value", "/value")
    config.add_route("counter.ping", "/ping")
    config.add_view(increment, route_name="counter.increment", request_method="POST",
                    renderer="json", require_csrf=False)
    config.add_view(value, route_name="counter.value", renderer="json")
    config.add_view(ping, route_name="counter.ping")
'''

MIGRATION = '''"""Create the counter's tables and its one row.

Revision ID: counter_0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa

from alembic import op

revision = "counter_0001"
down_revision = None
branch_labels = ("counter",)
depends_on = "podium_0001"


def upgrade() -> None:
    counter = op.create_table(
        "counter_counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counter_counter")),
    )
    op.create_table(
        "counter_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counter_entry")),
        sa.UniqueConstraint("token", name=op.f("uq_counter_entry_token")),
    )
    op.bulk_insert(counter, [{"id": 1, "n": 0}])


def downgrade() -> None:
    op.drop_table("counter_entry")
    op.drop_table("counter_counter")
'''

FILES = {
    "migrations/__init__.py": "",
    "migrations/versions/__init__.py": "",
    "migrations/versions/counter_0001_create_counter.py": MIGRATION,
}


def make_counter(make_plugin: Callable[..., str], **options: object) -> str:
    """Write the counter plugin; return its package name."""
    return make_plugin("counter", PLUGIN, files=FILES, **options)


def write_counter(root: Path, version: str = "1.0") -> str:
    """Write the plugin as an installed distribution under ``root`` (put
    ``root`` on ``sys.path``, or on a server's ``PYTHONPATH``); return its
    (unique) package name."""
    package = f"counter_{uuid.uuid4().hex[:8]}"
    for relative, content in {"__init__.py": PLUGIN, **FILES}.items():
        path = root / package / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    dist_info = root / f"test_plugin_counter-{version}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: test-plugin-counter\nVersion: {version}\n"
        "Summary: The store tests' counter\n")
    (dist_info / "entry_points.txt").write_text(f"[podium.plugins]\ncounter = {package}\n")
    return package


@contextlib.contextmanager
def counter_installed(root: Path) -> Iterator[str]:
    """The counter plugin on ``sys.path`` for the block; yields its package."""
    package = write_counter(root)
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    try:
        yield package
    finally:
        sys.path.remove(str(root))
        for module in list(sys.modules):
            if module.split(".")[0] == package:
                del sys.modules[module]


def migrate(url: str, plugins: str = "counter") -> None:
    """``podium db upgrade`` for ``url``, in process, with ``plugins`` enabled."""
    from podium.settings.core import apply_environment, normalize
    from podium.store.migrations import alembic_config_for, upgrade
    from podium.testing.apps import base_settings

    settings = base_settings(url, plugins)
    apply_environment(settings, {})
    normalize(settings)
    upgrade(alembic_config_for(settings))
