"""Conflicts, retries, after-commit hooks: through real requests on real databases.

The counter plugin (``tests/counter_plugin.py``) makes an attempt meet a
real conflict: on SQLite another connection holds the write lock past the
busy timeout ("database is locked"), on PostgreSQL another transaction
commits a change to a row this REPEATABLE READ transaction has read
(serialization failure).  Nothing is simulated in Podium's code.
"""

from __future__ import annotations

import logging
import sys

import pytest
import transaction
import webtest
from counter_plugin import counter_installed, migrate
from sqlalchemy import text

from podium.store.after_commit import after_commit
from podium.store.sessions import tm_session
from podium.testing import build_app, temporary_database
from podium.testing.database import postgresql_admin_url

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not postgresql_admin_url(), reason="PODIUM_TEST_DATABASE_URL is not set"))]


@pytest.fixture(scope="module", params=BACKENDS)
def counter_db(request, tmp_path_factory):
    """A database migrated with the counter plugin installed; (url, package)."""
    with counter_installed(tmp_path_factory.mktemp("site")) as package, \
            temporary_database(request.param, tmp_path_factory.mktemp("db")) as url:
        migrate(url)
        yield url, package


@pytest.fixture
def counter(request, counter_db):
    """A TestApp of the counter plugin and its module, from a zeroed counter."""
    url, package = counter_db
    marker = request.node.get_closest_marker("podium_settings")
    app = build_app({"sqlalchemy.url": url, "podium.plugins": "counter",
                     "podium.secret": "x" * 40, "podium.sqlite_busy_timeout": "50",
                     **(marker.kwargs if marker else {})})
    engine = app.registry["podium.engine"]
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM counter_entry"))
        conn.execute(text("UPDATE counter_counter SET n = 0"))
    module = sys.modules[package]
    module.HOOK_CALLS.clear()
    module.ATTEMPTS.clear()
    yield webtest.TestApp(app), module
    engine.dispose()


def value(testapp) -> dict:
    return testapp.get("/counter/value").json


def test_a_conflict_is_retried_and_the_request_succeeds(counter, caplog):
    testapp, plugin = counter
    with caplog.at_level(logging.WARNING, logger="podium"):
        res = testapp.post_json("/counter/increment?conflict=once", {"token": "a"})
    assert res.json == {"n": 1, "token": "a", "attempt": 1}
    assert plugin.ATTEMPTS == [0, 1]
    assert value(testapp) == {"n": 1, "entries": 1}  # the first attempt left nothing
    assert plugin.HOOK_CALLS == [("a", 1)]  # once, from the attempt that committed
    retries = [r for r in caplog.records if r.name == "podium.store.retry"]
    assert len(retries) == 1 and "attempt 1 of 3" in retries[0].getMessage()


def test_after_the_last_attempt_the_client_gets_a_503_with_retry_after(counter, caplog):
    testapp, plugin = counter
    with caplog.at_level(logging.WARNING, logger="podium"):
        res = testapp.post("/counter/increment?conflict=always", {"token": "b"}, status=503)
    assert res.headers["Retry-After"] == "2"
    assert "busy" in res.text and "<html" in res.text.lower()
    assert plugin.ATTEMPTS == [0, 1, 2]
    assert plugin.HOOK_CALLS == []
    assert value(testapp) == {"n": 0, "entries": 0}
    assert sum(r.name == "podium.store.retry" for r in caplog.records) == 2
    assert any("answering 503" in r.getMessage() for r in caplog.records)

    res = testapp.post_json("/counter/increment?conflict=always", {"token": "c"}, status=503)
    assert res.json["error"]["status"] == 503 and res.headers["Retry-After"] == "2"


@pytest.mark.podium_settings(**{"retry.attempts": "1", "podium.db.retry_after": "7"})
def test_retry_attempts_and_retry_after_come_from_the_settings(counter):
    testapp, plugin = counter
    res = testapp.post_json("/counter/increment?conflict=once", {"token": "d"}, status=503)
    assert res.headers["Retry-After"] == "7"
    assert plugin.ATTEMPTS == [0]


def test_after_commit_hooks_never_run_when_the_request_fails(counter):
    testapp, plugin = counter
    testapp.post_json("/counter/increment?then=raise", {"token": "e"}, status=500)
    assert plugin.HOOK_CALLS == []
    assert value(testapp) == {"n": 0, "entries": 0}
    testapp.post_json("/counter/increment", {"token": "f"})
    assert plugin.HOOK_CALLS == [("f", 0)]


def test_a_failing_after_commit_hook_is_logged_and_the_data_stays(counter_db, caplog):
    url, _ = counter_db
    calls = []

    def broken() -> None:
        raise RuntimeError("mail server down")

    with caplog.at_level(logging.ERROR, logger="podium"), \
            tm_session({"sqlalchemy.url": url}) as dbsession:
        dbsession.execute(text("UPDATE counter_counter SET n = 99"))
        after_commit(dbsession, broken)
        after_commit(dbsession, calls.append, "sent")
    assert calls == ["sent"]
    assert any("mail server down" in (r.exc_text or "") or r.exc_info for r in caplog.records)
    with tm_session({"sqlalchemy.url": url}) as dbsession:
        assert dbsession.execute(text("SELECT n FROM counter_counter")).scalar() == 99
        dbsession.execute(text("UPDATE counter_counter SET n = 0"))


def test_tm_session_rolls_back_everything_when_the_block_raises(counter_db):
    url, _ = counter_db
    calls = []
    with pytest.raises(RuntimeError), tm_session({"sqlalchemy.url": url}) as dbsession:
        dbsession.execute(text("DELETE FROM counter_entry"))
        dbsession.execute(text("INSERT INTO counter_entry (token, value) VALUES ('x', 1)"))
        after_commit(dbsession, calls.append, "never")
        raise RuntimeError("import failed halfway")
    with tm_session({"sqlalchemy.url": url}) as dbsession:
        rows = dbsession.execute(text("SELECT token FROM counter_entry")).scalars().all()
    assert "x" not in rows and rows  # the DELETE was rolled back too
    assert calls == []


def test_after_commit_needs_a_transaction():
    manager = transaction.TransactionManager(explicit=True)
    with pytest.raises(RuntimeError, match="active transaction"):
        after_commit(manager, print)
