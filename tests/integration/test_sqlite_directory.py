"""A fresh checkout has no ``var/``: every documented command must work first,
in any order, creating the SQLite file's directory itself (issue 15), and say
in one ``Error:`` line when the directory cannot be made."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from podium.settings.types import SettingsError
from podium.store.engine import make_engine
from podium.testing.servers import fetch, running_pserve

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SHIPPED_URL = "sqlite:///%(here)s/var/podium.sqlite"


def environment() -> dict[str, str]:
    """The user's environment without any PODIUM_* variable: the ini decides."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PODIUM_")}


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A directory holding the shipped development.ini and no var/."""
    source = (ROOT / "development.ini").read_text()
    assert SHIPPED_URL in source, "development.ini no longer keeps its database under var/"
    # The core's migrations are those of this checkout, wherever the ini is copied.
    source = source.replace("script_location = %(here)s/alembic",
                            f"script_location = {ROOT / 'alembic'}")
    (tmp_path / "development.ini").write_text(source)
    assert not (tmp_path / "var").exists()
    return tmp_path


def podium(directory: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "podium"), *args], cwd=directory, env=environment(),
                          capture_output=True, text=True, timeout=180)


def assert_no_raw_sqlite_error(result: subprocess.CompletedProcess) -> None:
    output = result.stdout + result.stderr
    assert "unable to open database file" not in output, output
    assert "Traceback" not in output, output


@pytest.mark.parametrize("first", [
    ("db", "upgrade"),
    ("check",),
    ("db", "check"),
    ("db", "current"),
])
def test_any_documented_command_may_come_first(checkout, first):
    result = podium(checkout, *first, "development.ini")
    assert_no_raw_sqlite_error(result)
    assert (checkout / "var").is_dir()
    if first != ("db", "upgrade"):
        upgrade = podium(checkout, "db", "upgrade", "development.ini")
        assert upgrade.returncode == 0, upgrade.stderr
    assert (checkout / "var" / "podium.sqlite").is_file()
    for command in (("db", "check"), ("check",)):
        result = podium(checkout, *command, "development.ini")
        assert result.returncode == 0, result.stderr
        assert_no_raw_sqlite_error(result)


def test_pserve_on_a_fresh_checkout_creates_the_directory(checkout, free_port):
    ini = checkout / "development.ini"
    ini.write_text(ini.read_text().replace("listen = 127.0.0.1:6543",
                                           f"listen = 127.0.0.1:{free_port}"))
    with running_pserve(ini, free_port, env=environment(), cwd=checkout) as base:
        status, _ = fetch(base + "/")
        assert status == 200
    assert (checkout / "var").is_dir()


def test_a_directory_that_cannot_be_made_is_one_error_line(checkout):
    blocker = checkout / "var"
    blocker.write_text("a file where the directory should be\n")
    result = podium(checkout, "db", "upgrade", "development.ini")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: setting sqlalchemy.url = "), \
        result.stderr
    assert f"{checkout / 'var'}" in lines[0] and "cannot be created" in lines[0]


def test_make_engine_creates_nested_directories_and_connects(tmp_path):
    path = tmp_path / "a" / "b" / "site.sqlite"
    engine = make_engine({"sqlalchemy.url": f"sqlite:///{path}"})
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()
    assert path.is_file()


def test_a_relative_path_is_made_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make_engine({"sqlalchemy.url": "sqlite:///var/relative.sqlite"}).dispose()
    assert (tmp_path / "var").is_dir()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into any directory")
def test_a_directory_without_write_permission_is_named(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(SettingsError) as info:
            make_engine({"sqlalchemy.url": f"sqlite:///{locked / 'var' / 'x.sqlite'}"})
        assert str(locked / "var") in str(info.value)
        with pytest.raises(SettingsError) as info:
            make_engine({"sqlalchemy.url": f"sqlite:///{locked / 'x.sqlite'}"})
        assert "is not writable" in str(info.value)
    finally:
        locked.chmod(0o700)


@pytest.mark.parametrize(("url", "path"), [
    ("sqlite:///var/x.sqlite", "var/x.sqlite"),
    ("sqlite:////srv/site/x.sqlite", "/srv/site/x.sqlite"),
    ("sqlite:///file:/srv/site/x.sqlite?mode=rwc&uri=true", "/srv/site/x.sqlite"),
    ("sqlite:///file:///srv/site/x.sqlite?uri=true", "/srv/site/x.sqlite"),
    ("sqlite:///file:var/x.sqlite?uri=true", "var/x.sqlite"),
    ("sqlite:///file://elsewhere/x.sqlite?uri=true", None),  # not a local path
])
def test_the_file_a_sqlite_url_names(url, path):
    from sqlalchemy.engine import make_url

    from podium.store.engine import sqlite_path

    assert sqlite_path(make_url(url)) == path
