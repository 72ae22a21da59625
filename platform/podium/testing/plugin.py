"""The pytest plugin: markers and fixtures (see ``podium.testing``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from pyramid.router import Router
from sqlalchemy import Engine

from podium.settings import apply_environment, normalize
from podium.store.migrations import alembic_config_for

from .apps import base_settings, build_app, delete_all_rows
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


def _migrate(url: str) -> None:
    settings = base_settings(url)
    apply_environment(settings, {})
    normalize(settings)
    command.upgrade(alembic_config_for(settings), "heads")


@pytest.fixture(scope="session", params=BACKENDS)
def podium_database_url(request: pytest.FixtureRequest,
                        tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated for every installed plugin, one per backend."""
    if request.param == "postgresql" and not postgresql_admin_url():
        pytest.skip("PODIUM_TEST_DATABASE_URL is not set")
    with temporary_database(request.param, tmp_path_factory.mktemp("db")) as url:
        _migrate(url)
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
    import webtest  # an extra of podium: only suites that use it need it

    return webtest.TestApp(podium_app, extra_environ={"HTTP_HOST": "localhost"})
