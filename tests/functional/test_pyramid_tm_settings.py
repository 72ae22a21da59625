"""pyramid_tm's settings work as pyramid_tm documents them, in the whole app.

Each test builds the real application with one ``tm.*`` setting, sends real
requests that write a row, and counts the rows through a separate
connection (a SQLite file, and PostgreSQL when PODIUM_TEST_DATABASE_URL is
set).  Each also sends a request the setting does not concern, so that a
setting Podium ignored would fail the test rather than pass it.

``tm.annotate_user`` is the one default Podium changes, with its own security
policy only: off, the transaction's user recorded when the request reads its
identity, so that a request that does not pays no lookup.
"""

from __future__ import annotations

import importlib

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, event, select

from podium.testing import PodiumTestApp, base_settings, build_app
from podium.testing.accounts import make_token, make_user
from podium.testing.apps import delete_all_rows

PROBE = '''
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid_retry import RetryableException
from pyramid_tm import is_tm_active
from sqlalchemy import Column, Integer, MetaData, String, Table, insert

from podium.testing.webapp import USERID_KEY

rows = Table("tm_settings_probe", MetaData(), Column("id", Integer, primary_key=True),
             Column("how", String(40), nullable=False))

#: (committed, txn.user) of every transaction the probe saw end in a commit hook.
COMMITTED = []
#: Whether includeme sets SessionUserPolicy (the fixture's own_policy), not Podium's.
OWN_POLICY = False
#: Attempts of the retried view.
RETRIED = []


def activate(request):
    """A ``tm.activate_hook``: no transaction for /untracked/ paths."""
    return "/untracked/" not in request.path_info


def veto_when_asked(request, response):
    """A ``tm.commit_veto`` that aborts any response, a 200 too, when asked."""
    return "veto" in request.params


class SessionUserPolicy:
    """A security policy reading the user id that PodiumTestApp.login stores."""

    def identity(self, request):
        userid = request.session.get(USERID_KEY)
        return None if userid is None else str(userid)

    def authenticated_userid(self, request):
        return self.identity(request)

    def permits(self, request, context, permission):
        return True

    def remember(self, request, userid, **kw):
        return []

    def forget(self, request, **kw):
        return []


def record_commit(request):
    txn = request.tm.get()
    txn.addAfterCommitHook(lambda ok, txn: COMMITTED.append((ok, txn.user)), args=(txn,))


def plain(request):
    """Reads neither the identity nor the database."""
    record_commit(request)
    return Response("plain")


def whoami(request):
    record_commit(request)
    identity = request.identity
    return Response("nobody" if identity is None else getattr(identity, "login", identity))


def retried(request):
    """Reads the identity, then fails its first attempt in a way pyramid_retry retries."""
    record_commit(request)
    identity = request.identity
    RETRIED.append(request.path_info)
    if len(RETRIED) == 1:
        raise RetryableException("again")
    return Response(identity.login)


def write(request):
    active = is_tm_active(request)
    if active:
        record_commit(request)
    try:
        request.dbsession.execute(insert(rows).values(how=request.matchdict["how"]))
        request.dbsession.flush()
    except Exception as exc:
        request.dbsession.close()
        return Response(f"active={active} error={type(exc).__name__}")
    response = Response(f"active={active} written")
    if "x_tm" in request.params:
        response.headers["X-Tm"] = request.params["x_tm"]
    return response


def includeme(config):
    if OWN_POLICY:
        config.set_security_policy(SessionUserPolicy())
    config.add_route("tmprobe.write", "/write/{how}")
    config.add_route("tmprobe.untracked", "/untracked/{how}")
    for route in ("tmprobe.write", "tmprobe.untracked"):
        config.add_view(write, route_name=route, require_csrf=False,
                        permission=NO_PERMISSION_REQUIRED)
    config.add_route("tmprobe.plain", "/plain")
    config.add_view(plain, route_name="tmprobe.plain", permission=NO_PERMISSION_REQUIRED)
    config.add_route("tmprobe.whoami", "/whoami")
    config.add_view(whoami, route_name="tmprobe.whoami", permission=NO_PERMISSION_REQUIRED)
    config.add_route("tmprobe.retried", "/retried")
    config.add_view(retried, route_name="tmprobe.retried", permission=NO_PERMISSION_REQUIRED)
'''

rows = Table("tm_settings_probe", MetaData(), Column("id", Integer, primary_key=True),
             Column("how", String(40), nullable=False))


@pytest.fixture
def probe_app(make_plugin, podium_database_url):
    """``probe_app(own_policy=False, **settings)``: (PodiumTestApp, probe module, rows
    written); with ``own_policy`` the probe sets a security policy of its own."""
    package = make_plugin("tmprobe", PROBE)
    module = importlib.import_module(package)
    engines = []

    def make(own_policy: bool = False, **settings: str):
        module.OWN_POLICY = own_policy
        values = base_settings(podium_database_url, "tmprobe")
        values.update({key: value.replace("PKG", package) for key, value in settings.items()})
        app = build_app(values)
        engine = app.registry["podium.engine"]
        engines.append(engine)
        rows.create(engine, checkfirst=True)
        with engine.begin() as conn:
            conn.execute(rows.delete())

        def written() -> list[str]:
            with engine.connect() as conn:
                return list(conn.execute(select(rows.c.how).order_by(rows.c.id)).scalars())

        return PodiumTestApp(app, extra_environ={"HTTP_HOST": "localhost"}), module, written

    yield make
    # The session's database is shared: leave no table the models don't declare,
    # and no user the tests made.
    for engine in engines:
        rows.drop(engine, checkfirst=True)
        delete_all_rows(engine)
        engine.dispose()


