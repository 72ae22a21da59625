import pytest
from sqlalchemy import text

from podium.settings.types import SettingsError
from podium.store.engine import make_engine


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:",
                                 "sqlite:///file:x?mode=memory&uri=true"])
def test_in_memory_sqlite_is_refused_with_a_reason(url):
    with pytest.raises(SettingsError) as info:
        make_engine({"sqlalchemy.url": url})
    assert "in-memory" in str(info.value) and "use a file" in str(info.value)


def test_sqlite_connections_are_tuned(tmp_path):
    engine = make_engine({"sqlalchemy.url": f"sqlite:///{tmp_path / 'x.sqlite'}",
                          "podium.sqlite_busy_timeout": 1234})
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 1234
    engine.dispose()


@pytest.mark.parametrize(("configured", "expected"), [
    ({}, 2),  # FULL by default
    ({"podium.sqlite_synchronous": "FULL"}, 2),
    ({"podium.sqlite_synchronous": "NORMAL"}, 1),
])
def test_sqlite_synchronous_follows_the_setting_and_the_wal_is_bounded(
        tmp_path, configured, expected):
    engine = make_engine({"sqlalchemy.url": f"sqlite:///{tmp_path / 'x.sqlite'}", **configured})
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA synchronous")).scalar() == expected
        assert conn.execute(text("PRAGMA journal_size_limit")).scalar() == 64 * 1024 * 1024
    engine.dispose()


def test_sqlite_synchronous_refuses_anything_else(tmp_path):
    with pytest.raises(SettingsError) as info:
        make_engine({"sqlalchemy.url": f"sqlite:///{tmp_path / 'x.sqlite'}",
                     "podium.sqlite_synchronous": "OFF; DROP TABLE x"})
    assert "podium.sqlite_synchronous" in str(info.value) and "FULL, NORMAL" in str(info.value)
