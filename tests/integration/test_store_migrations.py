"""Every migration, up and down, on SQLite and PostgreSQL; and no drift.

Each revision of the core and of every installed plugin is applied alone,
undone, and applied again: the database must be back exactly where it was
each time.  Then a database upgraded from empty must hold exactly the schema
the models declare (alembic's own comparison, limited to the tables the
core and the plugins with migrations own).
"""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from podium.store.migrations import comparison, database_heads, revisions_for
from podium.store.schema_status import schema_status


def schema(engine: Engine) -> dict[str, Any]:
    """Everything a migration may change, in a comparable form."""
    found: dict[str, Any] = {}
    inspector = inspect(engine)
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        found[table] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"])
                        for c in inspector.get_columns(table)],
            "pk": inspector.get_pk_constraint(table)["constrained_columns"],
            "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                              for i in inspector.get_indexes(table)),
            "unique": sorted((u["name"], tuple(u["column_names"]))
                             for u in inspector.get_unique_constraints(table)),
            "fks": sorted((f["name"], tuple(f["constrained_columns"]), f["referred_table"])
                          for f in inspector.get_foreign_keys(table)),
        }
    return found


def heads(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(database_heads(connection))


def test_each_migration_goes_up_and_down(empty_database):
    cfg, engine = empty_database
    revisions = revisions_for(cfg)
    assert [sc.revision for sc in revisions.ordered][:1] == ["podium_0001"]
    for sc in revisions.ordered:
        before, heads_before = schema(engine), heads(engine)
        command.upgrade(cfg, sc.revision)
        after = schema(engine)
        assert sc.revision in heads(engine)
        command.downgrade(cfg, f"{sc.revision}@-1")
        assert schema(engine) == before, f"downgrade of {sc.revision} left changes"
        assert heads(engine) == heads_before
        command.upgrade(cfg, sc.revision)
        assert schema(engine) == after, f"{sc.revision} applied twice differs"
    assert schema_status(cfg, engine).is_current
    for sc in reversed(revisions.ordered):
        command.downgrade(cfg, f"{sc.revision}@-1")
    assert schema(engine) == {} and heads(engine) == set()


def test_upgrading_from_empty_gives_the_schema_the_models_declare(empty_database):
    cfg, engine = empty_database
    command.upgrade(cfg, "heads")
    branches = cfg.attributes["podium.branches"]
    assert {b.name for b in branches} >= {"podium", "notes"}
    compared = comparison(branches, include_unowned_reflected=True)
    assert "notes_note" in compared.tables
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "include_object": compared.include_object, "compare_type": True,
            "compare_server_default": connection.dialect.name == "postgresql",
        })
        differences = compare_metadata(context, compared.metadata)
    assert differences == []


def test_the_drift_check_sees_a_model_without_its_migration(empty_database):
    """The test above would pass vacuously if the comparison were filtered out."""
    cfg, engine = empty_database
    command.upgrade(cfg, "heads")
    branches = cfg.attributes["podium.branches"]
    notes = [b for b in branches if b.name == "notes"]
    compared = comparison(notes, branches)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_notes_note_created_at")
        context = MigrationContext.configure(connection, opts={
            "include_object": compared.include_object})
        differences = compare_metadata(context, compared.metadata)
    assert [d[0] for d in differences] == ["add_index"]