def test_activate_hook_leaves_the_requests_it_refuses_without_a_transaction(probe_app):
    testapp, _, written = probe_app(**{"tm.activate_hook": "PKG.activate"})
    assert testapp.post("/tmprobe/write/tracked").text == "active=True written"
    # Refused: pyramid_tm is not active, and the explicit manager was never
    # begun, so the session cannot join a transaction and writes nothing.
    assert testapp.post("/tmprobe/untracked/refused").text == "active=False error=NoTransaction"
    assert written() == ["tracked"]


class Statements(list):
    """The statements sent on an engine while the ``with`` block runs."""

    def __init__(self, engine):
        super().__init__()
        self.engine = engine

    def _count(self, conn, cursor, statement, parameters, context, executemany):
        self.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)


def test_by_default_the_user_is_recorded_when_the_request_reads_the_identity(probe_app):
    testapp, module, _ = probe_app()
    registry = testapp.app.registry
    alice = make_user(registry, "alice")
    token = make_token(registry, "alice")
    make_token(registry, "alice")  # its first use writes last_used_at: not measured below
    testapp.get("/tmprobe/whoami", headers={"Authorization": f"Bearer {token}"})
    testapp.login("alice")
    module.COMMITTED.clear()
    with Statements(registry["podium.engine"]) as statements:
        # Logged in, but the view never asks who: no lookup, no user.
        assert testapp.get("/tmprobe/plain").text == "plain"
        assert testapp.get("/tmprobe/plain", headers={
            "Authorization": f"Bearer {token}"}).text == "plain"
    assert statements == []
    assert module.COMMITTED == [(True, ""), (True, "")]
    module.COMMITTED.clear()
    with Statements(registry["podium.engine"]) as statements:
        assert testapp.get("/tmprobe/whoami").text == "alice"
        assert testapp.get("/tmprobe/whoami", headers={
            "Authorization": f"Bearer {token}"}).text == "alice"
    assert len(statements) == 2, statements  # one lookup each
    # The value pyramid_tm's tm.annotate_user writes: str(request.authenticated_userid).
    assert module.COMMITTED == [(True, str(alice.id)), (True, str(alice.id))]
    module.COMMITTED.clear()
    testapp.logout()
    assert testapp.get("/tmprobe/whoami").text == "nobody"
    assert module.COMMITTED == [(True, "")]
    assert registry.settings["tm.annotate_user"] == "false"


def test_a_retried_request_records_the_user_in_the_transaction_that_commits(probe_app):
    """pyramid_retry runs the request again on the same environ, where the identity
    is cached: the new transaction gets the user all the same."""
    testapp, module, _ = probe_app()
    alice = make_user(testapp.app.registry, "alice")
    testapp.login("alice")
    module.COMMITTED.clear()
    module.RETRIED.clear()
    assert testapp.get("/tmprobe/retried").text == "alice"
    assert len(module.RETRIED) == 2
    assert module.COMMITTED == [(True, str(alice.id))]  # the failed attempt aborted


def test_annotate_user_true_looks_the_user_up_for_every_request(probe_app):
    testapp, module, written = probe_app(**{"tm.annotate_user": "true"})
    registry = testapp.app.registry
    alice = make_user(registry, "alice")
    testapp.login("alice")
    module.COMMITTED.clear()
    with Statements(registry["podium.engine"]) as statements:
        assert testapp.get("/tmprobe/plain").text == "plain"
    assert len(statements) == 1, statements  # pyramid_tm's, when the transaction begins
    testapp.post("/tmprobe/write/alice")
    assert module.COMMITTED == [(True, str(alice.id)), (True, str(alice.id))]
    assert written() == ["alice"]


def test_an_applications_own_policy_keeps_pyramid_tms_default(probe_app):
    """Only Podium's policy knows whether a request read its identity."""
    testapp, module, written = probe_app(own_policy=True)
    module.COMMITTED.clear()
    testapp.post("/tmprobe/write/anonymous")
    alice = make_user(testapp.app.registry, "alice")
    testapp.login("alice")
    testapp.post("/tmprobe/write/alice")
    assert module.COMMITTED == [(True, ""), (True, str(alice.id))]
    assert written() == ["anonymous", "alice"]


@pytest.mark.parametrize("own_policy", [False, True])
def test_annotate_user_false_leaves_the_user_out(probe_app, own_policy):
    testapp, module, written = probe_app(own_policy, **{"tm.annotate_user": "false"})
    module.COMMITTED.clear()
    make_user(testapp.app.registry, "alice")
    testapp.login("alice")
    testapp.post("/tmprobe/write/alice")
    assert testapp.get("/tmprobe/whoami").text != "nobody"  # read, and still not recorded
    assert module.COMMITTED == [(True, ""), (True, "")]
    assert written() == ["alice"]


def test_commit_veto_of_the_app_replaces_podiums_default(probe_app):
    testapp, _, written = probe_app(**{"tm.commit_veto": "PKG.veto_when_asked"})
    testapp.post("/tmprobe/write/kept")
    # A 200 response, which pyramid_tm's default veto would commit.
    assert testapp.post("/tmprobe/write/vetoed?veto=1", status=200).text.endswith("written")
    assert written() == ["kept"]


def test_the_default_veto_is_pyramid_tms(probe_app):
    """Podium's default is pyramid_tm.default_commit_veto: the X-Tm header too."""
    testapp, _, written = probe_app()
    testapp.post("/tmprobe/write/kept")
    testapp.post("/tmprobe/write/aborted?x_tm=abort", status=200)
    testapp.post("/tmprobe/write/committed?x_tm=commit", status=200)
    assert written() == ["kept", "committed"]
