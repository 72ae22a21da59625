"""The ``podium`` command, run as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from core_schema import core_head
from notes_schema import notes_head

ROOT = Path(__file__).resolve().parents[2]
PODIUM = str(Path(sys.executable).with_name("podium"))


def podium(*args: str, database_url: str, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "PODIUM_DATABASE_URL": database_url, **env}
    return subprocess.run([PODIUM, *args], capture_output=True, text=True, env=environ,
                          cwd=ROOT, timeout=120)


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'cli.sqlite'}"


def test_plugins_list_shows_installed_plugins(database_url):
    result = podium("plugins", "list", "development.ini", database_url=database_url,
                    PODIUM_PLUGINS="notes")
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split()[:5] == ["NAME", "DISTRIBUTION", "VERSION", "STATUS", "PREFIX"]
    notes = next(r for r in rows if r.startswith("notes "))
    assert notes.split()[:5] == ["notes", "podium-notes", "0.1.0", "enabled", "/notes"]


def test_db_upgrade_then_current(database_url):
    result = podium("db", "upgrade", "development.ini", database_url=database_url)
    assert result.returncode == 0, result.stderr
    result = podium("db", "current", "development.ini", database_url=database_url)
    assert result.returncode == 0, result.stderr
    assert core_head() in result.stdout  # the core's latest revision
    assert notes_head() in result.stdout


def test_errors_are_one_readable_line(database_url):
    result = podium("plugins", "list", "development.ini", database_url=database_url,
                    PODIUM_PLUGINS="notes nosuchplugin")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        line for line in result.stderr.strip().splitlines() if line.startswith("Error:")
    ]
    assert "nosuchplugin" in result.stderr and "Traceback" not in result.stderr


def test_a_missing_config_file_is_reported(database_url):
    result = podium("db", "current", "nowhere.ini", database_url=database_url)
    assert result.returncode == 1
    assert "nowhere.ini" in result.stderr and "Traceback" not in result.stderr


def test_a_bad_setting_is_reported(database_url):
    result = podium("db", "current", "development.ini", database_url=database_url,
                    PODIUM_ENVIRONMENT="staging")
    assert result.returncode == 1
    assert "podium.environment = 'staging'" in result.stderr
