"""The notes plugin's settings, through the full app: ``notes.page_size`` and
``notes.max_per_page`` from the ini, from the environment, and refused when
bad before the app starts."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, insert

from podium.api import PluginError, plugin_set
from podium.testing import build_app
from podium.testing.apps import base_settings, delete_all_rows
from podium.testing.webapp import PodiumTestApp
from podium_notes.models import Note

pytestmark = pytest.mark.podium_plugins("notes")

API = "/notes/api/notes"


def add_notes(engine: Engine, how_many: int) -> None:
    """Notes written one minute apart, ``Note 0`` the oldest."""
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    with engine.begin() as conn:
        for i in range(how_many):
            when = start + datetime.timedelta(minutes=i)
            conn.execute(insert(Note.__table__).values(
                title=f"Note {i}", body="", created_at=when, updated_at=when))


def titles_on(res: Any) -> list[str]:
    return [a.text for a in res.html.select(".notes-item-title")]


def pager_on(res: Any) -> str | None:
    pager = res.html.select_one(".notes-pager span")
    return pager.text if pager else None


# -- the defaults ---------------------------------------------------------------------------


def test_the_settings_are_declared_and_typed_with_their_defaults(podium_app):
    assert podium_app.registry.settings["notes.page_size"] == 20
    assert podium_app.registry.settings["notes.max_per_page"] == 100
    notes = plugin_set(podium_app.registry).get("notes")
    assert notes.settings == {"page_size": 20, "max_per_page": 100, "public_read": True}
    assert notes.title == "Notes" and notes.front_page == "notes.list"


def test_by_default_a_list_page_shows_twenty_notes(testapp, podium_engine):
    add_notes(podium_engine, 21)
    res = testapp.get("/notes/")
    assert len(titles_on(res)) == 20 and pager_on(res) == "Page 1 of 2"
    assert titles_on(testapp.get("/notes/", {"page": "2"})) == ["Note 0"]


# -- notes.page_size ------------------------------------------------------------------------


@pytest.mark.podium_settings(**{"notes.page_size": "2"})
def test_page_size_sets_the_notes_per_list_page(testapp, podium_engine):
    add_notes(podium_engine, 5)
    first = testapp.get("/notes/")
    assert titles_on(first) == ["Note 4", "Note 3"]
    assert pager_on(first) == "Page 1 of 3"
    assert titles_on(first.click(href="page=2")) == ["Note 2", "Note 1"]
    assert titles_on(testapp.get("/notes/", {"page": "3"})) == ["Note 0"]
    testapp.get("/notes/", {"page": "4"}, status=404)


@pytest.mark.podium_settings(**{"notes.page_size": "2"})
def test_page_size_is_the_api_default_per_page(testapp, podium_engine):
    add_notes(podium_engine, 5)
    listing = testapp.get(API).json
    assert (listing["per_page"], listing["pages"]) == (2, 3)
    assert [n["title"] for n in listing["items"]] == ["Note 4", "Note 3"]
    assert len(testapp.get(API, {"per_page": "5"}).json["items"]) == 5  # a client may ask more


# -- notes.max_per_page ---------------------------------------------------------------------


@pytest.mark.podium_settings(**{"notes.max_per_page": "30"})
def test_max_per_page_bounds_what_an_api_client_may_ask(testapp, podium_engine):
    add_notes(podium_engine, 31)
    assert len(testapp.get(API, {"per_page": "30"}).json["items"]) == 30
    res = testapp.get(API, {"per_page": "31"}, status=400)
    assert res.json["error"]["fields"] == {"per_page": "Must be a whole number from 1 to 30."}


# -- the environment ------------------------------------------------------------------------


@pytest.fixture
def app_with(podium_database_url: str) -> Iterator[Any]:
    """Build the app after the test has set the environment; a WebTest app of it."""
    built = []

    def build(**settings: str) -> PodiumTestApp:
        app = build_app({**base_settings(podium_database_url, "notes"), **settings})
        built.append(app)
        return PodiumTestApp(app, extra_environ={"HTTP_HOST": "localhost"})

    yield build
    for app in built:
        engine = app.registry["podium.engine"]
        delete_all_rows(engine)
        engine.dispose()


def test_the_environment_wins_over_the_ini(app_with, monkeypatch):
    monkeypatch.setenv("PODIUM_NOTES_PAGE_SIZE", "3")
    monkeypatch.setenv("PODIUM_NOTES_MAX_PER_PAGE", "4")
    # The test kit shields apps from the developer's shell; this test wants it read.
    testapp = app_with(**{"notes.page_size": "10", "podium.read_environment": "true"})
    assert testapp.app.registry.settings["notes.page_size"] == 3
    add_notes(testapp.app.registry["podium.engine"], 7)
    res = testapp.get("/notes/")
    assert titles_on(res) == ["Note 6", "Note 5", "Note 4"] and pager_on(res) == "Page 1 of 3"
    assert testapp.get(API).json["per_page"] == 3
    testapp.get(API, {"per_page": "5"}, status=400)


# -- bad values stop start-up ---------------------------------------------------------------


@pytest.fixture
def throwaway_url(tmp_path) -> str:
    """Start-up is refused before the database is used; no need to migrate one."""
    return f"sqlite:///{tmp_path / 'unused.sqlite'}"


@pytest.mark.parametrize(
    ("settings", "environ", "message"),
    [
        ({"notes.page_size": "many"}, {},
         "setting notes.page_size = 'many' is not valid: expected a whole number"),
        ({"notes.page_size": "0"}, {},
         "setting notes.page_size = '0' is not valid: expected a whole number >= 1"),
        ({"notes.max_per_page": "-5"}, {},
         "setting notes.max_per_page = '-5' is not valid: expected a whole number >= 1"),
        ({"notes.page_size": "20"}, {"PODIUM_NOTES_PAGE_SIZE": "lots"},
         "setting notes.page_size = 'lots' is not valid: expected a whole number"),
        ({"notes.pagesize": "10"}, {},
         "setting notes.pagesize is not a setting of plugin notes; "
         "did you mean notes.page_size?"),
        ({"notes.page_size": "50", "notes.max_per_page": "10"}, {},
         "setting notes.page_size = 50 is not valid: expected a whole number <= "
         "notes.max_per_page (10)"),
    ],
)
def test_a_bad_value_stops_start_up_naming_key_value_and_what_is_allowed(
        throwaway_url, monkeypatch, settings, environ, message):
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(PluginError) as raised:
        build_app({**base_settings(throwaway_url, "notes"), **settings,
                   "podium.read_environment": "true"})
    assert message in str(raised.value)
    assert "'notes'" in str(raised.value)  # and which plugin
