"""The pytest plugin: markers and fixtures (see ``podium.testing``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from pyramid.router import Router
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from podium.store.engine import make_engine

from .accounts import TestUser, make_token, make_user
from .apps import base_settings, build_app, delete_all_rows, migrate
from .database import postgresql_admin_url, temporary_database

BACKENDS = ("sqlite", "postgresql")


def _let_pyramid_read_rewritten_packages() -> None:
    """pytest imports the packages of pytest11 plugins (podium itself) through
    its assertion-rewriting loader, which ``pkg_resources`` does not know;
    Pyramid's static views and asset specs ask ``pkg_resources`` for files.
    Those modules are plain files on disk, so the default provider serves."""
    import pkg_resources
    from _pytest.assertion.rewrite import AssertionRewritingHook

    pkg_resources.register_loader_type(AssertionRewritingHook, pkg_resources.DefaultProvider)


def pytest_configure(config: pytest.Config) -> None:
    _let_pyramid_read_rewritten_packages()
    config.addinivalue_line(
        "markers", "podium_plugins(*names): the plugins the test's app enables"
    )
    config.addinivalue_line(
        "markers", "podium_settings(**settings): extra settings for the test's app"
    )


@pytest.fixture(scope="session", params=BACKENDS)
def podium_database_url(request: pytest.FixtureRequest,
                        tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated for every installed plugin, one per backend."""
    if request.param == "postgresql" and not postgresql_admin_url():
        pytest.skip("PODIUM_TEST_DATABASE_URL is not set")
    with temporary_database(request.param, tmp_path_factory.mktemp("db")) as url:
        migrate(url)
        yield url


@pytest.fixture
def podium_settings(request: pytest.FixtureRequest, podium_database_url: str) -> dict[str, Any]:
    marker = request.node.get_closest_marker("podium_plugins")
    plugins = " ".join(marker.args) if marker else "*"
    settings = base_settings(podium_database_url, plugins)
    extra = request.node.get_closest_marker("podium_settings")
    if extra:
        settings.update(extra.kwargs)
    return settings


@pytest.fixture
def podium_app(podium_settings: dict[str, Any]) -> Iterator[Router]:
    app = build_app(podium_settings)
    engine: Engine = app.registry["podium.engine"]
    try:
        yield app
    finally:
        delete_all_rows(engine)
        engine.dispose()


@pytest.fixture
def podium_engine(podium_app: Router) -> Engine:
    return podium_app.registry["podium.engine"]


@pytest.fixture
def testapp(podium_app: Router) -> Any:
    """A :class:`podium.testing.webapp.PodiumTestApp` of the test's app."""
    from .webapp import PodiumTestApp  # WebTest is an extra: only suites using it need it

    return PodiumTestApp(podium_app, extra_environ={"HTTP_HOST": "localhost"})


@pytest.fixture
def podium_user(podium_app: Router) -> Callable[..., TestUser]:
    """``podium_user(login, permissions=(), roles=(), password=None, active=True)``:
    a user of the test's app with exactly these permissions (granted in the
    store to a role of its own) and roles; a permission no enabled plugin
    declares is refused.  Rows are deleted after the test like any other."""

    def make(login: str, permissions: Iterable[str] = (), roles: Iterable[str] = (),
             password: str | None = None, active: bool = True) -> TestUser:
        return make_user(podium_app.registry, login, permissions=permissions, roles=roles,
                         password=password, active=active)

    return make


@pytest.fixture
def logged_in_app(podium_app: Router, podium_user: Callable[..., TestUser]) -> Callable[..., Any]:
    """``logged_in_app(permissions=(), login="tester", roles=())``: a new
    ``PodiumTestApp`` of the test's app whose requests come from a new user
    with these permissions, logged in by session (unsafe methods need the CSRF
    token: ``post_form``, or the ``X-CSRF-Token`` header with ``csrf_token()``).
    ``app.user`` is the :class:`~podium.testing.accounts.TestUser`."""
    from .webapp import PodiumTestApp

    def make(permissions: Iterable[str] = (), login: str = "tester",
             roles: Iterable[str] = ()) -> Any:
        user = podium_user(login, permissions=permissions, roles=roles)
        app = PodiumTestApp(podium_app, extra_environ={"HTTP_HOST": "localhost"})
        app.login(user.id)
        app.user = user
        return app

    return make


@pytest.fixture
def api_token(podium_app: Router) -> Callable[..., str]:
    """``api_token(login, expires_days=None)``: a new API token of that user,
    to send as ``headers={"Authorization": f"Bearer {token}"}``."""

    def make(login: str, expires_days: int | None = None) -> str:
        return make_token(podium_app.registry, login, expires_days=expires_days)

    return make


@pytest.fixture
def podium_hookimpl(podium_app: Router) -> Iterator[Callable[..., None]]:
    """``podium_hookimpl(function, hook=None)``: ``function`` implements ``hook``
    (default: its name) in the test's app until the test ends, called before the
    plugins' implementations; it may carry ``podium.api.hookimpl``'s options."""
    from ..hooks.temporary import add_temporary_impl

    removals: list[Callable[[], None]] = []

    def add(function: Callable[..., Any], hook: str | None = None) -> None:
        removals.append(add_temporary_impl(podium_app.registry, function, hook=hook))

    yield add
    for remove in reversed(removals):
        remove()


def _let_sqlite_nest_transactions(engine: Engine) -> None:
    """pysqlite begins transactions lazily and breaks SAVEPOINT; SQLAlchemy's
    documented remedy: let SQLAlchemy emit BEGIN itself."""

    @event.listens_for(engine, "connect")
    def autocommit_driver(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def emit_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")


@pytest.fixture
def dbsession(podium_database_url: str) -> Iterator[Session]:
    """A session whose work is rolled back after the test, whatever it did.

    It runs inside one outer transaction; the code under test may commit, which
    only releases a savepoint."""
    engine = make_engine({"sqlalchemy.url": podium_database_url})
    if engine.dialect.name == "sqlite":
        _let_sqlite_nest_transactions(engine)
    connection = engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()
        engine.dispose()
