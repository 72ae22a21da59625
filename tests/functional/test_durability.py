"""A full disk through real requests: a 503 with Retry-After while it lasts,
one warning for the episode, and writes again once space is freed.

SQLite's ``PRAGMA max_page_count`` makes the database file full for real
(SQLITE_FULL, "database or disk is full") without filling the machine's
disk: a checkout listener of the test sets it on every connection the app
takes from its pool, and "freeing space" is raising it.  A limit below the
file's size is taken as the size itself, so 1 means "full as it is now".
"""

from __future__ import annotations

import logging
import uuid

import pytest
import webtest
from counter_plugin import counter_installed, migrate
from sqlalchemy import event

from podium.testing import build_app, temporary_database

JSON = {"Accept": "application/json"}
UNLIMITED = 1_000_000


@pytest.fixture
def full_disk_app(tmp_path):
    """(TestApp, limit): the counter plugin on a SQLite file whose page limit
    is ``limit[0]`` on every connection the app checks out."""
    with counter_installed(tmp_path / "site"), \
            temporary_database("sqlite", tmp_path) as url:
        migrate(url)
        app = build_app({"sqlalchemy.url": url, "podium.plugins": "counter",
                         "podium.secret": "x" * 40})
        engine = app.registry["podium.engine"]
        limit = [UNLIMITED]

        @event.listens_for(engine, "checkout")
        def set_page_limit(dbapi_connection, connection_record, connection_proxy):
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute(f"PRAGMA max_page_count={limit[0]}")
            finally:
                cursor.close()

        try:
            yield webtest.TestApp(app), limit
        finally:
            engine.dispose()


def increment(testapp: webtest.TestApp, **kwargs) -> webtest.TestResponse:
    return testapp.post_json("/counter/increment", {"token": uuid.uuid4().hex}, **kwargs)


def write_until_full(testapp: webtest.TestApp) -> webtest.TestResponse:
    for _ in range(5000):
        res = increment(testapp, headers=JSON, status="*")
        if res.status_int != 200:
            return res
    raise AssertionError("the database never filled up")


def records(caplog, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("podium") and r.levelno == level]


def test_full_disk_is_a_503_until_space_is_freed(full_disk_app, caplog):
    testapp, limit = full_disk_app
    caplog.set_level(logging.INFO, logger="podium")
    before = testapp.get("/counter/value").json["n"]
    limit[0] = 1  # full at the size the file has now

    res = write_until_full(testapp)
    assert res.status_int == 503 and res.headers["Retry-After"] == "2"
    assert res.json["error"]["status"] == 503
    assert "no room left on disk" in res.json["error"]["message"]
    page = testapp.post("/counter/increment", {"token": uuid.uuid4().hex}, status=503)
    assert page.headers["Retry-After"] == "2" and page.content_type == "text/html"
    assert "no room left on disk" in page.text
    for _ in range(3):
        increment(testapp, headers=JSON, status=503)
    refused = testapp.get("/counter/value").json  # reads still work
    assert refused["n"] == refused["entries"] and refused["n"] > before

    warnings = records(caplog, logging.WARNING)
    assert len(warnings) == 1 and "disk full" in warnings[0].getMessage()
    assert "database or disk is full" in warnings[0].getMessage()
    assert not records(caplog, logging.ERROR) and not records(caplog, logging.INFO)

    limit[0] = UNLIMITED  # space is freed: no restart, no other step
    assert increment(testapp).json["n"] == refused["n"] + 1
    infos = records(caplog, logging.INFO)
    assert len(infos) == 1 and "commit again" in infos[0].getMessage()
    assert "5 request(s)" in infos[0].getMessage()
    increment(testapp)
    assert len(records(caplog, logging.INFO)) == 1 and len(records(caplog, logging.WARNING)) == 1

    limit[0] = 1  # a second episode is told again
    write_until_full(testapp)
    assert len(records(caplog, logging.WARNING)) == 2
