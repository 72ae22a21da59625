"""Fixtures shared by the migration tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine

from podium.settings.core import apply_environment, normalize
from podium.store.migrations import alembic_config_for
from podium.testing import temporary_database
from podium.testing.apps import base_settings
from podium.testing.database import postgresql_admin_url

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not postgresql_admin_url(), reason="PODIUM_TEST_DATABASE_URL is not set"))]


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path) -> Iterator[tuple[Any, Any]]:
    """``(alembic config with every installed plugin's branch, engine)`` on a
    new, empty database of each backend."""
    with temporary_database(request.param, tmp_path) as url:
        settings = base_settings(url)
        apply_environment(settings, {})
        normalize(settings)
        engine = create_engine(url)
        try:
            yield alembic_config_for(settings), engine
        finally:
            engine.dispose()
