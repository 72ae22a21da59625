"""GET /health: 200 when the database answers and its schema is current, 503
otherwise, in one statement per probe, with nothing an outsider could use."""

from __future__ import annotations

import shutil

import pytest
import webtest
from sqlalchemy import event

from podium.testing import base_settings, build_app, migrate, temporary_database
from podium.testing.database import postgresql_admin_url


def app_on(url: str, **settings: str) -> webtest.TestApp:
    """Every probe asks the database (no repeated answer) unless the test says so."""
    values = {**base_settings(url, "notes"), "podium.health.cache_ms": "0", **settings}
    return webtest.TestApp(build_app(values))


@pytest.fixture
def database(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'volume' / 'podium.sqlite'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def any_database(request, tmp_path):
    if request.param == "postgresql" and not postgresql_admin_url():
        pytest.skip("PODIUM_TEST_DATABASE_URL is not set")
    with temporary_database(request.param, tmp_path) as url:
        yield url


def test_current_database_is_ok_and_says_nothing_more(any_database):
    migrate(any_database)
    testapp = app_on(any_database)
    res = testapp.get("/health")
    assert res.json == {"status": "ok"}
    assert res.headers["Cache-Control"] == "no-store"
    assert testapp.head("/health").status_int == 200
    testapp.app.registry["podium.engine"].dispose()  # before the database is dropped


def test_other_methods_are_405_with_allow(database):
    migrate(database)
    testapp = app_on(database)
    res = testapp.post("/health", status=405)
    assert res.headers["Allow"] == "GET, HEAD"


def test_one_statement_per_probe_once_checked(database):
    migrate(database)
    testapp = app_on(database)
    testapp.get("/health")  # the first probe makes the full check
    statements: list[str] = []
    engine = testapp.app.registry["podium.engine"]
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *args: statements.append(statement))
    testapp.get("/health")
    assert len(statements) == 1 and "alembic_version" in statements[0]


def test_schema_behind_is_503_until_upgraded(any_database, caplog):
    testapp = app_on(any_database)  # nothing migrated yet
    res = testapp.get("/health", status=503)
    assert res.json == {"status": "unavailable"}
    assert "pending revisions" in caplog.text  # the why goes to the log, not the client
    migrate(any_database)
    assert testapp.get("/health").json == {"status": "ok"}
    testapp.app.registry["podium.engine"].dispose()


def test_database_out_of_reach_is_503_then_ok_again(database, tmp_path, caplog):
    migrate(database)
    testapp = app_on(database)
    assert testapp.get("/health").status_int == 200
    engine = testapp.app.registry["podium.engine"]
    backup = tmp_path / "backup"
    shutil.move(tmp_path / "volume", backup)
    engine.dispose()
    assert testapp.get("/health", status=503).json == {"status": "unavailable"}
    testapp.get("/health", status=503)
    assert caplog.text.count("/health answers 503") == 1  # once per outage
    shutil.move(backup, tmp_path / "volume")
    assert testapp.get("/health").json == {"status": "ok"}
    assert "/health answers 200 again" in caplog.text


def test_probe_by_address_passes_the_host_check(database):
    migrate(database)
    testapp = app_on(database, **{"podium.allowed_hosts": "example.org"})
    testapp.get("/", headers={"Host": "10.0.0.7:6543"}, status=400)
    res = testapp.get("/health", headers={"Host": "10.0.0.7:6543"})
    assert res.json == {"status": "ok"}


def test_an_answer_is_repeated_for_cache_ms(database, tmp_path):
    """Within podium.health.cache_ms a probe asks nothing: a database gone a moment
    ago is still "ok" until the answer is stale, then the next probe sees it."""
    import time

    migrate(database)
    testapp = app_on(database, **{"podium.health.cache_ms": "300"})
    assert testapp.get("/health").status_int == 200
    statements: list[str] = []
    engine = testapp.app.registry["podium.engine"]
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *args: statements.append(statement))
    testapp.get("/health")
    assert statements == []  # the repeated answer
    shutil.move(tmp_path / "volume", tmp_path / "backup")
    engine.dispose()
    time.sleep(0.35)
    assert testapp.get("/health", status=503).json == {"status": "unavailable"}
    shutil.move(tmp_path / "backup", tmp_path / "volume")


def test_the_console_answers_from_the_probes_full_check(database):
    """/health and the admin console share one schema check: once a probe made
    the full comparison, the console's question is the one statement too."""
    from podium.store.schema_check import schema_check

    migrate(database)
    testapp = app_on(database)
    testapp.get("/health")
    statements: list[str] = []
    engine = testapp.app.registry["podium.engine"]
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *args: statements.append(statement))
    assert schema_check(testapp.app.registry).summary() == (True, "")
    assert len(statements) == 1 and "alembic_version" in statements[0]


def test_a_revision_recorded_since_the_last_check_is_seen_by_the_next_probe(database):
    """The remembered answer is for the recorded revisions it was made for: a row
    no installed code knows makes the next probe a 503, and removing it a 200."""
    from sqlalchemy import text

    from podium.store.schema_check import schema_check

    migrate(database)
    testapp = app_on(database)
    assert testapp.get("/health").status_int == 200
    engine = testapp.app.registry["podium.engine"]
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO alembic_version VALUES ('stranger_0001')"))
    testapp.get("/health", status=503)
    current, problem = schema_check(testapp.app.registry).summary()
    assert not current and "stranger_0001" in problem
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM alembic_version "
                                "WHERE version_num = 'stranger_0001'"))
    assert testapp.get("/health").json == {"status": "ok"}
