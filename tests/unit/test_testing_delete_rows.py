"""The test kit's ``delete_all_rows`` empties every table, children first,
also after a test changed the schema (its order is cached per set of tables)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text

from podium.testing.apps import delete_all_rows


def sqlite_with_foreign_keys(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def enforce(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    return engine


def make_tables(engine: Engine, child: str, parent: str) -> None:
    with engine.begin() as conn:
        for name in ("a", "b"):
            conn.execute(text(f"DROP TABLE IF EXISTS {name}"))
        conn.execute(text(f"CREATE TABLE {parent} (id INTEGER PRIMARY KEY)"))
        conn.execute(text(f"CREATE TABLE {child} (id INTEGER PRIMARY KEY, "
                          f"parent INTEGER NOT NULL REFERENCES {parent}(id))"))
        conn.execute(text(f"INSERT INTO {parent} (id) VALUES (1)"))
        conn.execute(text(f"INSERT INTO {child} (id, parent) VALUES (1, 1)"))


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {name: conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
                for name in ("a", "b")}


def test_rows_are_deleted_children_first_even_when_the_foreign_keys_turn_round(tmp_path):
    engine = sqlite_with_foreign_keys(tmp_path / "kit.sqlite")
    try:
        make_tables(engine, child="b", parent="a")
        delete_all_rows(engine)
        assert counts(engine) == {"a": 0, "b": 0}
        # The same table names, the reference the other way: the cached order
        # breaks the constraint, and the kit finds the new order.
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE b"))
        make_tables(engine, child="a", parent="b")
        delete_all_rows(engine)
        assert counts(engine) == {"a": 0, "b": 0}
    finally:
        engine.dispose()
