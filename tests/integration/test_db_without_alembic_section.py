"""``podium db`` on any ini file that serves the app: no ``[alembic]`` section needed.

The core's migrations come from the installed package (``podium/migrations``);
an ``[alembic]`` section, where a site keeps one, is for plain ``alembic -c``,
which keeps working (``script_location`` as a path or as the asset spec
``podium:migrations``).  Migrating needs neither the session secret nor the
allowed hosts, even in production: a deploy job may hold only the database
URL.  Real SQLite files; the counter plugin (``counter_plugin.py``) is a real
distribution with its own branch.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.config import main as alembic_main
from click.testing import CliRunner, Result
from counter_plugin import counter_installed
from notes_schema import notes_head
from sqlalchemy import create_engine, inspect

from podium.cli import cli
from podium.settings.types import SettingsError
from podium.store.migrations import default_script_location

ROOT = Path(__file__).resolve().parents[2]
PODIUM = str(Path(sys.executable).with_name("podium"))
#: A production site's ini, as an outsider writes it: the app, nothing for alembic,
#: and no secret nor hosts (they come from the environment of the serving processes).
PRODUCTION = """\
[app:main]
use = egg:podium
podium.environment = production
podium.plugins = notes
sqlalchemy.url = sqlite:///%(here)s/var/site.sqlite
"""


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def clean_environ() -> dict[str, str]:
    """Without Podium's settings: the ini file alone speaks."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith("PODIUM_") or k == "PODIUM_TEST_DATABASE_URL"}


def test_the_podium_command_migrates_a_production_site_ini_from_anywhere(tmp_path: Path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "site.ini").write_text(PRODUCTION)
    elsewhere = tmp_path / "elsewhere"  # no alembic/ directory in sight
    elsewhere.mkdir()

    def podium(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([PODIUM, "db", *args], cwd=elsewhere, env=clean_environ(),
                              capture_output=True, text=True, timeout=120)

    upgraded = podium("upgrade", str(site / "site.ini"))
    assert upgraded.returncode == 0, upgraded.stderr
    assert "Traceback" not in upgraded.stderr and "secret" not in upgraded.stderr
    # No logging in the ini, so none of alembic's lines: the command says what it did.
    assert upgraded.stdout.startswith("Applied podium_0001, ") and notes_head() in upgraded.stdout
    again = podium("upgrade", str(site / "site.ini"))
    assert again.stdout == "Nothing to apply: the database was up to date.\n"
    assert "notes_note" in tables(f"sqlite:///{site / 'var' / 'site.sqlite'}")
    checked = podium("check", str(site / "site.ini"))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == "The database is up to date."


@pytest.fixture
def site(tmp_path: Path):
    """An ini with only [app:main] (development), its SQLite file, the counter installed."""
    url = f"sqlite:///{tmp_path / 'site.sqlite'}"
    ini = tmp_path / "site.ini"
    ini.write_text(f"[app:main]\nuse = egg:podium\nsqlalchemy.url = {url}\n")
    with counter_installed(tmp_path / "plugins") as package:
        yield str(ini), url, tmp_path / "plugins" / package


def podium(ini: str, *args: str, plugins: str = "notes counter") -> Result:
    result = CliRunner().invoke(cli, ["db", args[0], ini, *args[1:]],
                                env={"PODIUM_PLUGINS": plugins, "PODIUM_DATABASE_URL": None,
                                     "PODIUM_SECRET": None})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_every_db_command_works_without_an_alembic_section(site):
    ini, url, counter = site
    assert "[alembic]" not in Path(ini).read_text()
    assert podium(ini, "check").exit_code == 1  # fresh: behind
    for args in (["upgrade"], ["current"], ["heads"], ["history"], ["check"],
                 ["downgrade", "base", "--plugin", "counter"], ["upgrade", "--plugin", "counter"],
                 ["revision", "--plugin", "counter", "-m", "by hand"],
                 ["upgrade", "--sql", "--plugin", "notes"]):
        result = podium(ini, *args)
        assert result.exit_code == 0, f"{args}: {result.output}"
        assert not result.output.startswith("Error"), result.output
    assert {"notes_note", "counter_counter"} <= tables(url)
    assert list((counter / "migrations" / "versions").glob("counter_0002_by_hand.py"))
    assert "counter_0002" in podium(ini, "heads").output


def test_a_production_ini_migrates_without_the_secret_or_the_hosts(tmp_path: Path):
    ini = tmp_path / "site.ini"
    ini.write_text(PRODUCTION)
    assert podium(str(ini), "upgrade", plugins="notes").exit_code == 0
    assert podium(str(ini), "check", plugins="notes").exit_code == 0
    # Serving still refuses it: the secret is only spared to migrations.
    refused = CliRunner().invoke(cli, ["check", str(ini)], env={
        "PODIUM_PLUGINS": "notes", "PODIUM_DATABASE_URL": None, "PODIUM_SECRET": None})
    assert refused.exit_code == 1 and "podium.secret" in refused.output


def test_other_settings_are_still_checked(site):
    ini, _, _ = site
    Path(ini).write_text(Path(ini).read_text() + "podium.max_body_size = lots\n")
    with pytest.raises(SettingsError, match=r"podium\.max_body_size"):  # one Error: line
        podium(ini, "upgrade")


@pytest.mark.parametrize("location", ["podium:migrations", str(ROOT / "alembic")])
def test_plain_alembic_keeps_working_where_the_section_is(site, location: str):
    ini, url, _ = site
    production = Path(ini).read_text().replace("\n", "\npodium.environment = production\n", 1)
    Path(ini).write_text(f"{production}\n[alembic]\nscript_location = {location}\n")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PODIUM_PLUGINS", "notes counter")
        for key in ("PODIUM_DATABASE_URL", "PODIUM_SECRET", "PODIUM_ALLOWED_HOSTS"):
            env.delenv(key, raising=False)
        alembic_main(argv=["-c", ini, "upgrade", "heads"])
    assert {"notes_note", "counter_counter"} <= tables(url)
    assert podium(ini, "check").exit_code == 0


def test_a_script_location_elsewhere_is_reported_and_not_used(site, tmp_path, caplog):
    ini, url, _ = site
    stale = tmp_path / "copied-alembic"
    (stale / "versions").mkdir(parents=True)
    Path(ini).write_text(Path(ini).read_text() + f"\n[alembic]\nscript_location = {stale}\n")
    with caplog.at_level(logging.WARNING, logger="podium.store.migrations"):
        result = podium(ini, "upgrade")
    assert result.exit_code == 0, result.output
    assert "notes_note" in tables(url)
    (warning,) = [r.getMessage() for r in caplog.records if "script_location" in r.getMessage()]
    assert str(stale) in warning and default_script_location() in warning
