"""``podium.workarounds.alembic_late_version_locations`` works around alembic's internals:
these tests fail loudly when alembic changes under it, and prove that plain
``alembic -c development.ini`` still migrates a plugin's branch."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from alembic.script import ScriptDirectory
from core_schema import core_head, core_revisions
from counter_plugin import write_counter
from notes_schema import installed_revisions, notes_head, notes_revisions, reached
from packaging.version import Version
from sqlalchemy import create_engine, inspect, text

from podium.store.migrations import default_script_location
from podium.workarounds import alembic_late_version_locations as workaround

ROOT = Path(__file__).resolve().parents[2]
NOTES_VERSIONS = ROOT / "plugins" / "podium_notes" / "podium_notes" / "migrations" / "versions"

RECHECK = (
    "podium.workarounds.alembic_late_version_locations was checked against alembic "
    "{low} <= version < {high}, and alembic {found} is installed: check whether this "
    "alembic offers a public way to add version locations to a ScriptDirectory it "
    "already built (then use it and delete the module), or whether the internals the "
    "module uses (ScriptDirectory._load_revisions, the memoized _version_locations and "
    "_singular_version_location) still behave the same; then widen ALEMBIC_VERSIONS."
)


def test_the_installed_alembic_is_one_the_workaround_was_checked_against():
    low, high = workaround.ALEMBIC_VERSIONS
    found = version("alembic")
    assert Version(low) <= Version(found) < Version(high), RECHECK.format(
        low=low, high=high, found=found)


def test_the_internals_it_uses_are_there():
    low, high = workaround.ALEMBIC_VERSIONS
    message = RECHECK.format(low=low, high=high, found=version("alembic"))
    assert callable(getattr(ScriptDirectory, "_load_revisions", None)), message
    for name in ("_version_locations", "_singular_version_location"):
        assert name in vars(ScriptDirectory), message


def test_revisions_already_read_are_read_again_with_the_added_locations():
    script = ScriptDirectory(default_script_location())
    assert script.versions and [r.revision for r in script.walk_revisions()] == list(
        reversed(core_revisions()))
    assert core_revisions()[0] == "podium_0001"
    workaround.add_version_locations(script, [str(NOTES_VERSIONS)])
    assert {r.revision for r in script.walk_revisions()} == {*core_revisions(), *notes_revisions()}
    assert len(script.version_locations) == 2
    workaround.add_version_locations(script, [str(NOTES_VERSIONS)])  # known: nothing to do
    assert len(script.version_locations) == 2


def test_plain_alembic_migrates_a_plugins_branch(tmp_path):
    site = tmp_path / "site"
    write_counter(site)  # an installed plugin outside the source tree
    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    environ = {**os.environ, "PODIUM_DATABASE_URL": url, "PODIUM_PLUGINS": "notes counter",
               "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    alembic = str(Path(sys.executable).with_name("alembic"))

    def run(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run([alembic, "-c", "development.ini", *args], cwd=ROOT,
                              env=environ, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done

    engine = create_engine(url)

    def recorded() -> set[str]:
        with engine.connect() as conn:
            return set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())

    try:
        upgrade = run("upgrade", "heads")
        assert f"-> {notes_head()}" in upgrade.stderr and "-> counter_0001" in upgrade.stderr
        # Every installed branch (tags' head stands for notes'), and counter's.
        assert core_head() in recorded()
        assert reached(recorded()) == installed_revisions() | {"counter_0001"}
        assert {"notes_note", "counter_counter"} <= set(inspect(engine).get_table_names())
        # history runs env.py (revision_environment = true), which adds the branches.
        history = run("history").stdout
        assert all(r in history for r in ("podium_0001", "notes_0001", "counter_0001"))
        run("downgrade", "counter@base")
        assert reached(recorded()) == installed_revisions()
        assert "counter_counter" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
