"""The notes branch of migrations: it builds what the model declares, and
it can be taken down and up again, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text

import podium_notes.models  # noqa: F401  (registers Note on Base.metadata)
from podium.api import Base
from podium.settings.core import apply_environment, normalize
from podium.store.migrations import alembic_config_for
from podium.testing import temporary_database
from podium.testing.apps import base_settings
from podium.testing.database import postgresql_admin_url


def _ours(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    """Only the notes plugin's tables: other plugins' are not ours to judge."""
    return type_ != "table" or bool(name and name.startswith("notes_"))


def _our_object(obj: object, name: str | None, type_: str, reflected: bool,
                compare_to: object) -> bool:
    """The same on the model's side: another plugin's models, imported by
    other tests of the session, share ``Base.metadata`` with ours."""
    return _ours(name, type_, {})


@pytest.mark.podium_plugins("notes")
def test_the_migrated_table_matches_the_model(podium_engine: Engine) -> None:
    with podium_engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"compare_type": True, "include_name": _ours, "include_object": _our_object},
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


@pytest.mark.podium_plugins("notes")
def test_constraint_names_follow_the_naming_convention(podium_engine: Engine) -> None:
    inspector = inspect(podium_engine)
    assert sorted(ix["name"] for ix in inspector.get_indexes("notes_note")) == [
        "ix_notes_note_created_at", "ix_notes_note_owner_id"
    ]
    [owner] = inspector.get_foreign_keys("notes_note")
    assert owner["name"] == "fk_notes_note_owner_id_podium_user"
    assert (owner["constrained_columns"], owner["referred_table"]) == (["owner_id"], "podium_user")
    assert owner["options"].get("ondelete") == "SET NULL"
    if podium_engine.dialect.name == "postgresql":
        # SQLite declares an AUTOINCREMENT key inline, where it has no name.
        assert inspector.get_pk_constraint("notes_note")["name"] == "pk_notes_note"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_downgrade_drops_the_table_and_upgrade_restores_it(backend: str, tmp_path: Path) -> None:
    if backend == "postgresql" and not postgresql_admin_url():
        pytest.skip("PODIUM_TEST_DATABASE_URL is not set")
    with temporary_database(backend, tmp_path) as url:
        settings = base_settings(url, "notes")
        apply_environment(settings, {})
        normalize(settings)
        config = alembic_config_for(settings)
        engine = create_engine(url)
        try:
            script = ScriptDirectory.from_config(config)
            core_head = script.get_revision("podium@head").revision
            notes_head = script.get_revision("notes@head").revision
            # The core and notes, not "heads": another installed plugin's head (tags')
            # would stand for notes' in alembic_version.
            command.upgrade(config, "podium@head")
            command.upgrade(config, "notes@head")
            assert "notes_note" in inspect(engine).get_table_names()
            assert notes_head in _versions(engine)

            command.downgrade(config, "notes@base")
            assert "notes_note" not in inspect(engine).get_table_names()
            versions = _versions(engine)
            assert notes_head not in versions and core_head in versions  # the core's stays

            command.upgrade(config, "heads")
            assert "notes_note" in inspect(engine).get_table_names()
        finally:
            engine.dispose()


def _versions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


# -- notes_0002: owners ---------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def at_notes_0001(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Any, Engine]]:
    """A database with the core at its head and notes at notes_0001."""
    if request.param == "postgresql" and not postgresql_admin_url():
        pytest.skip("PODIUM_TEST_DATABASE_URL is not set")
    with temporary_database(request.param, tmp_path) as url:
        settings = base_settings(url, "notes")
        apply_environment(settings, {})
        normalize(settings)
        config = alembic_config_for(settings)
        command.upgrade(config, "podium@head")
        command.upgrade(config, "notes_0001")
        engine = create_engine(url)
        try:
            yield config, engine
        finally:
            engine.dispose()


def test_notes_0002_depends_on_the_revision_that_creates_podium_user(at_notes_0001) -> None:
    config, _ = at_notes_0001
    script = ScriptDirectory.from_config(config)
    revision = script.get_revision("notes_0002")
    assert revision.down_revision == "notes_0001"
    assert revision.dependencies == "podium_0002"
    assert "podium_user" in Path(script.get_revision("podium_0002").path).read_text()


def test_upgrading_keeps_the_notes_ownerless_and_their_ids_never_reused(at_notes_0001) -> None:
    config, engine = at_notes_0001
    with engine.begin() as conn:
        for title in ("one", "two", "three"):
            conn.execute(text("INSERT INTO notes_note (title, body, created_at, updated_at) "
                              "VALUES (:t, '', :now, :now)"),
                         {"t": title, "now": datetime.datetime.now(datetime.UTC)})
        conn.execute(text("DELETE FROM notes_note WHERE title = 'three'"))
    command.upgrade(config, "heads")
    with engine.begin() as conn:
        rows = conn.execute(text("SELECT title, owner_id FROM notes_note ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [("one", None), ("two", None)]
        # SQLite copies the table to add the foreign key: the copy must not
        # forget that id 3 was given (AUTOINCREMENT and its sequence).
        conn.execute(text("INSERT INTO notes_note (title, body, created_at, updated_at) "
                          "VALUES ('four', '', :now, :now)"),
                     {"now": datetime.datetime.now(datetime.UTC)})
        assert conn.execute(text("SELECT max(id) FROM notes_note")).scalar_one() == 4
    command.downgrade(config, "notes_0001")
    assert "owner_id" not in {c["name"] for c in inspect(engine).get_columns("notes_note")}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM notes_note")).scalar_one() == 3


def test_deleting_a_user_leaves_their_notes_ownerless(at_notes_0001) -> None:
    config, engine = at_notes_0001
    command.upgrade(config, "heads")
    now = datetime.datetime.now(datetime.UTC)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        user = conn.execute(text(
            "INSERT INTO podium_user (login, display_name, password_hash, active, created_at, "
            "session_epoch) VALUES ('gone', 'Gone', 'x', :yes, :now, 0) RETURNING id"),
            {"yes": True, "now": now}).scalar_one()
        conn.execute(text("INSERT INTO notes_note (title, body, created_at, updated_at, owner_id)"
                          " VALUES ('kept', '', :now, :now, :user)"), {"now": now, "user": user})
        conn.execute(text("DELETE FROM podium_user WHERE id = :user"), {"user": user})
        assert conn.execute(text("SELECT owner_id FROM notes_note")).all() == [(None,)]
