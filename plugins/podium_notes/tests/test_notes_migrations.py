"""The notes branch of migrations: it builds what the model declares, and
it can be taken down and up again, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

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
    assert [ix["name"] for ix in inspector.get_indexes("notes_note")] == [
        "ix_notes_note_created_at"
    ]
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
            core_head = ScriptDirectory.from_config(config).get_revision("podium@head").revision
            command.upgrade(config, "heads")
            assert "notes_note" in inspect(engine).get_table_names()
            assert "notes_0001" in _versions(engine)

            command.downgrade(config, "notes@base")
            assert "notes_note" not in inspect(engine).get_table_names()
            versions = _versions(engine)
            assert "notes_0001" not in versions and core_head in versions  # the core's stays

            command.upgrade(config, "heads")
            assert "notes_note" in inspect(engine).get_table_names()
        finally:
            engine.dispose()


def _versions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
