"""What a process does not import until it needs it: each of these costs
every Podium process memory and start-up time (bench.scaling)."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import text

from podium.api import mark_changed, tm_session

SERVES = '''
import sys
import podium
import webtest
app = webtest.TestApp(podium.main({}, **{
    "sqlalchemy.url": sys.argv[1], "podium.plugins": "notes", "podium.secret": "s" * 40,
    "podium.read_environment": "false"}))
app.get("/")
print("zope.sqlalchemy" in sys.modules, "alembic" in sys.modules)
app.get("/notes/")
print("zope.sqlalchemy" in sys.modules)
'''


def test_zope_sqlalchemy_and_its_drivers_wait_for_the_first_session(tmp_path):
    from podium.testing import migrate

    url = f"sqlite:///{tmp_path / 'lazy.sqlite'}"
    migrate(url)
    done = subprocess.run([sys.executable, "-c", SERVES, url], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False", "True"]


def test_mark_changed_from_the_api_commits_what_zope_sqlalchemy_cannot_see(tmp_path):
    url = f"sqlite:///{tmp_path / 'marked.sqlite'}"
    with tm_session({"sqlalchemy.url": url}) as session:
        session.execute(text("CREATE TABLE t (n INTEGER)"))
    with tm_session({"sqlalchemy.url": url}) as session:
        # Through the connection: no ORM event sees this write.
        session.connection().execute(text("INSERT INTO t VALUES (1)"))
        mark_changed(session)
    with tm_session({"sqlalchemy.url": url}) as session:
        assert session.execute(text("SELECT count(*) FROM t")).scalar() == 1


def test_mark_changed_joins_the_sessions_own_transaction_before_any_statement(tmp_path):
    """Marked before it ran anything, the session still commits with its own
    manager's transaction (zope.sqlalchemy alone would join the thread's)."""
    url = f"sqlite:///{tmp_path / 'early.sqlite'}"
    with tm_session({"sqlalchemy.url": url}) as session:
        session.execute(text("CREATE TABLE t (n INTEGER)"))
    with tm_session({"sqlalchemy.url": url}) as session:
        mark_changed(session)
        session.connection().execute(text("INSERT INTO t VALUES (2)"))
    with tm_session({"sqlalchemy.url": url}) as session:
        assert session.execute(text("SELECT n FROM t")).scalars().all() == [2]
