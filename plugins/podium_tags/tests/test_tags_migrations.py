"""The tags branch of migrations: it builds what the models declare, depends
on the notes branch (the foreign key to ``notes_note``), and can be taken
down and up again with ``podium db``, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text
from tags_data import write_ini

import podium_tags.models  # noqa: F401  (registers the tables on Base.metadata)
from podium.api import Base
from podium.testing import temporary_database

PODIUM = str(Path(sys.executable).with_name("podium"))
OURS = {"tags_tag", "tags_note_tag"}


def _ours(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    """Only the tags plugin's tables: other plugins' are not ours to judge."""
    return type_ != "table" or name in OURS


def _our_object(obj: object, name: str | None, type_: str, reflected: bool,
                compare_to: object) -> bool:
    return _ours(name, type_, {})


@pytest.mark.podium_plugins("notes", "tags")
def test_the_migrated_tables_match_the_models(podium_engine: Engine) -> None:
    with podium_engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"compare_type": True, "include_name": _ours, "include_object": _our_object},
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


@pytest.mark.podium_plugins("notes", "tags")
def test_the_keys_cascade_and_follow_the_naming_convention(podium_engine: Engine) -> None:
    inspector = inspect(podium_engine)
    keys = {fk["name"]: fk for fk in inspector.get_foreign_keys("tags_note_tag")}
    assert set(keys) == {"fk_tags_note_tag_note_id_notes_note", "fk_tags_note_tag_tag_id_tags_tag"}
    for fk in keys.values():
        assert fk["options"].get("ondelete") == "CASCADE"
    assert keys["fk_tags_note_tag_note_id_notes_note"]["referred_table"] == "notes_note"
    assert [ix["name"] for ix in inspector.get_indexes("tags_note_tag")] == [
        "ix_tags_note_tag_tag_id"]
    assert inspector.get_pk_constraint("tags_note_tag")["constrained_columns"] == [
        "note_id", "tag_id"]
    [unique] = inspector.get_unique_constraints("tags_tag")
    assert (unique["name"], unique["column_names"]) == ("uq_tags_tag_name", ["name"])


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, Engine]]:
    """An empty database and an ini file serving it with notes and tags."""
    if request.param == "postgresql" and not os.environ.get("PODIUM_TEST_DATABASE_URL"):
        pytest.skip("PODIUM_TEST_DATABASE_URL is not set")
    with temporary_database(request.param, tmp_path) as url:
        ini = write_ini(tmp_path / "site.ini", url)
        engine = create_engine(url)
        try:
            yield ini, engine
        finally:
            engine.dispose()


def db(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([PODIUM, "db", *args], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def versions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def test_down_to_base_drops_the_tables_and_up_restores_them(site) -> None:
    ini, engine = site
    db("upgrade", str(ini))
    assert OURS <= tables(engine)
    assert "tags_0001" in versions(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO notes_note (title, body, created_at, updated_at) "
                          "VALUES ('kept', '', :now, :now)"),
                     {"now": datetime.datetime.now(datetime.UTC)})

    db("downgrade", str(ini), "base", "--plugin", "tags")
    assert not OURS & tables(engine)
    assert "notes_note" in tables(engine)  # notes' table and rows stay
    assert "tags_0001" not in versions(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT title FROM notes_note")).scalars().all() == ["kept"]

    db("upgrade", str(ini))
    assert OURS <= tables(engine)


def test_taking_notes_down_takes_tags_down_first(site) -> None:
    ini, engine = site
    db("upgrade", str(ini))
    db("downgrade", str(ini), "base", "--plugin", "notes")
    assert not (OURS | {"notes_note"}) & tables(engine)
    assert not {"tags_0001", "notes_0001", "notes_0002"} & versions(engine)


def test_upgrading_tags_alone_creates_the_notes_table_first(site) -> None:
    ini, engine = site
    db("upgrade", str(ini), "--plugin", "tags")
    assert {"notes_note", *OURS} <= tables(engine)
