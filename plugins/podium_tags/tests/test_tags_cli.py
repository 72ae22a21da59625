"""``podium tags rename OLD NEW CONFIG_URI``, run as a user runs it, on the test
kit's database: notes and tags are made through the API, the command runs
in its own process on an ini file naming that database, and the result is
read back through the API and the stored rows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from tags_data import program, stored_tags, tag_names, write_ini

pytestmark = pytest.mark.podium_plugins("notes", "tags")


@pytest.fixture
def writer(podium_user):
    return podium_user("writer")


@pytest.fixture
def api(podium_app, writer, api_token):
    """A program with an API token of the same user."""
    return program(podium_app, api_token(writer.login))


PODIUM = str(Path(sys.executable).with_name("podium"))
API = "/notes/api/notes"


@pytest.fixture
def ini(tmp_path: Path, podium_database_url: str) -> Path:
    """An ini file serving the test's database with notes and tags."""
    return write_ini(tmp_path / "site.ini", podium_database_url)


def podium(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PODIUM, *args], capture_output=True, text=True, timeout=120)


def tags_of(api: Any) -> dict[str, list[str]]:
    return {item["title"]: item["tags"] for item in api.get(API).json["items"]}


def test_rename_gives_every_note_the_new_name(api, ini: Path, podium_engine: Engine):
    api.post_json(API, {"title": "One", "tags": ["pyhton", "web"]}, status=201)
    api.post_json(API, {"title": "Two", "tags": ["pyhton"]}, status=201)
    result = podium("tags", "rename", "Pyhton", "Python", str(ini))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "renamed 'pyhton' to 'python': 2 notes"
    assert tags_of(api) == {"Two": ["python"], "One": ["python", "web"]}
    assert tag_names(podium_engine) == ["python", "web"]


def test_rename_to_an_existing_tag_merges_them(api, ini: Path, podium_engine: Engine):
    api.post_json(API, {"title": "Both", "tags": ["js", "javascript"]}, status=201)
    api.post_json(API, {"title": "Old", "tags": ["js", "web"]}, status=201)
    api.post_json(API, {"title": "New", "tags": ["javascript"]}, status=201)
    result = podium("tags", "rename", "js", "javascript", str(ini))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "merged 'js' into 'javascript': 2 notes"
    assert tags_of(api) == {"New": ["javascript"], "Old": ["javascript", "web"],
                                "Both": ["javascript"]}
    assert tag_names(podium_engine) == ["javascript", "web"]
    assert api.get(API, {"tag": "javascript"}).json["total"] == 3


@pytest.mark.parametrize(("old", "new", "message"), [
    ("missing", "other", "Error: no tag 'missing' in "),
    ("web", "web design", "Error: NEW: The tag 'web design' contains a space"),
    ("<b>", "web", "Error: OLD: The tag '<b>' contains '<' '>'"),
    ("Web", "web", "Error: OLD and NEW are the same tag, 'web': nothing to rename"),
])
def test_a_rename_that_cannot_be_done_is_an_error_and_changes_nothing(
        api, ini: Path, podium_engine: Engine, old: str, new: str, message: str):
    api.post_json(API, {"title": "One", "tags": ["web"]}, status=201)
    before = stored_tags(podium_engine)
    result = podium("tags", "rename", old, new, str(ini))
    assert result.returncode == 1
    assert message in result.stderr
    assert result.stdout == ""
    assert stored_tags(podium_engine) == before
    assert tag_names(podium_engine) == ["web"]


def test_rename_refuses_a_site_without_the_plugin(tmp_path: Path, podium_database_url: str):
    without = write_ini(tmp_path / "notes-only.ini", podium_database_url, "notes")
    result = podium("tags", "rename", "a", "b", str(without))
    assert result.returncode == 1
    assert "the tags plugin is not enabled in" in result.stderr


def test_the_command_is_listed_in_podiums_help():
    result = podium("tags", "--help")
    assert result.returncode == 0, result.stderr
    assert "rename" in result.stdout
