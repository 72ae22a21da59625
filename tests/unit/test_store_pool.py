"""Pool settings from the ini file reach the engine with their types."""

from __future__ import annotations

import pytest

from podium.settings.types import SettingsError
from podium.store.engine import make_engine
from podium.testing.database import postgresql_admin_url


def engine_with(tmp_path, **options: str):
    settings = {"sqlalchemy.url": f"sqlite:///{tmp_path / 'pool.sqlite'}"}
    settings.update({f"sqlalchemy.{k}": v for k, v in options.items()})
    return make_engine(settings)


def test_pool_settings_are_read_as_numbers_and_booleans(tmp_path):
    engine = engine_with(tmp_path, pool_size="7", max_overflow="3", pool_recycle="120",
                         pool_timeout="4", pool_pre_ping="false")
    pool = engine.pool
    assert (pool.size(), pool._max_overflow, pool._recycle, pool._timeout) == (7, 3, 120, 4)
    assert pool._pre_ping is False  # the string "false" would have been true
    engine.dispose()


def test_pre_ping_is_off_for_sqlite_files_unless_asked_for(tmp_path):
    engine = engine_with(tmp_path)
    assert engine.pool._pre_ping is False  # a file cannot drop the connection
    engine.dispose()
    engine = engine_with(tmp_path, pool_pre_ping="true")
    assert engine.pool._pre_ping is True
    engine.dispose()


def test_pre_ping_is_off_for_database_servers_too_unless_asked_for():
    """A dead pooled connection is found by the first statement and the
    request run again (podium.store.errors.is_stale_connection)."""
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    engine = make_engine({"sqlalchemy.url": url})
    assert engine.pool._pre_ping is False  # created without connecting
    engine.dispose()
    engine = make_engine({"sqlalchemy.url": url, "sqlalchemy.pool_pre_ping": "true"})
    assert engine.pool._pre_ping is True
    engine.dispose()


@pytest.mark.parametrize(("option", "value", "allowed"), [
    ("pool_size", "lots", "whole number"),
    ("max_overflow", "-5", ">= -1"),
    ("pool_pre_ping", "maybe", "true or false"),
    ("pool_timeout", "soon", "whole number"),
])
def test_a_bad_pool_setting_names_the_key(tmp_path, option, value, allowed):
    with pytest.raises(SettingsError) as info:
        engine_with(tmp_path, **{option: value})
    assert f"sqlalchemy.{option} = {value!r}" in str(info.value) and allowed in str(info.value)


@pytest.mark.skipif(not postgresql_admin_url(), reason="PODIUM_TEST_DATABASE_URL is not set")
def test_postgresql_pool_settings():
    engine = make_engine({"sqlalchemy.url": postgresql_admin_url(), "sqlalchemy.pool_size": "2",
                          "sqlalchemy.max_overflow": "0", "sqlalchemy.pool_timeout": "0"})
    try:
        first, second = engine.connect(), engine.connect()
        assert engine.pool.checkedout() == 2
        from sqlalchemy.exc import TimeoutError as PoolTimeout

        with pytest.raises(PoolTimeout):
            engine.connect()  # the limit holds: pool_size + max_overflow
        first.close()
        second.close()
    finally:
        engine.dispose()
