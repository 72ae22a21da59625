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
